package dev.tollgate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.testing.TestGateway;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A team admin of alpha against team beta, and an admin of another organisation against everything
 * here: nothing of the other tenant can be read or changed, by guessing ids or by filters.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantIsolationTest {
  private TestGateway gateway;
  private AdminFixture f;
  private String betaKey;
  private String otherOrgAdmin;

  @BeforeAll
  void start() {
    gateway = TestGateway.start("""
        providers:
          - { name: demo, type: mock }
        models:
          - name: m
            deployments: [ { provider: demo, model: mock-model } ]
        """, "");
    f = new AdminFixture(gateway);
    betaKey = f.keyOf(f.outsider.userId(), f.beta);
    // Usage in both teams.
    for (String secret : List.of(f.member.secret(), f.outsider.secret())) {
      assertThat(gateway.post("/v1/chat/completions", secret,
          "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").statusCode()).isEqualTo(200);
    }
    gateway.awaitUsageSettled();
    String org = AdminFixture.id(AdminFixture.ok(gateway.call("POST", "/admin/v1/organizations", AdminFixture.MASTER,
        "{\"name\":\"other-" + AdminFixture.suffix() + "\"}"), 201));
    String team = AdminFixture.id(AdminFixture.ok(gateway.call("POST", "/admin/v1/teams", AdminFixture.MASTER,
        "{\"name\":\"them\",\"org_id\":\"" + org + "\"}"), 201));
    String admin = AdminFixture.id(AdminFixture.ok(gateway.call("POST", "/admin/v1/users", AdminFixture.MASTER,
        "{\"email\":\"boss-" + AdminFixture.suffix() + "@other.example\",\"role\":\"admin\",\"org_id\":\"" + org
            + "\"}"), 201));
    f.join(team, admin, "member");
    otherOrgAdmin = AdminFixture.json(AdminFixture.ok(gateway.call("POST", "/admin/v1/keys", AdminFixture.MASTER,
        "{\"name\":\"k\",\"team_id\":\"" + team + "\",\"user_id\":\"" + admin + "\"}"), 201)).get("key").asText();
  }

  @AfterAll
  void stop() {
    gateway.close();
  }

  private HttpResponse<String> as(String secret, String method, String path, String body) {
    return gateway.call(method, path, secret, body);
  }

  private static List<String> ids(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<String> out = new ArrayList<>();
    for (JsonNode item : AdminFixture.json(r).get("data")) {
      out.add(item.has("id") ? item.get("id").asText() : item.get("user_id").asText());
    }
    return out;
  }

  @Test
  void aTeamAdminCannotReachAnotherTeamsKeysByIdOrFilter() {
    String me = f.teamAdmin.secret();
    for (String[] call : new String[][] {
        {"GET", "/admin/v1/keys/" + betaKey, null},
        {"DELETE", "/admin/v1/keys/" + betaKey, null},
        {"POST", "/admin/v1/keys/" + betaKey + "/rotate", "{}"},
        {"POST", "/admin/v1/keys", "{\"name\":\"x\",\"team_id\":\"" + f.beta + "\",\"service_account\":true}"}}) {
      HttpResponse<String> r = as(me, call[0], call[1], call[2]);
      assertThat(r.statusCode()).as(call[0] + " " + call[1] + ": " + r.body()).isEqualTo(404);
    }
    assertThat(ids(as(me, "GET", "/admin/v1/keys?team_id=" + f.beta, null))).isEmpty();
    assertThat(ids(as(me, "GET", "/admin/v1/keys?user_id=" + f.outsider.userId(), null))).isEmpty();
    assertThat(ids(as(me, "GET", "/admin/v1/keys?limit=200", null))).contains(f.member.keyId())
        .doesNotContain(betaKey, f.outsider.keyId(), f.viewer.keyId());
    // Nothing changed: the beta key still works.
    assertThat(AdminFixture.json(as(AdminFixture.MASTER, "GET", "/admin/v1/keys/" + betaKey, null))
        .get("status").asText()).isEqualTo("active");
  }

  @Test
  void aTeamAdminCannotReachAnotherTeamsUsersOrMembers() {
    String me = f.teamAdmin.secret();
    assertThat(as(me, "GET", "/admin/v1/users/" + f.outsider.userId(), null).statusCode()).isEqualTo(404);
    assertThat(as(me, "GET", "/admin/v1/teams/" + f.beta, null).statusCode()).isEqualTo(404);
    assertThat(as(me, "GET", "/admin/v1/teams/" + f.beta + "/members", null).statusCode()).isEqualTo(404);
    assertThat(as(me, "PUT", "/admin/v1/teams/" + f.beta + "/members/" + f.teamAdmin.userId(),
        "{\"role\":\"team_admin\"}").statusCode()).isEqualTo(404);
    assertThat(as(me, "DELETE", "/admin/v1/teams/" + f.beta + "/members/" + f.outsider.userId(), null).statusCode())
        .isEqualTo(404);
    assertThat(ids(as(me, "GET", "/admin/v1/users?team_id=" + f.beta, null))).isEmpty();
    assertThat(ids(as(me, "GET", "/admin/v1/users?limit=200", null))).contains(f.member.userId())
        .doesNotContain(f.outsider.userId(), f.viewer.userId());
    assertThat(ids(as(me, "GET", "/admin/v1/teams", null))).containsExactly(f.alpha);
    // And they cannot make themselves more than a team admin.
    assertThat(as(me, "PATCH", "/admin/v1/users/" + f.teamAdmin.userId(), "{\"role\":\"admin\"}").statusCode())
        .isEqualTo(403);
  }

  @Test
  void usageIsScopedToWhatTheRoleMaySee() {
    String teamAdmin = export(f.teamAdmin.secret(), "");
    assertThat(teamAdmin).contains(f.member.keyId()).doesNotContain(f.outsider.keyId());
    assertThat(export(f.teamAdmin.secret(), "?team_id=" + f.beta)).isEmpty();
    assertThat(export(f.teamAdmin.secret(), "?key_id=" + f.outsider.keyId())).isEmpty();
    assertThat(export(f.member.secret(), "")).contains(f.member.keyId()).doesNotContain(f.outsider.keyId());
    assertThat(export(f.viewer.secret(), "")).contains(f.member.keyId(), f.outsider.keyId());
    assertThat(export(otherOrgAdmin, "")).isEmpty();
  }

  private String export(String secret, String query) {
    HttpResponse<String> r = as(secret, "GET", "/admin/v1/usage/export" + query, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body();
  }

  @Test
  void anotherOrganisationsAdminSeesNothingHere() {
    String them = otherOrgAdmin;
    assertThat(as(them, "GET", "/admin/v1/keys/" + f.member.keyId(), null).statusCode()).isEqualTo(404);
    assertThat(as(them, "GET", "/admin/v1/users/" + f.member.userId(), null).statusCode()).isEqualTo(404);
    assertThat(as(them, "GET", "/admin/v1/teams/" + f.alpha, null).statusCode()).isEqualTo(404);
    assertThat(as(them, "GET", "/admin/v1/organizations/default", null).statusCode()).isEqualTo(404);
    assertThat(as(them, "PATCH", "/admin/v1/users/" + f.member.userId(), "{\"role\":\"admin\"}").statusCode())
        .isEqualTo(404);
    assertThat(as(them, "POST", "/admin/v1/teams", "{\"name\":\"sneaky\",\"org_id\":\"default\"}").statusCode())
        .isEqualTo(404);
    assertThat(as(them, "PUT", "/admin/v1/teams/" + f.alpha + "/members/" + f.member.userId(),
        "{\"role\":\"team_admin\"}").statusCode()).isEqualTo(404);
    assertThat(ids(as(them, "GET", "/admin/v1/keys?team_id=" + f.alpha, null))).isEmpty();
    assertThat(ids(as(them, "GET", "/admin/v1/users?limit=200", null))).doesNotContain(f.member.userId());
    assertThat(ids(as(them, "GET", "/admin/v1/organizations", null))).doesNotContain("default");
  }
}
