package dev.tollgate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.access.local.TotpCodes;
import dev.tollgate.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Local accounts through the gateway, as a browser uses them: password, TOTP and recovery codes,
 * lockout, the session cookie and its CSRF token, sign-out, and a disabled user's sessions; every
 * attempt in the audit log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SignInTest {
  private TestGateway gateway;
  private AdminFixture f;

  @BeforeAll
  void start() {
    gateway = TestGateway.start("""
        providers:
          - { name: demo, type: mock }
        models:
          - name: m
            deployments: [ { provider: demo, model: mock-model } ]
        """, """
        secrets: { encryption_key: "%s" }
        auth:
          master_key: "%s"
          sessions: { secure_cookie: true }
          local: { lockout: { max_failures: 3, initial: 30s } }
        """.formatted(AdminFixture.ENCRYPTION_KEY, TestGateway.MASTER_KEY));
    f = new AdminFixture(gateway);
  }

  @AfterAll
  void stop() {
    gateway.close();
  }

  /** A user with a password; returns their email. */
  private String userWithPassword(String userId) {
    AdminFixture.ok(gateway.call("PUT", "/admin/v1/users/" + userId + "/password", AdminFixture.MASTER,
        "{\"password\":\"" + AdminFixture.PASSWORD + "\"}"), 200);
    return AdminFixture.json(gateway.call("GET", "/admin/v1/users/" + userId, AdminFixture.MASTER, null))
        .get("email").asText();
  }

  private HttpResponse<String> login(String email, String password, String code) {
    String body = "{\"email\":\"" + email + "\",\"password\":\"" + password + "\""
        + (code == null ? "" : ",\"code\":\"" + code + "\"") + "}";
    return gateway.post("/auth/login", null, body);
  }

  /** The session cookie's value from a login answer. */
  private static String cookie(HttpResponse<String> r) {
    String header = r.headers().firstValue("set-cookie").orElseThrow();
    return header.substring(0, header.indexOf(';'));
  }

  private HttpResponse<String> withSession(String method, String path, String cookie, String csrf, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path))
        .timeout(Duration.ofSeconds(30)).header("Cookie", cookie)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (csrf != null) {
      b.header("X-CSRF-Token", csrf);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return gateway.send(b.build());
  }

  @Test
  void aPasswordOpensASessionThatActsAsThePersonAndNeedsItsCsrfTokenToChangeThings() {
    String email = userWithPassword(f.member.userId());
    HttpResponse<String> wrong = login(email, "not-the-password-at-all", null);
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(AdminFixture.json(wrong).at("/error/code").asText()).isEqualTo("invalid_credentials");
    assertThat(wrong.headers().firstValue("set-cookie")).isEmpty();

    HttpResponse<String> in = login(email, AdminFixture.PASSWORD, null);
    assertThat(in.statusCode()).as(in.body()).isEqualTo(200);
    String setCookie = in.headers().firstValue("set-cookie").orElseThrow();
    assertThat(setCookie).startsWith("tollgate_session=").contains("HttpOnly", "SameSite=Lax", "Secure", "Path=/");
    String csrf = AdminFixture.json(in).get("csrf_token").asText();
    assertThat(in.body()).doesNotContain(cookie(in).substring("tollgate_session=".length()));

    HttpResponse<String> me = withSession("GET", "/admin/v1/me", cookie(in), null, null);
    assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
    assertThat(AdminFixture.json(me).get("via").asText()).isEqualTo("session");
    assertThat(AdminFixture.json(me).at("/user/id").asText()).isEqualTo(f.member.userId());

    String create = "{\"name\":\"from-console\",\"team_id\":\"" + f.alpha + "\"}";
    HttpResponse<String> noToken = withSession("POST", "/admin/v1/keys", cookie(in), null, create);
    assertThat(noToken.statusCode()).isEqualTo(403);
    assertThat(AdminFixture.json(noToken).at("/error/code").asText()).isEqualTo("csrf_failed");
    assertThat(withSession("POST", "/admin/v1/keys", cookie(in), "forged", create).statusCode()).isEqualTo(403);
    HttpResponse<String> created = withSession("POST", "/admin/v1/keys", cookie(in), csrf, create);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(AdminFixture.json(created).get("user_id").asText()).isEqualTo(f.member.userId());

    HttpResponse<String> forged = gateway.post("/auth/logout", null, "{}", "Cookie", cookie(in));
    assertThat(forged.statusCode()).as("sign-out without the CSRF token").isEqualTo(403);
    assertThat(withSession("GET", "/admin/v1/me", cookie(in), null, null).statusCode()).isEqualTo(200);
    HttpResponse<String> out = gateway.post("/auth/logout", null, "{}", "Cookie", cookie(in), "X-CSRF-Token", csrf);
    assertThat(out.statusCode()).isEqualTo(200);
    assertThat(out.headers().firstValue("set-cookie").orElseThrow()).contains("Max-Age=0");
    HttpResponse<String> after = withSession("GET", "/admin/v1/me", cookie(in), null, null);
    assertThat(after.statusCode()).isEqualTo(401);
    assertThat(AdminFixture.json(after).at("/error/code").asText()).isEqualTo("session_expired");
  }

  @Test
  void totpIsRequiredOnceEnrolledAndARecoveryCodeWorksOnce() {
    String email = userWithPassword(f.viewer.userId());
    HttpResponse<String> in = login(email, AdminFixture.PASSWORD, null);
    String cookie = cookie(in);
    String csrf = AdminFixture.json(in).get("csrf_token").asText();
    JsonNode begun = AdminFixture.json(withSession("POST", "/admin/v1/me/totp", cookie, csrf, null));
    String secret = begun.get("secret").asText();
    assertThat(begun.get("otpauth_uri").asText()).startsWith("otpauth://totp/").contains("secret=" + secret);
    HttpResponse<String> badConfirm = withSession("POST", "/admin/v1/me/totp/confirm", cookie, csrf,
        "{\"code\":\"000000\"}");
    assertThat(badConfirm.statusCode()).isIn(400);
    JsonNode confirmed = AdminFixture.json(withSession("POST", "/admin/v1/me/totp/confirm", cookie, csrf,
        "{\"code\":\"" + TotpCodes.now(secret) + "\"}"));
    assertThat(confirmed.get("enabled").asBoolean()).isTrue();
    List<String> recovery = new ArrayList<>();
    confirmed.get("recovery_codes").forEach(c -> recovery.add(c.asText()));
    assertThat(recovery).hasSize(10).doesNotHaveDuplicates();

    HttpResponse<String> passwordOnly = login(email, AdminFixture.PASSWORD, null);
    assertThat(passwordOnly.statusCode()).isEqualTo(401);
    assertThat(AdminFixture.json(passwordOnly).at("/error/code").asText()).isEqualTo("second_factor_required");
    // The confirmation used this step's code: a replay of it is refused, the next step's is accepted.
    assertThat(login(email, AdminFixture.PASSWORD, TotpCodes.now(secret)).statusCode()).isEqualTo(401);
    assertThat(login(email, AdminFixture.PASSWORD, TotpCodes.at(secret, 1)).statusCode()).isEqualTo(200);

    assertThat(login(email, AdminFixture.PASSWORD, recovery.get(3)).statusCode()).isEqualTo(200);
    assertThat(login(email, AdminFixture.PASSWORD, recovery.get(3)).statusCode()).isEqualTo(401);
    assertThat(login(email, AdminFixture.PASSWORD, recovery.get(4)).statusCode()).isEqualTo(200);
  }

  @Test
  void aMalformedBodyIsRefusedWithoutQuotingIt() {
    HttpResponse<String> r = gateway.post("/auth/login", null, "{\"email\":\"a@example.com\",\"password\":hunter2secret}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(AdminFixture.json(r).at("/error/code").asText()).isEqualTo("invalid_json");
    assertThat(r.body()).contains("line 1").doesNotContain("hunter2secret");
  }

  @Test
  void repeatedFailuresLockTheAccountEvenForTheRightPassword() {
    String email = userWithPassword(f.auditor.userId());
    for (int i = 0; i < 2; i++) {
      assertThat(login(email, "wrong-password-number-" + i, null).statusCode()).isEqualTo(401);
    }
    // The third failure locks: it is answered as such.
    assertThat(login(email, "wrong-password-number-2", null).statusCode()).isEqualTo(429);
    HttpResponse<String> locked = login(email, AdminFixture.PASSWORD, null);
    assertThat(locked.statusCode()).isEqualTo(429);
    assertThat(AdminFixture.json(locked).at("/error/code").asText()).isEqualTo("account_locked");
    assertThat(Long.parseLong(locked.headers().firstValue("retry-after").orElseThrow())).isBetween(1L, 31L);
    // An unknown account locks the same way: a lock does not tell whether the account exists.
    for (int i = 0; i < 2; i++) {
      assertThat(login("nobody@example.com", "wrong-password-number-" + i, null).statusCode()).isEqualTo(401);
    }
    assertThat(login("nobody@example.com", "wrong-password-number-2", null).statusCode()).isEqualTo(429);
    assertThat(login("nobody@example.com", "anything-at-all-here", null).statusCode()).isEqualTo(429);
  }

  @Test
  void disablingAUserEndsTheirSessionsAndStopsTheirKeysUntilEnabledAgain() {
    String user = f.user("member");
    f.join(f.alpha, user, "member");
    String key = AdminFixture.json(AdminFixture.ok(gateway.call("POST", "/admin/v1/keys", AdminFixture.MASTER,
        "{\"name\":\"k\",\"team_id\":\"" + f.alpha + "\",\"user_id\":\"" + user + "\"}"), 201)).get("key").asText();
    String chat = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    assertThat(gateway.post("/v1/chat/completions", key, chat).statusCode()).isEqualTo(200);
    String email = userWithPassword(user);
    HttpResponse<String> in = login(email, AdminFixture.PASSWORD, null);
    assertThat(withSession("GET", "/admin/v1/me", cookie(in), null, null).statusCode()).isEqualTo(200);

    AdminFixture.ok(gateway.call("PATCH", "/admin/v1/users/" + user, AdminFixture.MASTER, "{\"disabled\":true}"), 200);
    assertThat(withSession("GET", "/admin/v1/me", cookie(in), null, null).statusCode()).isEqualTo(401);
    assertThat(login(email, AdminFixture.PASSWORD, null).statusCode()).isEqualTo(401);
    HttpResponse<String> refused = gateway.post("/v1/chat/completions", key, chat);
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(AdminFixture.json(refused).at("/error/code").asText()).isEqualTo("user_disabled");

    AdminFixture.ok(gateway.call("PATCH", "/admin/v1/users/" + user, AdminFixture.MASTER, "{\"disabled\":false}"), 200);
    assertThat(gateway.post("/v1/chat/completions", key, chat).statusCode()).isEqualTo(200);
    assertThat(withSession("GET", "/admin/v1/me", cookie(in), null, null).statusCode())
        .as("the ended session stays ended").isEqualTo(401);
  }

  @Test
  void everySignInIsInTheAuditLogWithoutThePassword() {
    String email = userWithPassword(f.admin.userId());
    assertThat(login(email, "definitely-wrong-password", null).statusCode()).isEqualTo(401);
    assertThat(login(email, AdminFixture.PASSWORD, null).statusCode()).isEqualTo(200);
    HttpResponse<String> audit = gateway.call("GET", "/admin/v1/audit?action=signin&limit=200", AdminFixture.MASTER,
        null);
    assertThat(audit.statusCode()).isEqualTo(200);
    List<String> actions = new ArrayList<>();
    AdminFixture.json(audit).get("data").forEach(e -> actions.add(e.get("action").asText()));
    assertThat(actions).contains("signin.success", "signin.failure");
    assertThat(audit.body()).doesNotContain(AdminFixture.PASSWORD, "definitely-wrong-password");
    // And the organisation's auditor reads them too, through the same policy.
    HttpResponse<String> asAuditor = gateway.call("GET", "/admin/v1/audit?action=signin.success", f.auditor.secret(),
        null);
    assertThat(asAuditor.statusCode()).isEqualTo(200);
    assertThat(AdminFixture.json(asAuditor).get("data")).isNotEmpty();
  }
}
