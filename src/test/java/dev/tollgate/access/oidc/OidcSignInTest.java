package dev.tollgate.access.oidc;

import dev.tollgate.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.oauth2.sdk.pkce.CodeChallenge;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import dev.tollgate.access.jwt.TokenRefusal;
import dev.tollgate.access.jwt.Tokens;
import dev.tollgate.config.Secret;
import dev.tollgate.store.Database;
import dev.tollgate.store.JdbiPendingLoginStore;
import dev.tollgate.testing.TestDatabases;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import java.util.concurrent.atomic.AtomicReference;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.http.OAuth2HttpRequest;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponse;
import no.nav.security.mock.oauth2.http.Route;
import okhttp3.Headers;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Full sign-ins against a real OpenID provider ({@code mock-oauth2-server} on 127.0.0.1): the browser's
 * part is an HTTP client that follows the provider's redirect by hand.
 */
class OidcSignInTest {
  private static final String ISSUER_ID = "default";
  private static final String CLIENT = "tollgate-console";
  private static final URI REDIRECT = URI.create("http://127.0.0.1:9/auth/callback");

  @TempDir
  Path dir;

  private final HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private final ExecutorService fetches = Executors.newVirtualThreadPerTaskExecutor();
  private final ManualClock clock = new ManualClock(Instant.now());
  private final CannedTokenResponse canned = new CannedTokenResponse();
  private MockOAuth2Server provider;
  private Database db;
  private JdbiPendingLoginStore pending;

  @BeforeEach
  void start() throws Exception {
    provider = new MockOAuth2Server(new OAuth2Config(), canned);
    provider.start(InetAddress.getByName("127.0.0.1"), 0);
    db = TestDatabases.open(TestDatabases.Kind.SQLITE, dir);
    pending = new JdbiPendingLoginStore(db.jdbi());
  }

  @AfterEach
  void stop() {
    provider.shutdown();
    db.close();
    fetches.close();
    browser.close();
  }

  private String issuer() {
    return provider.issuerUrl(ISSUER_ID).toString();
  }

  private OidcSettings settings(Set<String> allowedDomains, OidcSettings.ClientAuth auth) {
    return new OidcSettings(issuer(), CLIENT, new Secret("s3cret-client-secret"), REDIRECT, null, auth, null, null,
        null,
        Map.of("eng", Set.of("member"), "ops", Set.of("team_admin"), "auditors", Set.of("auditor")),
        Map.of("eng", Set.of("search"), "ops", Set.of("platform")),
        allowedDomains, null, Duration.ofMinutes(10), Duration.ofSeconds(5), null);
  }

  private OidcSignIn signIn(OidcSettings settings) {
    return new OidcSignIn(settings, pending, fetches, clock, new SecureRandom());
  }

  private OidcSignIn signIn() {
    return signIn(settings(Set.of("example.com"), null));
  }

  private static Map<String, Object> person(String email, List<String> groups) {
    Map<String, Object> claims = new HashMap<>();
    claims.put("email", email);
    claims.put("email_verified", true);
    claims.put("name", "Ada Lovelace");
    claims.put("groups", groups);
    return claims;
  }

  private void nextUser(String subject, Map<String, Object> claims) {
    provider.enqueueCallback(new DefaultOAuth2TokenCallback(ISSUER_ID, subject, "JWT", null, claims, 3600));
  }

