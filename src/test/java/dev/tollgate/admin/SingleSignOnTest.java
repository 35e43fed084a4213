package dev.tollgate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.testing.TestGateway;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Single sign-on through the gateway against a real OIDC server (mock-oauth2-server), driven as a
 * browser: the first sign-in provisions the user with the roles and teams their groups map to, a
 * group change is applied at the next sign-in, and refusals (a disallowed domain, a replayed state)
 * start no session and are audited.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SingleSignOnTest {
  private static final String ISSUER_ID = "corp";
  private final HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private MockOAuth2Server idp;
  private TestGateway gateway;

  @BeforeAll
  void start() throws Exception {
    idp = new MockOAuth2Server();
    idp.start(InetAddress.getByName("127.0.0.1"), 0);
    gateway = TestGateway.start("""
        providers:
          - { name: demo, type: mock }
        models:
          - name: m
            deployments: [ { provider: demo, model: mock-model } ]
        """, """
        auth:
          master_key: "%s"
          oidc:
            issuer: "%s"
            client_id: "tollgate-console"
            client_secret: "console-secret-value"
            redirect_uri: "http://127.0.0.1:9/auth/oidc/callback"
            group_roles: { leads: [admin], ops: [team_admin], eng: [member] }
            group_teams: { ops: [platform], eng: [search] }
            allowed_domains: [example.com]
        """.formatted(TestGateway.MASTER_KEY, idp.issuerUrl(ISSUER_ID)));
    gateway.secret("console-secret-value");
  }

  @AfterAll
  void stop() {
    gateway.close();
    idp.shutdown();
    browser.close();
  }

  private HttpResponse<String> get(URI uri, String cookie) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET();
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return browser.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Start -> provider -> callback, as a browser: returns the callback's answer. */
  private HttpResponse<String> signIn(String subject, String email, List<String> groups) throws Exception {
    Map<String, Object> claims = new HashMap<>();
    claims.put("email", email);
    claims.put("email_verified", true);
    claims.put("name", "Grace Hopper");
    claims.put("groups", groups);
    idp.enqueueCallback(new DefaultOAuth2TokenCallback(ISSUER_ID, subject, "JWT", null, claims, 3600));
    return callback(authorize());
  }

  /** The provider's redirect back to the gateway (the configured redirect URI, pointed at the test gateway). */
  private URI authorize() throws Exception {
    HttpResponse<String> start = get(URI.create(gateway.baseUrl() + "/auth/oidc/start?return_to=/console"), null);
    assertThat(start.statusCode()).as(start.body()).isEqualTo(302);
    URI toProvider = URI.create(start.headers().firstValue("location").orElseThrow());
    assertThat(toProvider.toString()).startsWith(idp.issuerUrl(ISSUER_ID).toString())
        .contains("code_challenge_method=S256", "state=", "nonce=");
    HttpResponse<String> atProvider = get(toProvider, null);
    assertThat(atProvider.statusCode()).isEqualTo(302);
    URI back = URI.create(atProvider.headers().firstValue("location").orElseThrow());
    return URI.create(gateway.baseUrl() + back.getRawPath() + "?" + back.getRawQuery());
  }

  private HttpResponse<String> callback(URI uri) throws Exception {
    return get(uri, null);
  }

  private static String cookie(HttpResponse<String> r) {
    String header = r.headers().firstValue("set-cookie").orElseThrow();
    return header.substring(0, header.indexOf(';'));
  }

  private JsonNode me(String cookie) throws Exception {
    HttpResponse<String> r = get(URI.create(gateway.baseUrl() + "/admin/v1/me"), cookie);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return TestGateway.json(r.body());
  }

  private Map<String, String> teamsByName(JsonNode me) {
    Map<String, String> out = new HashMap<>();
    for (JsonNode t : me.get("teams")) {
      String name = TestGateway.json(gateway.request("GET", "/admin/v1/teams/" + t.get("team_id").asText(),
          TestGateway.MASTER_KEY).body()).get("name").asText();
      out.put(name, t.get("role").asText());
    }
    return out;
  }

  @Test
  void theFirstSignInProvisionsTheUserAndTheNextAppliesTheirCurrentGroups() throws Exception {
    HttpResponse<String> first = signIn("grace-1", "grace@example.com", List.of("eng", "ops", "unmapped"));
    assertThat(first.statusCode()).as(first.body()).isEqualTo(302);
    assertThat(first.headers().firstValue("location")).contains("/console");
    assertThat(first.headers().firstValue("set-cookie").orElseThrow()).contains("HttpOnly", "SameSite=Lax");
    JsonNode me = me(cookie(first));
    assertThat(me.get("via").asText()).isEqualTo("session");
    assertThat(me.at("/user/email").asText()).isEqualTo("grace@example.com");
    assertThat(me.at("/user/role").asText()).isEqualTo("member");
    assertThat(me.at("/user/sso").asBoolean()).isTrue();
    assertThat(teamsByName(me)).isEqualTo(Map.of("search", "member", "platform", "team_admin"));

    // Removed from ops, added to leads at the provider: the next sign-in says so, and nothing else does.
    HttpResponse<String> second = signIn("grace-1", "grace@example.com", List.of("eng", "leads"));
    assertThat(second.statusCode()).as(second.body()).isEqualTo(302);
    JsonNode again = me(cookie(second));
    assertThat(again.at("/user/id").asText()).isEqualTo(me.at("/user/id").asText());
    assertThat(again.at("/user/role").asText()).isEqualTo("admin");
    assertThat(teamsByName(again)).isEqualTo(Map.of("search", "member"));

    String audit = gateway.request("GET", "/admin/v1/audit?target_id=" + me.at("/user/id").asText() + "&limit=50",
        TestGateway.MASTER_KEY).body();
    assertThat(audit).contains("signin.success", "role.change", "membership.sync");
    assertThat(audit).doesNotContain("console-secret-value");
  }

  @Test
  void aDisallowedDomainStartsNoSession() throws Exception {
    HttpResponse<String> refused = signIn("mallory", "mallory@elsewhere.test", List.of("leads"));
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.headers().firstValue("set-cookie")).isEmpty();
    assertThat(TestGateway.json(refused.body()).at("/error/code").asText()).isEqualTo("sign_in_refused");
    assertThat(gateway.request("GET", "/admin/v1/users?email=mallory@elsewhere.test", TestGateway.MASTER_KEY).body())
        .contains("\"data\":[]");
  }

  @Test
  void aReplayedCallbackIsRefused() throws Exception {
    Map<String, Object> claims = Map.of("email", "ada@example.com", "email_verified", true, "groups", List.of("eng"));
    idp.enqueueCallback(new DefaultOAuth2TokenCallback(ISSUER_ID, "ada", "JWT", null, claims, 3600));
    URI back = authorize();
    assertThat(callback(back).statusCode()).isEqualTo(302);
    HttpResponse<String> replay = callback(back);
    assertThat(replay.statusCode()).isEqualTo(401);
    assertThat(replay.headers().firstValue("set-cookie")).isEmpty();
    String failures = gateway.request("GET", "/admin/v1/audit?action=signin.failure&limit=50", TestGateway.MASTER_KEY)
        .body();
    assertThat(failures).contains("state");
  }
}
