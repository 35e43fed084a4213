package dev.tollgate.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.tollgate.access.local.TotpCodes;
import dev.tollgate.testing.TestGateway;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * Every admin route called as every role, as nobody, and with a revoked key: allowed means a 2xx,
 * denied a 401 / 403 / 404 and no change. The routes come from the running gateway, so a route added
 * without a row here fails {@link #everyRouteHasARow}, and a row for a route that is gone fails too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoleMatrixTest {
  /** Who calls. */
  enum As { ADMIN, TEAM_ADMIN, MEMBER, VIEWER, AUDITOR, ANONYMOUS, REVOKED_KEY }

  private static final Set<As> EVERY_ROLE = EnumSet.of(As.ADMIN, As.TEAM_ADMIN, As.MEMBER, As.VIEWER, As.AUDITOR);
  private static final Set<As> READERS = EnumSet.of(As.ADMIN, As.VIEWER, As.AUDITOR);

  /** A request to make: the path with real ids, and a body (null for none). */
  record Call(String path, String body) {}

  /** One row: how to make a fresh request for the route as someone, and who may make it. */
  record Row(BiFunction<AdminFixture, As, Call> sample, Set<As> allowed) {}

  private TestGateway gateway;
  private AdminFixture f;
  private final Map<String, Row> rows = new LinkedHashMap<>();

  @BeforeAll
  void start() {
    gateway = TestGateway.start("""
        providers:
          - { name: demo, type: mock }
        models:
          - name: m
            deployments: [ { provider: demo, model: mock-model } ]
        """, "secrets: { encryption_key: \"" + AdminFixture.ENCRYPTION_KEY + "\" }");
    f = new AdminFixture(gateway);
    // Targets live in team alpha, where team_admin administers and member belongs; viewer and auditor are
    // elsewhere (ops) but read organisation-wide. Fresh objects for every call that changes something.
    row("GET /admin/v1/me", x -> new Call("/admin/v1/me", null), EVERY_ROLE);
    row("GET /admin/v1/organizations", x -> new Call("/admin/v1/organizations", null), EVERY_ROLE);
    row("POST /admin/v1/organizations", x -> new Call("/admin/v1/organizations",
        "{\"name\":\"org-" + AdminFixture.suffix() + "\"}"), Set.of());
    row("GET /admin/v1/organizations/:id", x -> new Call("/admin/v1/organizations/default", null), EVERY_ROLE);
    row("GET /admin/v1/teams", x -> new Call("/admin/v1/teams", null), EVERY_ROLE);
    row("POST /admin/v1/teams", x -> new Call("/admin/v1/teams", "{\"name\":\"t-" + AdminFixture.suffix() + "\"}"),
        Set.of(As.ADMIN));
    row("GET /admin/v1/teams/:id", x -> new Call("/admin/v1/teams/" + x.alpha, null), EVERY_ROLE);
    row("PATCH /admin/v1/teams/:id", x -> new Call("/admin/v1/teams/" + x.alpha, "{\"metadata\":{\"cost\":\"1\"}}"),
        Set.of(As.ADMIN));
    row("DELETE /admin/v1/teams/:id", x -> new Call("/admin/v1/teams/" + x.team("gone-" + AdminFixture.suffix()),
        null), Set.of(As.ADMIN));
    row("GET /admin/v1/teams/:id/members", x -> new Call("/admin/v1/teams/" + x.alpha + "/members", null),
        EVERY_ROLE);
    row("PUT /admin/v1/teams/:id/members/:user_id", x -> new Call("/admin/v1/teams/" + x.alpha + "/members/"
        + x.user("member"), "{\"role\":\"member\"}"), Set.of(As.ADMIN, As.TEAM_ADMIN));
    row("DELETE /admin/v1/teams/:id/members/:user_id", x -> {
      String user = x.user("member");
      x.join(x.alpha, user, "member");
      return new Call("/admin/v1/teams/" + x.alpha + "/members/" + user, null);
    }, Set.of(As.ADMIN, As.TEAM_ADMIN));
    row("GET /admin/v1/users", x -> new Call("/admin/v1/users", null), EVERY_ROLE);
    row("POST /admin/v1/users", x -> new Call("/admin/v1/users", "{\"email\":\"n-" + AdminFixture.suffix()
        + "@example.com\"}"), Set.of(As.ADMIN));
    row("GET /admin/v1/users/:id", x -> {
      String teammate = x.user("member");
      x.join(x.alpha, teammate, "member");
      return new Call("/admin/v1/users/" + teammate, null);
    }, EnumSet.of(As.ADMIN, As.VIEWER, As.AUDITOR, As.TEAM_ADMIN));
    row("PATCH /admin/v1/users/:id", x -> new Call("/admin/v1/users/" + x.member.userId(), "{\"name\":\"M\"}"),
        Set.of(As.ADMIN));
    row("PUT /admin/v1/users/:id/password", x -> {
      String teammate = x.user("member");
      x.join(x.alpha, teammate, "member");
      return new Call("/admin/v1/users/" + teammate + "/password", "{\"password\":\"" + AdminFixture.PASSWORD + "\"}");
    }, Set.of(As.ADMIN));
    row("POST /admin/v1/me/totp", x -> new Call("/admin/v1/me/totp", null), EVERY_ROLE);
    row("POST /admin/v1/me/totp/confirm", (x, as) -> {
      String code = "000000";
      if (EVERY_ROLE.contains(as)) {
        HttpResponse<String> begun = gateway.call("POST", "/admin/v1/me/totp", secret(as), null);
        code = TotpCodes.now(AdminFixture.json(begun).get("secret").asText());
      }
      return new Call("/admin/v1/me/totp/confirm", "{\"code\":\"" + code + "\"}");
    }, EVERY_ROLE);
    row("DELETE /admin/v1/me/totp", x -> new Call("/admin/v1/me/totp", null), EVERY_ROLE);
    row("GET /admin/v1/keys", x -> new Call("/admin/v1/keys", null), EVERY_ROLE);
    row("POST /admin/v1/keys", x -> new Call("/admin/v1/keys", "{\"name\":\"n\",\"team_id\":\"" + x.alpha + "\"}"),
        Set.of(As.ADMIN, As.TEAM_ADMIN, As.MEMBER));
    row("GET /admin/v1/keys/:id", x -> new Call("/admin/v1/keys/" + x.member.keyId(), null), EVERY_ROLE);
    row("DELETE /admin/v1/keys/:id", x -> new Call("/admin/v1/keys/" + x.keyOf(x.member.userId(), x.alpha), null),
        Set.of(As.ADMIN, As.TEAM_ADMIN, As.MEMBER));
    row("POST /admin/v1/keys/:id/rotate", x -> new Call("/admin/v1/keys/" + x.keyOf(x.member.userId(), x.alpha)
        + "/rotate", "{\"grace_seconds\":60}"), Set.of(As.ADMIN, As.TEAM_ADMIN, As.MEMBER));
    row("GET /admin/v1/audit", x -> new Call("/admin/v1/audit", null), Set.of(As.ADMIN, As.AUDITOR));
    row("GET /admin/v1/audit/export", x -> new Call("/admin/v1/audit/export", null), Set.of(As.ADMIN, As.AUDITOR));
    row("GET /admin/v1/providers/secrets", x -> new Call("/admin/v1/providers/secrets", null),
        Set.of(As.ADMIN, As.AUDITOR));
    row("PUT /admin/v1/providers/:provider/secrets/:field", x -> new Call("/admin/v1/providers/demo/secrets/api_key",
        "{\"value\":\"sk-matrix-" + AdminFixture.suffix() + "\"}"), Set.of(As.ADMIN));
    row("DELETE /admin/v1/providers/:provider/secrets/:field", x -> {
      AdminFixture.ok(gateway.call("PUT", "/admin/v1/providers/demo/secrets/aws_session_token", AdminFixture.MASTER,
          "{\"value\":\"token-" + AdminFixture.suffix() + "\"}"), 200);
      return new Call("/admin/v1/providers/demo/secrets/aws_session_token", null);
    }, Set.of(As.ADMIN));
    row("GET /admin/v1/usage/export", x -> new Call("/admin/v1/usage/export", null), EVERY_ROLE);
    row("GET /admin/v1/usage", x -> new Call("/admin/v1/usage?group_by=day,model", null), EVERY_ROLE);
    row("GET /admin/v1/budgets", x -> new Call("/admin/v1/budgets", null), EVERY_ROLE);
    // A budget on the member's own key: readable by its owner, their team's admin and the organisation's readers.
    row("GET /admin/v1/budgets/:id", x -> new Call("/admin/v1/budgets/" + x.budget("key", x.member.keyId()), null),
        EVERY_ROLE);
    row("PUT /admin/v1/budgets/:id", x -> new Call("/admin/v1/budgets/b-" + AdminFixture.suffix(),
        "{\"scope\":\"team\",\"scope_id\":\"" + x.alpha + "\",\"amount_usd\":\"12.5\",\"period\":\"monthly\"}"),
        Set.of(As.ADMIN));
    row("DELETE /admin/v1/budgets/:id", x -> new Call("/admin/v1/budgets/" + x.budget("team", x.alpha), null),
        Set.of(As.ADMIN));
    row("GET /admin/v1/providers/health", x -> new Call("/admin/v1/providers/health", null), READERS);
  }

  private void row(String route, Function<AdminFixture, Call> sample, Set<As> allowed) {
    row(route, (x, as) -> sample.apply(x), allowed);
  }

  private void row(String route, BiFunction<AdminFixture, As, Call> sample, Set<As> allowed) {
    assertThat(rows.put(route, new Row(sample, allowed))).as("duplicate row " + route).isNull();
  }

  @AfterAll
  void stop() {
    gateway.close();
  }

  private static String key(AdminRoute r) {
    return r.method().name() + " " + r.path();
  }

  @Test
  void everyRouteHasARow() {
    Set<String> mounted = gateway.tollgate().adminRoutes().stream().map(RoleMatrixTest::key)
        .collect(Collectors.toCollection(java.util.TreeSet::new));
    assertThat(rows.keySet()).as("rows for routes that do not exist").isSubsetOf(mounted);
    assertThat(mounted).as("admin routes without a row in the role matrix (add one, with who may call it)")
        .isSubsetOf(rows.keySet());
  }

  @TestFactory
  List<DynamicTest> everyRouteAsEveryRole() {
    List<DynamicTest> tests = new ArrayList<>();
    for (AdminRoute route : gateway.tollgate().adminRoutes()) {
      Row row = rows.get(key(route));
      if (row == null) {
        continue; // everyRouteHasARow names it
      }
      for (As as : As.values()) {
        boolean allowed = row.allowed().contains(as);
        tests.add(dynamicTest(key(route) + " as " + as + (allowed ? " is allowed" : " is denied"), () -> {
          Call call = row.sample().apply(f, as);
          HttpResponse<String> r = gateway.call(route.method().name(), call.path(), secret(as), call.body());
          if (allowed) {
            assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
          } else if (as == As.ANONYMOUS || as == As.REVOKED_KEY) {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
          } else {
            assertThat(r.statusCode()).as(r.body()).isIn(403, 404);
            assertThat(TestGateway.json(r.body()).at("/error/message").asText()).isNotBlank();
            assertThat(r.headers().firstValue("x-request-id")).isPresent();
          }
        }));
      }
    }
    return tests;
  }

  private String secret(As as) {
    return switch (as) {
      case ADMIN -> f.admin.secret();
      case TEAM_ADMIN -> f.teamAdmin.secret();
      case MEMBER -> f.member.secret();
      case VIEWER -> f.viewer.secret();
      case AUDITOR -> f.auditor.secret();
      case ANONYMOUS -> null;
      case REVOKED_KEY -> f.revokedKey;
    };
  }
}