  /** The browser's trip to the provider: returns the callback's query parameters. */
  private Map<String, String> authorize(URI authorizationUrl) throws Exception {
    HttpResponse<String> answer = browser.send(HttpRequest.newBuilder(authorizationUrl).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as("the provider redirects back").isEqualTo(302);
    URI callback = URI.create(answer.headers().firstValue("Location").orElseThrow());
    assertThat(callback.getPath()).isEqualTo(REDIRECT.getPath());
    return query(callback);
  }

  private static Map<String, String> query(URI uri) {
    Map<String, String> params = new HashMap<>();
    for (String pair : uri.getRawQuery().split("&")) {
      int eq = pair.indexOf('=');
      params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return params;
  }

  private static URI redirect(SignInStart start) {
    assertThat(start).isInstanceOf(SignInStart.Redirect.class);
    return ((SignInStart.Redirect) start).authorizationUrl();
  }

  private SignInOutcome roundTrip(OidcSignIn signIn, String returnTo) throws Exception {
    Map<String, String> callback = authorize(redirect(signIn.begin(returnTo)));
    return signIn.complete(callback.get("code"), callback.get("state"));
  }

  private static VerifiedIdentity identity(SignInOutcome outcome) {
    assertThat(outcome).isInstanceOf(SignInOutcome.SignedIn.class);
    return ((SignInOutcome.SignedIn) outcome).identity();
  }

  private static SignInFailure failure(SignInOutcome outcome) {
    assertThat(outcome).isInstanceOf(SignInOutcome.Refused.class);
    return ((SignInOutcome.Refused) outcome).failure();
  }

  private RecordedRequest tokenRequest() throws Exception {
    for (RecordedRequest r = provider.takeRequest(5, TimeUnit.SECONDS); r != null;
        r = provider.takeRequest(5, TimeUnit.SECONDS)) {
      if (r.getPath().endsWith("/token")) {
        return r;
      }
    }
    throw new AssertionError("no token request reached the provider");
  }

  /**
   * Answers the provider's next token request itself: how a test hands the client an ID token the
   * provider would not mint in this flow (forged, for another audience, expired, with another nonce).
   */
  private static final class CannedTokenResponse implements Route {
    private final AtomicReference<OAuth2HttpResponse> next = new AtomicReference<>();

    void set(int status, String json) {
      next.set(new OAuth2HttpResponse(Headers.of("Content-Type", "application/json"), status, json, null));
    }

    @Override
    public boolean match(OAuth2HttpRequest request) {
      return next.get() != null && request.getUrl().encodedPath().endsWith("/token");
    }

    @Override
    public OAuth2HttpResponse invoke(OAuth2HttpRequest request) {
      return next.getAndSet(null);
    }
  }

  private void respondToTheNextTokenRequestWith(String idToken) {
    canned.set(200, "{\"access_token\":\"at\",\"token_type\":\"Bearer\",\"expires_in\":300,\"id_token\":\""
        + idToken + "\"}");
  }

  /** A token the provider itself signs, carrying the nonce of the sign-in at {@code authorizationUrl}. */
  private String providerSigned(URI authorizationUrl, List<String> audience, long expirySeconds) {
    Map<String, Object> claims = person("ada@example.com", List.of("eng"));
    claims.put("nonce", query(authorizationUrl).get("nonce"));
    return provider.issueToken(ISSUER_ID, CLIENT, new DefaultOAuth2TokenCallback(ISSUER_ID, "user-ada", "JWT",
        audience, claims, expirySeconds)).serialize();
  }

  // ------------------------------------------------------------ sign-in that works

  @Test
  void aFirstSignInMapsGroupsToRolesAndTeamsAndReturnsWhereItStarted() throws Exception {
    OidcSignIn signIn = signIn();
    nextUser("user-ada", person("ada@Example.com", List.of("eng", "ops", "unmapped")));

    URI url = redirect(signIn.begin("/console/keys?tab=active"));
    Map<String, String> params = query(url);
    assertThat(params).containsEntry("response_type", "code").containsEntry("client_id", CLIENT)
        .containsEntry("code_challenge_method", "S256").containsKeys("state", "nonce", "code_challenge");
    assertThat(params.get("scope").split(" ")).contains("openid", "email", "profile");
    Map<String, String> callback = authorize(url);
    assertThat(callback.get("state")).isEqualTo(params.get("state"));

    SignInOutcome outcome = signIn.complete(callback.get("code"), callback.get("state"));

    assertThat(outcome).isEqualTo(new SignInOutcome.SignedIn(new VerifiedIdentity(issuer(), "user-ada",
        Optional.of("ada@Example.com"), Optional.of("Ada Lovelace"), List.of("eng", "ops", "unmapped"),
        Set.of("member", "team_admin"), Set.of("search", "platform")), "/console/keys?tab=active"));

    RecordedRequest token = tokenRequest();
    Map<String, String> form = query(URI.create("?" + token.getBody().readUtf8()));
    assertThat(CodeChallenge.compute(CodeChallengeMethod.S256, new CodeVerifier(form.get("code_verifier"))).getValue())
        .as("the PKCE verifier matches the challenge").isEqualTo(params.get("code_challenge"));
    assertThat(token.getHeader("Authorization")).as("client_secret_basic")
        .isEqualTo("Basic " + Base64.getEncoder().encodeToString(
            (CLIENT + ":s3cret-client-secret").getBytes(StandardCharsets.UTF_8)));
    assertThat(form).doesNotContainKey("client_secret");
  }

  @Test
  void aGroupChangeAtTheProviderIsSeenAtTheNextSignIn() throws Exception {
    OidcSignIn signIn = signIn();
    nextUser("user-ada", person("ada@example.com", List.of("eng", "ops")));
    assertThat(identity(roundTrip(signIn, null)).roles()).containsExactlyInAnyOrder("member", "team_admin");

    nextUser("user-ada", person("ada@example.com", List.of("eng")));
    VerifiedIdentity second = identity(roundTrip(signIn, null));

    assertThat(second.roles()).containsExactly("member");
    assertThat(second.teams()).containsExactly("search");

    nextUser("user-ada", person("ada@example.com", List.of()));
    VerifiedIdentity third = identity(roundTrip(signIn, null));
    assertThat(third.roles()).isEmpty();
    assertThat(third.teams()).isEmpty();
  }

  @Test
  void clientSecretPostSendsTheSecretInTheForm() throws Exception {
    OidcSignIn signIn = signIn(settings(Set.of(), OidcSettings.ClientAuth.CLIENT_SECRET_POST));
    nextUser("user-bob", person("bob@anywhere.org", List.of()));

    assertThat(identity(roundTrip(signIn, "/")).email()).contains("bob@anywhere.org");

    RecordedRequest token = tokenRequest();
    assertThat(token.getHeader("Authorization")).isNull();
    assertThat(query(URI.create("?" + token.getBody().readUtf8())))
        .containsEntry("client_id", CLIENT).containsEntry("client_secret", "s3cret-client-secret");
  }

  @Test
  void withoutAllowedDomainsAUserWithoutEmailMaySignIn() throws Exception {
    OidcSignIn signIn = signIn(settings(Set.of(), null));
    nextUser("svc", Map.of("groups", List.of("auditors")));
    VerifiedIdentity identity = identity(roundTrip(signIn, null));
    assertThat(identity.email()).isEmpty();
    assertThat(identity.roles()).containsExactly("auditor");
  }

  // ------------------------------------------------------------ refusals

  @Test
  void anIdTokenForAnotherAudienceIsRefused() throws Exception {
    OidcSignIn signIn = signIn();
    URI url = redirect(signIn.begin(null));
    Map<String, String> callback = authorize(url);
    respondToTheNextTokenRequestWith(providerSigned(url, List.of("another-client"), 3600));

    SignInFailure failure = failure(signIn.complete(callback.get("code"), callback.get("state")));

    assertThat(failure.reason()).isEqualTo(SignInFailure.Reason.ID_TOKEN_REJECTED);
    assertThat(failure.token()).contains(TokenRefusal.Reason.WRONG_AUDIENCE);
  }

  @Test
  void anExpiredIdTokenIsRefused() throws Exception {
    OidcSignIn signIn = signIn();
    URI url = redirect(signIn.begin(null));
    Map<String, String> callback = authorize(url);
    respondToTheNextTokenRequestWith(providerSigned(url, List.of(CLIENT), -120));

    SignInFailure failure = failure(signIn.complete(callback.get("code"), callback.get("state")));

    assertThat(failure.token()).contains(TokenRefusal.Reason.EXPIRED);
  }

  @Test
  void anIdTokenSignedByAnotherKeyIsRefused() throws Exception {
    OidcSignIn signIn = signIn();
    URI url = redirect(signIn.begin(null));
    Map<String, String> callback = authorize(url);
    String providerKid = JWKSet.load(provider.jwksUrl(ISSUER_ID).url()).getKeys().getFirst().getKeyID();
    RSAKey impostor = new RSAKey.Builder(Tokens.rsa("x")).keyID(providerKid).build();
    Instant now = Instant.now();
    String forged = Tokens.sign(impostor, new JWTClaimsSet.Builder().issuer(issuer()).audience(CLIENT)
        .subject("admin").claim("nonce", query(url).get("nonce")).claim("email", "eve@example.com")
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300))).build());
    respondToTheNextTokenRequestWith(forged);

