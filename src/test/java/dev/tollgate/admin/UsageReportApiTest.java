package dev.tollgate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.metering.UsageEvent;
import dev.tollgate.testing.TestDatabases;
import dev.tollgate.testing.TestGateway;
import java.net.http.HttpResponse;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code GET /admin/v1/usage} through a real gateway on both databases: what each role sees, the sums
 * per group, the day range, and every bad parameter as a 400 naming it.
 */
class UsageReportApiTest {
  private static final LocalDate DAY = LocalDate.of(2026, 2, 10);
  private static final long START = DAY.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();

  private static UsageEvent event(int n, int day, AdminFixture.Person who, String team, String model, long cost,
      String status) {
    return new UsageEvent("e-" + n, "r-" + n, who.keyId(), "/v1/chat/completions", model, "d", "p", "u", 100 + n, 10 + n,
        n, 0, n % 4 == 0, cost, status, 200, 3, 1, false, null, START + day * 86_400_000L + n * 1000L, 1, null, team,
        who.userId());
  }

  private static JsonNode report(TestGateway gateway, String key, String query) {
    HttpResponse<String> r = gateway.call("GET", "/admin/v1/usage" + query, key, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return TestGateway.json(r.body());
  }

  /** "group values -> cost_micros/requests" of every row, to compare whole answers at once. */
  private static Map<String, String> rows(JsonNode report, String... fields) {
    Map<String, String> out = new TreeMap<>();
    for (JsonNode row : report.get("data")) {
      List<String> key = new ArrayList<>();
      for (String f : fields) {
        key.add(row.get(f).asText());
      }
      out.put(String.join(" ", key), row.get("cost_micros").asLong() + "/" + row.get("requests").asLong());
    }
    return out;
  }

  private static long cost(List<UsageEvent> events, Predicate<UsageEvent> keep) {
    return events.stream().filter(keep).mapToLong(UsageEvent::costMicros).sum();
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void eachRoleGetsTheSumsOfWhatItMaySee(TestDatabases.Kind kind) {
    String url = kind == TestDatabases.Kind.POSTGRESQL ? TestDatabases.freshPostgresUrl() : null;
    try (TestGateway gateway = TestGateway.start("""
        providers:
          - { name: demo, type: mock }
        models:
          - name: m
            deployments: [ { provider: demo, model: mock-model } ]
        """, "", url)) {
      AdminFixture f = new AdminFixture(gateway);
      List<UsageEvent> events = new ArrayList<>();
      int n = 0;
      for (int day = 0; day < 3; day++) {
        events.add(event(n++, day, f.member, f.alpha, "m", 1_000 + day, "ok"));
        events.add(event(n++, day, f.member, f.alpha, "m2", 20_000, day == 1 ? "upstream_error" : "ok"));
        events.add(event(n++, day, f.teamAdmin, f.alpha, "m", 300_000, "ok"));
        events.add(event(n++, day, f.outsider, f.beta, "m", 4_000_000, "ok"));
        events.add(event(n++, day, f.viewer, f.ops, "m2", 50_000_000, "timeout"));
      }
      gateway.tollgate().usageStore().insert(events);
      String range = "?from=2026-02-10&to=2026-02-12";

      // Totals without grouping: one row, equal to the totals, for what each role sees.
      Map<String, Predicate<UsageEvent>> sees = Map.of(
          AdminFixture.MASTER, e -> true,
          f.admin.secret(), e -> true,
          f.auditor.secret(), e -> true,
          f.teamAdmin.secret(), e -> e.teamId().equals(f.alpha) || e.userId().equals(f.teamAdmin.userId()),
          f.member.secret(), e -> e.userId().equals(f.member.userId()),
          f.outsider.secret(), e -> e.userId().equals(f.outsider.userId()));
      for (var caller : sees.entrySet()) {
        JsonNode totals = report(gateway, caller.getKey(), range);
        long expected = cost(events, caller.getValue());
        assertThat(totals.at("/totals/cost_micros").asLong()).isEqualTo(expected);
        assertThat(totals.get("data")).hasSize(1);
        assertThat(totals.at("/data/0/cost_micros").asLong()).isEqualTo(expected);
        assertThat(totals.at("/totals/requests").asLong()).isEqualTo(events.stream().filter(caller.getValue()).count());
      }

      JsonNode all = report(gateway, AdminFixture.MASTER, range + "&group_by=day");
      assertThat(all.get("object").asText()).isEqualTo("list");
      assertThat(all.get("from").asText()).isEqualTo("2026-02-10");
      assertThat(all.get("to").asText()).isEqualTo("2026-02-12");
      assertThat(all.get("group_by").toString()).isEqualTo("[\"day\"]");
      assertThat(rows(all, "day")).containsExactly(Map.entry("2026-02-10", "54321000/5"),
          Map.entry("2026-02-11", "54321001/5"), Map.entry("2026-02-12", "54321002/5"));
      assertThat(all.at("/totals/cost_micros").asLong()).isEqualTo(3 * 54_321_000L + 3);
      assertThat(all.at("/totals/cost_usd").asText()).isEqualTo("162.963003");
      assertThat(all.at("/totals/error_requests").asLong()).isEqualTo(4);
      assertThat(all.at("/totals/estimated_requests").asLong()).isEqualTo(events.stream()
          .filter(UsageEvent::estimated).count());
      assertThat(all.at("/totals/input_tokens").asLong()).isEqualTo(events.stream()
          .mapToLong(UsageEvent::inputTokens).sum());

      // A member sees their own calls, grouped by model; filters narrow; days are inclusive.
      JsonNode mine = report(gateway, f.member.secret(), "?from=2026-02-11&to=2026-02-12&group_by=model,key");
      assertThat(rows(mine, "model", "key_id")).isEqualTo(Map.of(
          "m " + f.member.keyId(), "2003/2", "m2 " + f.member.keyId(), "40000/2"));
      JsonNode team = report(gateway, f.teamAdmin.secret(), range + "&group_by=user&model=m");
      assertThat(rows(team, "user_id")).isEqualTo(Map.of(
          f.member.userId(), "3003/3", f.teamAdmin.userId(), "900000/3"));
      JsonNode widened = report(gateway, f.member.secret(), range + "&team_id=" + f.beta);
      assertThat(widened.at("/totals/requests").asLong()).as("a filter never widens the scope").isZero();
      JsonNode byTeam = report(gateway, f.viewer.secret(), range + "&group_by=team&key_id=" + f.outsider.keyId());
      assertThat(rows(byTeam, "team_id")).containsExactly(Map.entry(f.beta, "12000000/3"));
      assertThat(report(gateway, AdminFixture.MASTER, "?from=2026-02-13&to=2026-03-01").at("/totals/requests")
          .asLong()).isZero();

      Map<String, String> bad = new TreeMap<>(Map.of(
          "?from=2026-02-31", "from",
          "?to=yesterday", "to",
          "?from=2026-02-10T00:00:00Z", "from",
          "?from=2026-02-12&to=2026-02-10", "from",
          "?group_by=week", "group_by",
          "?group_by=day,day", "group_by",
          "?group_by=day,", "group_by"));
      bad.forEach((query, param) -> {
        HttpResponse<String> r = gateway.call("GET", "/admin/v1/usage" + query, AdminFixture.MASTER, null);
        assertThat(r.statusCode()).as(query + ": " + r.body()).isEqualTo(400);
        assertThat(TestGateway.json(r.body()).at("/error/param").asText()).as(query).isEqualTo(param);
        assertThat(TestGateway.json(r.body()).at("/error/type").asText()).isEqualTo("invalid_request_error");
      });
    }
  }
}
