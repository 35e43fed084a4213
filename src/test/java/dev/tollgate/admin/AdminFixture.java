package dev.tollgate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.testing.TestGateway;
import java.net.http.HttpResponse;
import java.util.UUID;

/**
 * An organisation set up through the admin API as the master key: teams alpha and beta and ops, a
 * person in each role with their own key, and helpers to make fresh objects for tests that change them.
 *
 * <p>alpha: team_admin (team admin), member and admin (members). beta: outsider (member). ops: viewer
 * and auditor (members, so they can hold keys).
 */
final class AdminFixture {
  static final String MASTER = TestGateway.MASTER_KEY;
  /** 32 bytes, base64: what TOLLGATE_ENCRYPTION_KEY holds. */
  static final String ENCRYPTION_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
  /** Long, uncommon, free of any test email: passes the password policy. */
  static final String PASSWORD = "amber-kettle-Orbit-7-quietly";

  final TestGateway gateway;
  final String alpha;
  final String beta;
  final String ops;
  final Person admin;
  final Person teamAdmin;
  final Person member;
  final Person viewer;
  final Person auditor;
  final Person outsider;
  final String revokedKey;

  /** A user, their key's secret and the key's id. */
  record Person(String userId, String secret, String keyId) {}

  AdminFixture(TestGateway gateway) {
    this.gateway = gateway;
    alpha = team("alpha-" + suffix());
    beta = team("beta-" + suffix());
    ops = team("ops-" + suffix());
    admin = person("admin", alpha, "member");
    teamAdmin = person("member", alpha, "team_admin");
    member = person("member", alpha, "member");
    viewer = person("viewer", ops, "member");
    auditor = person("auditor", ops, "member");
    outsider = person("member", beta, "member");
    Person revoked = person("member", alpha, "member");
    ok(gateway.call("DELETE", "/admin/v1/keys/" + revoked.keyId(), MASTER, null), 200);
    revokedKey = revoked.secret();
  }

  static String suffix() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  String team(String name) {
    return id(ok(gateway.call("POST", "/admin/v1/teams", MASTER, "{\"name\":\"" + name + "\"}"), 201));
  }

  String user(String role) {
    return id(ok(gateway.call("POST", "/admin/v1/users", MASTER,
        "{\"email\":\"" + role + "-" + suffix() + "@example.com\",\"role\":\"" + role + "\"}"), 201));
  }

  void join(String team, String user, String role) {
    ok(gateway.call("PUT", "/admin/v1/teams/" + team + "/members/" + user, MASTER, "{\"role\":\"" + role + "\"}"),
        200);
  }

  /** A new user of {@code orgRole} in {@code team} with {@code teamRole}, and a key of theirs in that team. */
  Person person(String orgRole, String team, String teamRole) {
    String user = user(orgRole);
    join(team, user, teamRole);
    JsonNode key = json(ok(gateway.call("POST", "/admin/v1/keys", MASTER,
        "{\"name\":\"k\",\"team_id\":\"" + team + "\",\"user_id\":\"" + user + "\"}"), 201));
    return new Person(user, key.get("key").asText(), key.get("id").asText());
  }

  /** A new key of {@code user} in {@code team}; returns its id. */
  String keyOf(String user, String team) {
    return id(ok(gateway.call("POST", "/admin/v1/keys", MASTER,
        "{\"name\":\"k\",\"team_id\":\"" + team + "\",\"user_id\":\"" + user + "\"}"), 201));
  }

  /** A new budget of 100 USD a month on the entity, made by the master key; returns its id. */
  String budget(String scope, String scopeId) {
    String id = "b-" + suffix();
    ok(gateway.call("PUT", "/admin/v1/budgets/" + id, MASTER, "{\"scope\":\"" + scope + "\",\"scope_id\":\""
        + scopeId + "\",\"amount_usd\":100,\"period\":\"monthly\"}"), 200);
    return id;
  }

  static HttpResponse<String> ok(HttpResponse<String> r, int status) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return r;
  }

  static JsonNode json(HttpResponse<String> r) {
    return TestGateway.json(r.body());
  }

  static String id(HttpResponse<String> r) {
    return json(r).get("id").asText();
  }
}