    SignInFailure failure = failure(signIn.complete(callback.get("code"), callback.get("state")));

    assertThat(failure.token()).contains(TokenRefusal.Reason.BAD_SIGNATURE);
  }

  @Test
  void aReplayedStateIsRefused() throws Exception {
    OidcSignIn signIn = signIn();
    nextUser("user-ada", person("ada@example.com", List.of("eng")));
    Map<String, String> callback = authorize(redirect(signIn.begin(null)));
    identity(signIn.complete(callback.get("code"), callback.get("state")));

    SignInFailure replay = failure(signIn.complete(callback.get("code"), callback.get("state")));

    assertThat(replay.reason()).isEqualTo(SignInFailure.Reason.UNKNOWN_STATE);
    assertThat(failure(signIn.complete(callback.get("code"), "made-up-state")).reason())
        .isEqualTo(SignInFailure.Reason.UNKNOWN_STATE);
    assertThat(failure(signIn.complete(callback.get("code"), null)).reason())
        .isEqualTo(SignInFailure.Reason.UNKNOWN_STATE);
  }

  @Test
  void anIdTokenCarryingAnotherSignInsNonceIsRefused() throws Exception {
    OidcSignIn signIn = signIn();
    URI first = redirect(signIn.begin(null));
    URI second = redirect(signIn.begin(null));
    Map<String, String> callback = authorize(second);
    // A genuine token from the provider, but minted for the first sign-in: a replay into the second.
    String replayed = provider.issueToken(ISSUER_ID, CLIENT, new DefaultOAuth2TokenCallback(ISSUER_ID, "user-ada",
        "JWT", List.of(CLIENT), Map.of("nonce", query(first).get("nonce"), "email", "ada@example.com"), 3600))
        .serialize();
    respondToTheNextTokenRequestWith(replayed);

    assertThat(failure(signIn.complete(callback.get("code"), callback.get("state"))).reason())
        .isEqualTo(SignInFailure.Reason.NONCE_MISMATCH);
  }

  @Test
  void anIdTokenWithoutNonceIsRefused() throws Exception {
    OidcSignIn signIn = signIn();
    Map<String, String> callback = authorize(redirect(signIn.begin(null)));
    respondToTheNextTokenRequestWith(provider.issueToken(ISSUER_ID, CLIENT, new DefaultOAuth2TokenCallback(ISSUER_ID,
        "user-ada", "JWT", List.of(CLIENT), Map.of("email", "ada@example.com"), 3600)).serialize());

    assertThat(failure(signIn.complete(callback.get("code"), callback.get("state"))).reason())
        .isEqualTo(SignInFailure.Reason.NONCE_MISMATCH);
  }

  @Test
  void aDisallowedDomainIsRefused() throws Exception {
    OidcSignIn signIn = signIn();
    nextUser("user-eve", person("eve@example.com.evil.org", List.of("eng")));
    assertThat(failure(roundTrip(signIn, null)).reason()).isEqualTo(SignInFailure.Reason.DOMAIN_NOT_ALLOWED);

    nextUser("user-eve", Map.of("groups", List.of("eng")));
    assertThat(failure(roundTrip(signIn, null)).reason()).isEqualTo(SignInFailure.Reason.MISSING_EMAIL);
  }

  @Test
  void anUnverifiedEmailIsRefused() throws Exception {
    OidcSignIn signIn = signIn();
    Map<String, Object> claims = person("ada@example.com", List.of("eng"));
    claims.put("email_verified", false);
    nextUser("user-ada", claims);
    assertThat(failure(roundTrip(signIn, null)).reason()).isEqualTo(SignInFailure.Reason.EMAIL_NOT_VERIFIED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)"})
  void anOpenRedirectIsRefusedBeforeAnythingIsStored(String returnTo) {
    SignInStart start = signIn().begin(returnTo);
    assertThat(start).isInstanceOf(SignInStart.Refused.class);
    assertThat(((SignInStart.Refused) start).failure().reason()).isEqualTo(SignInFailure.Reason.INVALID_RETURN_TO);
    assertThat(pending.purgeExpired(Instant.parse("3000-01-01T00:00:00Z"))).isZero();
  }

  @Test
  void aSignInThatTakesLongerThanThePendingTtlIsRefused() throws Exception {
    OidcSignIn signIn = signIn();
    Map<String, String> callback = authorize(redirect(signIn.begin(null)));
    clock.advance(Duration.ofMinutes(10));

    assertThat(failure(signIn.complete(callback.get("code"), callback.get("state"))).reason())
        .isEqualTo(SignInFailure.Reason.EXPIRED_STATE);
  }

  @Test
  void aProviderErrorConsumesTheState() throws Exception {
    OidcSignIn signIn = signIn();
    Map<String, String> callback = authorize(redirect(signIn.begin(null)));

    SignInFailure declined = failure(signIn.fail(callback.get("state"), "access_denied\r\nforged log line"));
    assertThat(declined.reason()).isEqualTo(SignInFailure.Reason.PROVIDER_ERROR);
    assertThat(declined.detail()).doesNotContain("\n").contains("access_denied");
    assertThat(failure(signIn.complete(callback.get("code"), callback.get("state"))).reason())
        .isEqualTo(SignInFailure.Reason.UNKNOWN_STATE);
  }

  @Test
  void aCodeTheTokenEndpointRejectsIsRefused() throws Exception {
    OidcSignIn signIn = signIn();
    Map<String, String> callback = authorize(redirect(signIn.begin(null)));
    canned.set(400, "{\"error\":\"invalid_grant\",\"error_description\":\"code expired\"}");

    SignInFailure failure = failure(signIn.complete(callback.get("code"), callback.get("state")));

    assertThat(failure.reason()).isEqualTo(SignInFailure.Reason.TOKEN_EXCHANGE_FAILED);
    assertThat(failure.detail()).contains("400").contains("invalid_grant").doesNotContain(callback.get("code"));
  }

  @Test
  void anUnreachableProviderIsReportedAsUnavailable() {
    String deadIssuer = issuer();
    provider.shutdown();
    OidcSettings dead = new OidcSettings(deadIssuer, CLIENT, new Secret("x"), REDIRECT, null, null, null, null, null,
        null, null, null, null, null, Duration.ofSeconds(2), null);

    SignInStart start = signIn(dead).begin(null);

    assertThat(start).isInstanceOf(SignInStart.Refused.class);
    assertThat(((SignInStart.Refused) start).failure().reason()).isEqualTo(SignInFailure.Reason.PROVIDER_UNAVAILABLE);
    provider = new MockOAuth2Server();
  }
}
