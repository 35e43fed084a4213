package dev.tollgate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tollgate.access.Authenticator;
import dev.tollgate.access.KeyCache;
import dev.tollgate.access.KeySecrets;
import dev.tollgate.access.KeyService;
import dev.tollgate.access.Role;
import dev.tollgate.access.directory.Membership;
import dev.tollgate.access.directory.Organization;
import dev.tollgate.access.directory.Team;
import dev.tollgate.access.directory.User;
import dev.tollgate.access.policy.Policy;
import dev.tollgate.access.session.Sessions;
import dev.tollgate.audit.AuditConfig;
import dev.tollgate.audit.AuditLog;
import dev.tollgate.config.Secret;
import dev.tollgate.config.SessionConfig;
import dev.tollgate.metering.budget.Budget;
import dev.tollgate.metering.budget.BudgetListener;
import dev.tollgate.metering.budget.BudgetPeriod;
import dev.tollgate.metering.budget.BudgetRef;
import dev.tollgate.metering.budget.BudgetScope;
import dev.tollgate.metering.budget.LocalBudgetStore;
import dev.tollgate.metering.budget.Reservation;
import dev.tollgate.server.Async;
import dev.tollgate.server.RequestIds;
import dev.tollgate.store.Database;
import dev.tollgate.store.IdGenerator;
import dev.tollgate.store.JdbiBudgetPersistence;
import dev.tollgate.store.JdbiDirectory;
import dev.tollgate.store.JdbiKeyStore;
import dev.tollgate.store.JdbiSessionStore;
import dev.tollgate.testing.ManualClock;
import dev.tollgate.testing.TestDatabases;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The budgets admin API over HTTP, on both databases, with the budget store the data plane would use
 * and a manual clock: create, read, replace and delete with live status numbers and audit entries;
 * validation errors that store nothing; configuration-declared budgets that stay read-only; and who
 * sees and changes which budget.
 */
class BudgetsApiTest {
  private static final String MASTER = "budgets-test-master-key-0123456789abcdef";
  private static final Instant NOW = Instant.parse("2026-03-10T15:30:00Z");

  @TempDir
  Path dir;

  /**
   * One organisation (default) with teams alpha and beta and a person in each role, each with a key;
   * another organisation (acme) with its own admin and team. The admin API's budget routes on a real
   * HTTP server.
   */
  private final class Harness implements AutoCloseable {
    final Database db;
    final ManualClock clock = new ManualClock(NOW);
    final LocalBudgetStore budgets;
    final JdbiDirectory directory;
    final KeyService keys;
    final ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();
    final Vertx vertx = Vertx.vertx();
    final HttpServer server;
    final HttpClient http = HttpClient.newHttpClient();
    final Map<String, String> secrets = new java.util.HashMap<>();
    final Map<String, String> keyIds = new java.util.HashMap<>();
    final Map<String, String> userIds = new java.util.HashMap<>();

