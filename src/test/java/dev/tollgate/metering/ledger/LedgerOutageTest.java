package dev.tollgate.metering.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.testing.FakeUpstream;
import dev.tollgate.testing.TestGateway;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The issue's database-outage test, on real PostgreSQL: under load from four clients the database is
 * stopped; calls keep being served while {@code /health} shows the ledger's lag (events and seconds)
 * growing; the database comes back on the same port and data; the backlog drains to zero; every call
 * the fake upstream answered is in {@code usage_events} exactly once.
 */
@Timeout(120)
class LedgerOutageTest {
  private static final int CLIENTS = 4;

  /** One usage event as stored. */
  record Row(String id, String requestId, int attempt, String status) {}

  @Test
  void callsGoOnWhileTheDatabaseIsDownAndTheBacklogDrainsWithNothingLostOrDuplicated() throws Exception {
    Path data = Files.createTempDirectory("tollgate-ledger-pg");
    EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).start();
    int port = pg.getPort();
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres&connectTimeout=2&socketTimeout=5";
    long seed = 20260301L;
    try (FakeUpstream upstream = FakeUpstream.start().byDefault(GatewayLoad.answers(seed));
        TestGateway gateway = TestGateway.start(TestGateway.providerYaml(upstream.baseUrl(), "").replace(
            "first_byte: 2s, idle: 1s, total: 5s", "first_byte: 10s, idle: 10s, total: 30s") + """
            models:
              - name: m
                deployments: [ { provider: fake, model: upstream-model } ]
                price: { input_per_mtok: 1.00, output_per_mtok: 2.00 }
            """, "", url)) {
      String key = gateway.createKey();
      int beforeOutage;
      int duringOutage;
      List<JsonNode> downSamples = new ArrayList<>();
      List<GatewayLoad.Outcome> outcomes;
      try (GatewayLoad load = new GatewayLoad(gateway.baseUrl(), key, "o-", seed).start(CLIENTS)) {
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> load.succeeded() >= 10);

        pg.close(); // the database is gone, under load
        beforeOutage = load.succeeded();
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
            .until(() -> !gateway.tollgate().ledger().status().databaseHealthy());
        for (int i = 0; i < 3; i++) {
          Thread.sleep(1_200);
          downSamples.add(ledgerHealth(gateway));
        }
        duringOutage = load.succeeded() - beforeOutage;

        pg = EmbeddedPostgres.builder().setPort(port).setDataDirectory(data).setCleanDataDirectory(false).start();
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
            .until(() -> ledgerHealth(gateway).path("lag_events").asLong(-1) == 0);
        Thread.sleep(500); // a little load after the drain too
        load.close();
        outcomes = load.outcomes();
      }
      gateway.awaitUsageSettled();
      JsonNode after = ledgerHealth(gateway);

      Map<String, Long> upstreamCalls = upstream.received().stream()
          .map(r -> FakeUpstream.headersOf(r).get("x-request-id"))
          .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
      List<Row> events = readEvents(url);
      Map<String, List<Row>> byRequest = events.stream().collect(Collectors.groupingBy(Row::requestId));
      List<String> notExactlyOnce = new ArrayList<>();
      upstreamCalls.forEach((requestId, calls) -> {
        int billed = byRequest.getOrDefault(requestId, List.of()).size();
        if (billed != calls) {
          notExactlyOnce.add(requestId + ": " + calls + " upstream call(s), " + billed + " event(s)");
        }
      });
      Set<String> attempts = new HashSet<>();
      long failedCalls = outcomes.stream().filter(o -> o.status() != 200).count();
      System.out.printf("LedgerOutageTest: %d calls answered 200 before the outage, %d while PostgreSQL was down "
              + "(%d failed in all); /health ledger while down: %s; after: %s; the upstream answered %d calls, "
              + "usage_events holds %d events for them%n",
          beforeOutage, duringOutage, failedCalls,
          downSamples.stream().map(n -> n.path("lag_events") + " events/" + n.path("lag_seconds") + " s")
              .toList(), after.path("lag_events") + " events/" + after.path("lag_seconds") + " s",
          upstreamCalls.values().stream().mapToLong(Long::longValue).sum(), events.size());

      assertThat(duringOutage).as("calls keep being served while the database is down").isGreaterThanOrEqualTo(10);
      assertThat(failedCalls).as("no call failed").isZero();
      for (int i = 1; i < downSamples.size(); i++) {
        JsonNode earlier = downSamples.get(i - 1);
        JsonNode later = downSamples.get(i);
        assertThat(later.path("status").asText()).isEqualTo("DEGRADED");
        assertThat(later.path("lag_events").asLong()).as("lag in events grows").isGreaterThan(
            earlier.path("lag_events").asLong());
        assertThat(later.path("lag_seconds").asDouble()).as("lag in seconds grows").isGreaterThan(
            earlier.path("lag_seconds").asDouble());
      }
      assertThat(after.path("lag_events").asLong()).isZero();
      assertThat(after.path("lag_seconds").asDouble()).isZero();
      assertThat(after.path("status").asText()).isEqualTo("UP");
      assertThat(notExactlyOnce).as("every upstream call is in usage_events exactly once").isEmpty();
      assertThat(events).as("no event without its upstream call")
          .allMatch(e -> upstreamCalls.containsKey(e.requestId()));
      assertThat(events).as("one event per (request, attempt)")
          .allMatch(e -> attempts.add(e.requestId() + "#" + e.attempt()));
      assertThat(events).allMatch(e -> e.status().equals("ok"));
    } finally {
      pg.close();
    }
  }

  private static JsonNode ledgerHealth(TestGateway gateway) {
    HttpResponse<String> r = gateway.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/health"))
        .timeout(Duration.ofSeconds(15)).GET().build());
    return TestGateway.json(r.body()).path("components").path("ledger");
  }

  private static List<Row> readEvents(String url) throws Exception {
    List<Row> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT id, request_id, attempt, status FROM usage_events")) {
      while (r.next()) {
        rows.add(new Row(r.getString(1), r.getString(2), r.getInt(3), r.getString(4)));
      }
    }
    return rows;
  }
}