    Harness(TestDatabases.Kind kind, Set<String> configured) {
      db = TestDatabases.open(kind, dir);
      IdGenerator ids = new IdGenerator(clock, ThreadLocalRandom::current);
      ObjectMapper json = JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .nodeFactory(JsonNodeFactory.withExactBigDecimals(true)).build();
      directory = new JdbiDirectory(db.jdbi());
      JdbiKeyStore keyStore = new JdbiKeyStore(db.jdbi());
      KeyCache cache = new KeyCache(keyStore, blocking, Duration.ofSeconds(30), Duration.ofSeconds(2), 1000);
      keys = new KeyService(keyStore, cache, new KeySecrets(new SecureRandom()), ids, clock);
      Sessions sessions = new Sessions(new JdbiSessionStore(db.jdbi()), SessionConfig.DEFAULTS, new SecureRandom(),
          clock);
      budgets = new LocalBudgetStore(new JdbiBudgetPersistence(db.jdbi()), BudgetListener.NONE, clock, ids,
          Duration.ofSeconds(1), Duration.ofMinutes(15));
      budgets.start();
      Guard guard = new Guard(new Policy());
      AdminAudit audit = new ChainedAudit(new AuditLog(db, AuditConfig.defaults(), ids, clock));
      List<AdminRoute> routes = new BudgetsApi(budgets, () -> configured, directory, keys, guard, audit, json).routes();
      AdminRoutes admin = new AdminRoutes(routes, new AdminAuthenticator(new Authenticator(new Secret(MASTER), cache,
          clock), keyStore, directory, sessions), new Async(blocking), json);
      Router router = Router.router(vertx);
      router.route().handler(new RequestIds(ids));
      admin.mount(router, RoutingContext::next, BodyHandler.create(false));
      server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();

      directory.insert(new Organization("acme", "acme", NOW));
      team("alpha", Organization.DEFAULT_ID);
      team("beta", Organization.DEFAULT_ID);
      team("acme-team", "acme");
      person("admin", Organization.DEFAULT_ID, Role.ADMIN, "alpha", Role.MEMBER);
      person("viewer", Organization.DEFAULT_ID, Role.VIEWER, "beta", Role.MEMBER);
      person("auditor", Organization.DEFAULT_ID, Role.AUDITOR, "beta", Role.MEMBER);
      person("team_admin", Organization.DEFAULT_ID, Role.MEMBER, "alpha", Role.TEAM_ADMIN);
      person("member", Organization.DEFAULT_ID, Role.MEMBER, "alpha", Role.MEMBER);
      person("outsider", Organization.DEFAULT_ID, Role.MEMBER, "beta", Role.MEMBER);
      person("acme_admin", "acme", Role.ADMIN, "acme-team", Role.MEMBER);
      secrets.put("master", MASTER);
    }

    void team(String id, String org) {
      directory.insert(new Team(id, org, id, Map.of(), NOW));
    }

    void person(String name, String org, Role role, String team, Role teamRole) {
      String id = "u-" + name;
      directory.insert(new User(id, org, name + "@example.com", Optional.empty(), role, Optional.empty(),
          Optional.empty(), NOW, NOW));
      directory.put(new Membership(team, id, teamRole, NOW));
      KeyService.Created key = keys.create(new KeyService.Spec("k", team, Optional.of(id), Set.of(), Optional.empty(),
          Map.of()));
      secrets.put(name, key.secret());
      keyIds.put(name, key.key().id());
      userIds.put(name, id);
    }

    HttpResponse<String> call(String as, String method, String path, String body) {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
          .header("Authorization", "Bearer " + secrets.get(as));
      if (body != null) {
        b.header("Content-Type", "application/json");
      }
      try {
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new IllegalStateException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    JsonNode ok(HttpResponse<String> r) {
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      return json(r);
    }

    /** Audit entries as "action actor org target before? after?". */
    List<String> audit() {
      return db.jdbi().withHandle(h -> h.createQuery("SELECT action, actor_id, org_id, target_type, target_id, "
              + "before_json, after_json FROM audit_log ORDER BY seq")
          .map((rs, ctx) -> String.join(" ", rs.getString("action"), rs.getString("actor_id"),
              String.valueOf(rs.getString("org_id")), rs.getString("target_type") + ":" + rs.getString("target_id"),
              rs.getString("before_json") == null ? "-" : "before", rs.getString("after_json") == null ? "-" : "after"))
          .list());
    }

    String auditJson(int index, String column) {
      return db.jdbi().withHandle(h -> h.createQuery("SELECT " + column + " FROM audit_log ORDER BY seq")
          .mapTo(String.class).list()).get(index);
    }

    @Override
    public void close() {
      server.close().await();
      vertx.close().await();
      budgets.close();
      blocking.close();
      db.close();
    }
  }

  private static JsonNode json(HttpResponse<String> r) {
    try {
      return new ObjectMapper().readTree(r.body());
    } catch (IOException e) {
      throw new IllegalStateException(r.body(), e);
    }
  }

  private static String body(String scope, String scopeId, String amount, String period, String thresholds) {
    return "{\"scope\":\"" + scope + "\",\"scope_id\":\"" + scopeId + "\",\"amount_usd\":" + amount
        + ",\"period\":\"" + period + "\"" + (thresholds == null ? "" : ",\"thresholds\":" + thresholds) + "}";
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void anAdminCreatesReadsReplacesAndDeletesABudgetWithLiveStatusAndAnAuditTrail(TestDatabases.Kind kind) {
    try (Harness h = new Harness(kind, Set.of())) {
      JsonNode created = h.ok(h.call("admin", "PUT", "/admin/v1/budgets/alpha-daily",
          body("team", "alpha", "\"10.50\"", "daily", "[25, 90]")));
      assertThat(created.get("id").asText()).isEqualTo("alpha-daily");
      assertThat(created.get("object").asText()).isEqualTo("budget");
      assertThat(created.get("scope").asText()).isEqualTo("team");
      assertThat(created.get("scope_id").asText()).isEqualTo("alpha");
      assertThat(created.get("amount_usd").asText()).isEqualTo("10.500000");
      assertThat(created.get("amount_micros").asLong()).isEqualTo(10_500_000);
      assertThat(created.get("period").asText()).isEqualTo("daily");
      assertThat(created.get("thresholds").toString()).isEqualTo("[25,90]");
      assertThat(created.get("managed_by").asText()).isEqualTo("api");
      assertThat(created.get("window_start").asText()).isEqualTo("2026-03-10T00:00:00Z");
      assertThat(created.get("resets_at").asText()).isEqualTo("2026-03-11T00:00:00Z");
      assertThat(created.get("spent_micros").asLong()).isZero();
      assertThat(created.get("remaining_usd").asText()).isEqualTo("10.500000");

      // The data plane's reservations and settlements show up in the status.
      BudgetRef ref = new BudgetRef("alpha-daily");
      Reservation settled = (Reservation) h.budgets.reserve(List.of(ref), 2_000_000, Duration.ofMinutes(5));
      h.budgets.reserve(List.of(ref), 3_000_000, Duration.ofMinutes(5));
      h.budgets.settle(settled.id(), 2_250_000); // 0.25 more than held: overrun
      JsonNode status = h.ok(h.call("admin", "GET", "/admin/v1/budgets/alpha-daily", null));
      assertThat(status.get("spent_micros").asLong()).isEqualTo(2_250_000);
      assertThat(status.get("spent_usd").asText()).isEqualTo("2.250000");
      assertThat(status.get("reserved_micros").asLong()).isEqualTo(3_000_000);
      assertThat(status.get("remaining_micros").asLong()).isEqualTo(10_500_000 - 2_250_000 - 3_000_000);
      assertThat(status.get("overrun_micros").asLong()).isEqualTo(250_000);
      assertThat(status.get("overrun_usd").asText()).isEqualTo("0.250000");

      // A new day: a new window.
      h.clock.advance(Duration.ofHours(9));
      JsonNode tomorrow = h.ok(h.call("admin", "GET", "/admin/v1/budgets/alpha-daily", null));
      assertThat(tomorrow.get("window_start").asText()).isEqualTo("2026-03-11T00:00:00Z");
      assertThat(tomorrow.get("spent_micros").asLong()).isZero();

      JsonNode replaced = h.ok(h.call("admin", "PUT", "/admin/v1/budgets/alpha-daily",
          body("team", "alpha", "100", "lifetime", null)));
      assertThat(replaced.get("amount_usd").asText()).isEqualTo("100.000000");
      assertThat(replaced.get("period").asText()).isEqualTo("lifetime");
      assertThat(replaced.get("resets_at").isNull()).isTrue();
      assertThat(replaced.get("thresholds").toString()).isEqualTo("[50,80,100]");
      assertThat(h.budgets.status(ref).orElseThrow().budget()).isEqualTo(new Budget("alpha-daily",
          BudgetScope.team("alpha"), 100_000_000, BudgetPeriod.LIFETIME));

      JsonNode listed = h.ok(h.call("admin", "GET", "/admin/v1/budgets", null));
      assertThat(listed.get("object").asText()).isEqualTo("list");
      assertThat(listed.get("data")).hasSize(1);
      assertThat(listed.at("/data/0/id").asText()).isEqualTo("alpha-daily");
      assertThat(listed.get("has_more").asBoolean()).isFalse();

      JsonNode deleted = h.ok(h.call("admin", "DELETE", "/admin/v1/budgets/alpha-daily", null));
      assertThat(deleted.get("deleted").asBoolean()).isTrue();
      assertThat(h.call("admin", "GET", "/admin/v1/budgets/alpha-daily", null).statusCode()).isEqualTo(404);
      assertThat(h.budgets.statuses()).isEmpty();
      assertThat(new JdbiBudgetPersistence(h.db.jdbi()).loadBudgets()).isEmpty();

      assertThat(h.audit()).containsExactly(
          "budget.create u-admin default budget:alpha-daily - after",
          "budget.update u-admin default budget:alpha-daily before after",
          "budget.delete u-admin default budget:alpha-daily before -");
      assertThat(h.auditJson(0, "after_json")).contains("\"amount_micros\":10500000", "\"scope_id\":\"alpha\"")
          .doesNotContain("spent");
      assertThat(h.auditJson(1, "before_json")).contains("\"period\":\"daily\"");
      assertThat(h.auditJson(1, "after_json")).contains("\"period\":\"lifetime\"");
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void invalidRequestsAre400NamingTheFieldAndStoreNothing(TestDatabases.Kind kind) {
    try (Harness h = new Harness(kind, Set.of())) {
      String key = h.keyIds.get("member");
      Map<String, String[]> cases = new java.util.LinkedHashMap<>();
      cases.put("unknown scope", new String[] {"b1", body("project", "alpha", "1", "daily", null), "scope"});
      cases.put("no scope_id", new String[] {"b1", "{\"scope\":\"team\",\"amount_usd\":1,\"period\":\"daily\"}",
          "scope_id"});
      cases.put("unknown team", new String[] {"b1", body("team", "nope", "1", "daily", null), "scope_id"});
      cases.put("another organisation's team", new String[] {"b1", body("team", "acme-team", "1", "daily", null),
          "scope_id"});
      cases.put("unknown key", new String[] {"b1", body("key", "k-nope", "1", "daily", null), "scope_id"});
      cases.put("no amount", new String[] {"b1", "{\"scope\":\"key\",\"scope_id\":\"" + key
          + "\",\"period\":\"daily\"}", "amount_usd"});
      cases.put("negative amount", new String[] {"b1", body("key", key, "-1", "daily", null), "amount_usd"});
      cases.put("seven decimals", new String[] {"b1", body("key", key, "\"0.0000001\"", "daily", null), "amount_usd"});
      cases.put("an amount that is no number", new String[] {"b1", body("key", key, "\"ten\"", "daily", null),
          "amount_usd"});
      cases.put("an amount past the maximum", new String[] {"b1", body("key", key, "1000000001", "daily", null),
          "amount_usd"});
      cases.put("a boolean amount", new String[] {"b1", body("key", key, "true", "daily", null), "amount_usd"});
      cases.put("unknown period", new String[] {"b1", body("key", key, "1", "hourly", null), "period"});
      cases.put("descending thresholds", new String[] {"b1", body("key", key, "1", "daily", "[80, 50]"),
          "thresholds"});
      cases.put("a zero threshold", new String[] {"b1", body("key", key, "1", "daily", "[0]"), "thresholds"});
      cases.put("a threshold past 100", new String[] {"b1", body("key", key, "1", "daily", "[101]"), "thresholds"});
      cases.put("a fractional threshold", new String[] {"b1", body("key", key, "1", "daily", "[50.5]"), "thresholds"});
      cases.put("thresholds that are no list", new String[] {"b1", body("key", key, "1", "daily", "50"),
          "thresholds"});
      cases.put("an unknown field", new String[] {"b1", "{\"scope\":\"key\",\"scope_id\":\"" + key
          + "\",\"amount_usd\":1,\"period\":\"daily\",\"currency\":\"EUR\"}", "currency"});
      cases.put("a bad id", new String[] {"-bad", body("key", key, "1", "daily", null), "id"});
      for (var c : cases.entrySet()) {
        HttpResponse<String> r = h.call("admin", "PUT", "/admin/v1/budgets/" + c.getValue()[0], c.getValue()[1]);
        assertThat(r.statusCode()).as(c.getKey() + ": " + r.body()).isEqualTo(400);
        JsonNode error = json(r).get("error");
        assertThat(error.get("type").asText()).as(c.getKey()).isEqualTo("invalid_request_error");
        assertThat(error.get("param").asText()).as(c.getKey()).isEqualTo(c.getValue()[2]);
        assertThat(error.get("message").asText()).as(c.getKey()).isNotBlank();
        assertThat(r.headers().firstValue("x-request-id")).as(c.getKey()).isPresent();
      }
      assertThat(h.call("admin", "PUT", "/admin/v1/budgets/b1", "not json").statusCode()).isEqualTo(400);
      HttpResponse<String> badFilter = h.call("admin", "GET", "/admin/v1/budgets?scope=project", null);
      assertThat(badFilter.statusCode()).isEqualTo(400);
      assertThat(json(badFilter).at("/error/param").asText()).isEqualTo("scope");

      assertThat(h.budgets.statuses()).isEmpty();
      assertThat(new JdbiBudgetPersistence(h.db.jdbi()).loadBudgets()).isEmpty();
      assertThat(h.audit()).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void budgetsDeclaredInTheConfigurationAreReadOnly(TestDatabases.Kind kind) {
    try (Harness h = new Harness(kind, Set.of("cfg-team", "cfg-other"))) {
      Budget declared = new Budget("cfg-team", BudgetScope.team("alpha"), 5_000_000, BudgetPeriod.MONTHLY);
      h.budgets.define(declared);

      JsonNode read = h.ok(h.call("admin", "GET", "/admin/v1/budgets/cfg-team", null));
      assertThat(read.get("managed_by").asText()).isEqualTo("config");
      assertThat(read.get("resets_at").asText()).isEqualTo("2026-04-01T00:00:00Z");
      for (HttpResponse<String> r : List.of(
          h.call("admin", "PUT", "/admin/v1/budgets/cfg-team", body("team", "alpha", "9", "daily", null)),
          h.call("master", "PUT", "/admin/v1/budgets/cfg-team", body("team", "beta", "9", "daily", null)),
          h.call("admin", "DELETE", "/admin/v1/budgets/cfg-team", null))) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
        assertThat(json(r).at("/error/message").asText()).contains("configuration file (budgets.limits)");
      }
      // A configured id not defined (yet) is refused too: the file would overwrite it at the next start.
      assertThat(h.call("admin", "PUT", "/admin/v1/budgets/cfg-other", body("team", "alpha", "9", "daily", null))
          .statusCode()).isEqualTo(409);
      assertThat(h.budgets.statuses()).hasSize(1);
      assertThat(h.budgets.status(declared.ref()).orElseThrow().budget()).isEqualTo(declared);
      assertThat(h.audit()).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void eachCallerSeesTheBudgetsWhoseSpendTheyMayReadAndOnlyAdminsChangeThem(TestDatabases.Kind kind) {
    try (Harness h = new Harness(kind, Set.of())) {
      Map<String, BudgetScope> on = new java.util.LinkedHashMap<>();
      on.put("org", BudgetScope.organization(Organization.DEFAULT_ID));
      on.put("alpha", BudgetScope.team("alpha"));
      on.put("beta", BudgetScope.team("beta"));
      on.put("member-user", BudgetScope.user(h.userIds.get("member")));
      on.put("member-key", BudgetScope.key(h.keyIds.get("member")));
      on.put("outsider-key", BudgetScope.key(h.keyIds.get("outsider")));
      on.put("acme", BudgetScope.organization("acme"));
      on.put("gone-key", BudgetScope.key("k-deleted"));
      on.forEach((id, scope) -> h.budgets.define(new Budget(id, scope, 1_000_000, BudgetPeriod.DAILY)));

      Set<String> defaultOrg = Set.of("org", "alpha", "beta", "member-user", "member-key", "outsider-key");
      Map<String, Set<String>> sees = Map.of(
          "master", on.keySet(),
          "admin", defaultOrg,
          "viewer", defaultOrg,
          "auditor", defaultOrg,
          "team_admin", Set.of("alpha", "member-user", "member-key"),
          "member", Set.of("member-user", "member-key"),
          "outsider", Set.of("outsider-key"),
          "acme_admin", Set.of("acme"));
      for (var caller : sees.entrySet()) {
        JsonNode list = h.ok(h.call(caller.getKey(), "GET", "/admin/v1/budgets", null));
        Set<String> listed = new TreeSet<>();
        list.get("data").forEach(b -> listed.add(b.get("id").asText()));
        assertThat(listed).as(caller.getKey() + " lists").isEqualTo(new TreeSet<>(caller.getValue()));
        for (String id : on.keySet()) {
          int status = h.call(caller.getKey(), "GET", "/admin/v1/budgets/" + id, null).statusCode();
          assertThat(status).as(caller.getKey() + " gets " + id).isEqualTo(caller.getValue().contains(id) ? 200 : 404);
        }
      }
      JsonNode keys = h.ok(h.call("admin", "GET", "/admin/v1/budgets?scope=key", null));
      List<String> keyBudgets = new ArrayList<>();
      keys.get("data").forEach(b -> keyBudgets.add(b.get("id").asText()));
      assertThat(keyBudgets).containsExactly("member-key", "outsider-key");
      JsonNode one = h.ok(h.call("admin", "GET", "/admin/v1/budgets?scope_id=beta", null));
      assertThat(one.get("data")).hasSize(1);

      // Writing: organisation admins only, in their own organisation; a reader is told 403, others 404.
      String alpha = body("team", "alpha", "2", "weekly", null);
      assertThat(h.call("team_admin", "PUT", "/admin/v1/budgets/alpha", alpha).statusCode()).isEqualTo(403);
      assertThat(h.call("viewer", "PUT", "/admin/v1/budgets/alpha", alpha).statusCode()).isEqualTo(403);
      assertThat(h.call("member", "PUT", "/admin/v1/budgets/alpha", alpha).statusCode()).isEqualTo(403);
      assertThat(h.call("acme_admin", "PUT", "/admin/v1/budgets/alpha", alpha).statusCode()).isEqualTo(400);
      assertThat(h.call("acme_admin", "PUT", "/admin/v1/budgets/alpha",
          body("team", "acme-team", "2", "weekly", null)).statusCode()).as("taking over another organisation's budget")
          .isEqualTo(404);
      assertThat(h.call("team_admin", "DELETE", "/admin/v1/budgets/alpha", null).statusCode()).isEqualTo(403);
      assertThat(h.call("outsider", "DELETE", "/admin/v1/budgets/alpha", null).statusCode()).isEqualTo(404);
      assertThat(h.call("admin", "DELETE", "/admin/v1/budgets/gone-key", null).statusCode()).isEqualTo(404);
      assertThat(h.budgets.statuses()).hasSize(on.size());
      assertThat(h.audit()).isEmpty();

      assertThat(h.ok(h.call("acme_admin", "PUT", "/admin/v1/budgets/acme-team",
          body("team", "acme-team", "2", "weekly", null))).get("scope_id").asText()).isEqualTo("acme-team");
      assertThat(h.ok(h.call("master", "DELETE", "/admin/v1/budgets/gone-key", null)).get("deleted").asBoolean())
          .isTrue();
      assertThat(h.audit()).containsExactly("budget.create u-acme_admin acme budget:acme-team - after",
          "budget.delete master null budget:gone-key before -");
    }
  }
}
