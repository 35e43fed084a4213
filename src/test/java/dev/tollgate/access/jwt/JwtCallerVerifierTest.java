package dev.tollgate.access.jwt;

import dev.tollgate.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** JWT callers against a real key endpoint on 127.0.0.1, with time moved by hand. */
class JwtCallerVerifierTest {
  private static final String ISSUER = "https://idp.example.com/";
  private static final String AUDIENCE = "tollgate";
  private static final RSAKey K1 = Tokens.rsa("k1");
  private static final RSAKey K2 = Tokens.rsa("k2");
  private static final Duration MIN_REFETCH = Duration.ofSeconds(30);
  private static final Duration TTL = Duration.ofMinutes(10);

  private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T10:00:00Z"));
  private final ExecutorService fetches = Executors.newVirtualThreadPerTaskExecutor();
  private JwksServer jwks;
  private JwtCallerVerifier verifier;

  @BeforeEach
  void start() throws Exception {
    jwks = new JwksServer();
    jwks.publish(K1);
    JwtIssuer issuer = new JwtIssuer(ISSUER, jwks.url(), AUDIENCE, Set.of(), null, null,
        Optional.of(new ClaimPath("tollgate.team")), Optional.of(new ClaimPath("models")));
    verifier = new JwtCallerVerifier(new JwtSettings(List.of(issuer), null, TTL, MIN_REFETCH, null), fetches, clock);
  }

  @AfterEach
  void stop() {
    jwks.close();
    fetches.close();
  }

  private JWTClaimsSet.Builder claims() {
    Instant now = clock.instant();
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .audience(List.of(AUDIENCE, "other-api"))
        .subject("svc-ci")
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(300)))
        .claim("email", "ci@example.com")
        .claim("tollgate", Map.of("team", "search"))
        .claim("models", List.of("gpt-4o-mini", "claude-haiku"));
  }

  private JwtOutcome verify(String token) {
    return verifier.verify(token).join();
  }

  private static TokenRefusal.Reason reason(JwtOutcome outcome) {
    assertThat(outcome).isInstanceOf(JwtOutcome.Refused.class);
    return ((JwtOutcome.Refused) outcome).refusal().reason();
  }

  @Test
  void aValidTokenMapsToTheCallerWithTeamEmailAndModels() {
    JwtOutcome outcome = verify(Tokens.sign(K1, claims().build()));

    assertThat(outcome).isEqualTo(new JwtOutcome.Accepted(new JwtCaller(ISSUER, "svc-ci", "svc-ci",
        Optional.of("search"), Optional.of("ci@example.com"), Set.of("gpt-4o-mini", "claude-haiku"))));
  }

  @Test
  void anEs256TokenVerifiesWithAnEcKey() {
    var ec = Tokens.ec("ec1");
    jwks.publish(K1, ec);
    assertThat(verify(Tokens.sign(ec, claims().build()))).isInstanceOf(JwtOutcome.Accepted.class);
  }

  @Test
  void aTokenWithoutTeamOrModelsClaimsCarriesNoneAndIsNotRestricted() {
    JwtOutcome outcome = verify(Tokens.sign(K1, claims().claim("tollgate", null).claim("models", null).build()));
    JwtCaller caller = ((JwtOutcome.Accepted) outcome).caller();
    assertThat(caller.team()).isEmpty();
    assertThat(caller.models()).isEmpty();
  }

  @Test
  void onceKeysAreCachedVerificationCompletesWithoutWaiting() {
    assertThat(verify(Tokens.sign(K1, claims().build()))).isInstanceOf(JwtOutcome.Accepted.class);
    assertThat(jwks.requests()).isEqualTo(1);

    CompletableFuture<JwtOutcome> second = verifier.verify(Tokens.sign(K1, claims().subject("other").build()));

    assertThat(second).as("a cached key never leaves the calling thread").isDone();
    assertThat(second.join()).isInstanceOf(JwtOutcome.Accepted.class);
    assertThat(jwks.requests()).isEqualTo(1);
  }

  static Stream<Arguments> refusals() {
    RSAKey impostor = new RSAKey.Builder(Tokens.rsa("k1")).keyID("k1").build();
    return Stream.of(
        Arguments.of("expired beyond the skew", (UnaryOperator<String>) null,
            (ClaimsEdit) b -> b.expirationTime(Date.from(Instant.parse("2026-03-01T09:58:59Z"))),
            TokenRefusal.Reason.EXPIRED, K1),
        Arguments.of("without expiry", null, (ClaimsEdit) b -> b.expirationTime(null), TokenRefusal.Reason.EXPIRED, K1),
        Arguments.of("from an unknown issuer", null, (ClaimsEdit) b -> b.issuer("https://evil.example.com/"),
            TokenRefusal.Reason.UNKNOWN_ISSUER, K1),
        Arguments.of("without an issuer", null, (ClaimsEdit) b -> b.issuer(null), TokenRefusal.Reason.UNKNOWN_ISSUER, K1),
        Arguments.of("for another audience", null, (ClaimsEdit) b -> b.audience("billing-api"),
            TokenRefusal.Reason.WRONG_AUDIENCE, K1),
        Arguments.of("without an audience", null, (ClaimsEdit) b -> b.audience((String) null),
            TokenRefusal.Reason.WRONG_AUDIENCE, K1),
        Arguments.of("not yet valid", null,
            (ClaimsEdit) b -> b.notBeforeTime(Date.from(Instant.parse("2026-03-01T10:01:01Z"))),
            TokenRefusal.Reason.NOT_YET_VALID, K1),
        Arguments.of("issued in the future", null,
            (ClaimsEdit) b -> b.issueTime(Date.from(Instant.parse("2026-03-01T10:05:00Z"))),
            TokenRefusal.Reason.NOT_YET_VALID, K1),
        Arguments.of("without a subject", null, (ClaimsEdit) b -> b.subject(null), TokenRefusal.Reason.MISSING_CLAIM, K1),
        Arguments.of("with two teams", null, (ClaimsEdit) b -> b.claim("tollgate", Map.of("team", List.of("a", "b"))),
            TokenRefusal.Reason.MISSING_CLAIM, K1),
        Arguments.of("signed by another key under the same kid", (UnaryOperator<String>) t -> t,
            (ClaimsEdit) b -> b, TokenRefusal.Reason.BAD_SIGNATURE, impostor),
        Arguments.of("with a tampered payload", (UnaryOperator<String>) JwtCallerVerifierTest::swapPayload,
            (ClaimsEdit) b -> b, TokenRefusal.Reason.BAD_SIGNATURE, K1));
  }

  interface ClaimsEdit {
    JWTClaimsSet.Builder apply(JWTClaimsSet.Builder builder);
  }

  @ParameterizedTest(name = "a token {0} is refused")
  @MethodSource("refusals")
  void refusesBadTokens(String name, UnaryOperator<String> mangle, ClaimsEdit edit, TokenRefusal.Reason expected,
      RSAKey signer) {
    String token = Tokens.sign(signer, edit.apply(claims()).build());
    if (mangle != null) {
      token = mangle.apply(token);
    }
    assertThat(reason(verify(token))).isEqualTo(expected);
  }

  private static String swapPayload(String token) {
    String[] parts = token.split("\\.");
    String forged = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
        "{\"iss\":\"https://idp.example.com/\",\"aud\":\"tollgate\",\"sub\":\"admin\",\"exp\":9999999999}".getBytes());
    return parts[0] + "." + forged + "." + parts[2];
  }

  @Test
  void anExpiryWithinTheSkewIsStillAccepted() {
    String token = Tokens.sign(K1, claims().expirationTime(Date.from(clock.instant().minusSeconds(59))).build());
    assertThat(verify(token)).isInstanceOf(JwtOutcome.Accepted.class);
    clock.advance(Duration.ofSeconds(1));
    assertThat(reason(verify(token))).isEqualTo(TokenRefusal.Reason.EXPIRED);
  }

  @Test
  void unsignedAndSymmetricTokensAreRefused() throws Exception {
    String none = new PlainJWT(claims().build()).serialize();
    SignedJWT hs = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(), claims().build());
    // The confusion attack: the issuer's public key used as the HMAC secret.
    hs.sign(new MACSigner(K1.toPublicJWK().toRSAPublicKey().getEncoded()));

    assertThat(reason(verify(none))).isEqualTo(TokenRefusal.Reason.ALGORITHM_NOT_ALLOWED);
    assertThat(reason(verify(hs.serialize()))).isEqualTo(TokenRefusal.Reason.ALGORITHM_NOT_ALLOWED);
    assertThat(jwks.requests()).as("refused before any key is looked up").isZero();
  }

  @Test
  void garbageIsMalformed() {
    for (String token : List.of("", "tg-notajwt", "eyJ.eyJ.sig", "a.b.c", "x".repeat(20_000))) {
      assertThat(reason(verify(token))).as(token.length() > 40 ? "long token" : token)
          .isEqualTo(TokenRefusal.Reason.MALFORMED);
    }
  }

  @Test
  void aRotatedKeyIsFetchedAndTheRemovedKeyStopsWorking() {
    String oldToken = Tokens.sign(K1, claims().build());
    assertThat(verify(oldToken)).isInstanceOf(JwtOutcome.Accepted.class);

    jwks.publish(K2);
    String newToken = Tokens.sign(K2, claims().build());
    assertThat(reason(verify(newToken))).as("an unknown kid right after a fetch is not refetched")
        .isEqualTo(TokenRefusal.Reason.UNKNOWN_KEY);
    assertThat(jwks.requests()).isEqualTo(1);

    clock.advance(MIN_REFETCH);
    assertThat(verify(newToken)).as("the new kid is fetched").isInstanceOf(JwtOutcome.Accepted.class);
    assertThat(jwks.requests()).isEqualTo(2);
    assertThat(reason(verify(oldToken))).as("the removed key no longer verifies")
        .isEqualTo(TokenRefusal.Reason.UNKNOWN_KEY);
  }

  @Test
  void aBurstOfUnknownKidsFetchesAtMostOncePerInterval() {
    verify(Tokens.sign(K1, claims().build()));
    clock.advance(MIN_REFETCH);
    for (int i = 0; i < 20; i++) {
      assertThat(reason(verify(Tokens.sign(K1, "made-up-" + i, claims().build()))))
          .isEqualTo(TokenRefusal.Reason.UNKNOWN_KEY);
    }
    assertThat(jwks.requests()).isEqualTo(2);
  }

  @Test
  void keysAreRefetchedAfterTheirTtlAndKeptWhenTheIssuerIsDown() {
    String token = Tokens.sign(K1, claims().expirationTime(Date.from(clock.instant().plus(Duration.ofHours(2)))).build());
    verify(token);
    clock.advance(TTL);
    jwks.failWith(500);

    CompletableFuture<JwtOutcome> stale = verifier.verify(token);
    assertThat(stale).as("a stale set answers at once and refreshes behind the caller").isDone();
    assertThat(stale.join()).isInstanceOf(JwtOutcome.Accepted.class);
    await().until(() -> jwks.requests() == 2 && verifier.keys(ISSUER).orElseThrow().fetches() == 2);
    assertThat(verify(token)).as("a failed refresh keeps the last good keys").isInstanceOf(JwtOutcome.Accepted.class);

    jwks.publish(K2);
    clock.advance(MIN_REFETCH);
    assertThat(verify(token)).as("still answered from the stale set").isInstanceOf(JwtOutcome.Accepted.class);
    await().untilAsserted(() -> assertThat(reason(verify(token))).as("the refresh saw K1 removed")
        .isEqualTo(TokenRefusal.Reason.UNKNOWN_KEY));
    assertThat(jwks.requests()).isEqualTo(3);
  }

  @Test
  void concurrentLookupsOfAnUnknownKidShareOneFetch() throws Exception {
    verify(Tokens.sign(K1, claims().build()));
    clock.advance(MIN_REFETCH);
    jwks.publish(K1, K2);
    CountDownLatch release = new CountDownLatch(1);
    jwks.holdResponsesUntil(release);

    List<CompletableFuture<JwtOutcome>> waiting = new java.util.ArrayList<>();
    for (int i = 0; i < 10; i++) {
      waiting.add(verifier.verify(Tokens.sign(K2, claims().subject("svc-" + i).build())));
    }
    assertThat(waiting).as("all wait on the fetch in flight").noneMatch(CompletableFuture::isDone);
    release.countDown();

    assertThat(waiting).allSatisfy(f -> assertThat(f.get(30, TimeUnit.SECONDS)).isInstanceOf(JwtOutcome.Accepted.class));
    assertThat(jwks.requests()).isEqualTo(2);
  }

  @Test
  void anIssuerWhoseKeysCannotBeFetchedIsUnavailableNotUnauthorized() {
    jwks.failWith(503);
    String token = Tokens.sign(K1, claims().build());

    assertThat(reason(verify(token))).isEqualTo(TokenRefusal.Reason.KEYS_UNAVAILABLE);
    assertThat(reason(verify(token))).isEqualTo(TokenRefusal.Reason.KEYS_UNAVAILABLE);
    assertThat(jwks.requests()).as("failures are not retried within the interval").isEqualTo(1);

    jwks.publish(K1);
    clock.advance(MIN_REFETCH);
    assertThat(verify(token)).isInstanceOf(JwtOutcome.Accepted.class);
  }

  @Test
  void aTokenWithoutKidVerifiesAgainstTheMatchingKey() {
    assertThat(verify(Tokens.sign(K1, null, claims().build()))).isInstanceOf(JwtOutcome.Accepted.class);
  }

  @Test
  void recognisesJwtShapedCredentials() {
    assertThat(JwtCallerVerifier.looksLikeJwt(Tokens.sign(K1, claims().build()))).isTrue();
    assertThat(JwtCallerVerifier.looksLikeJwt("tg-abcdef")).isFalse();
    assertThat(JwtCallerVerifier.looksLikeJwt(null)).isFalse();
    assertThat(verifier.hasIssuers()).isTrue();
    assertThat(verifier.keys(ISSUER)).isPresent();
    assertThat(verifier.keys("https://other/")).isEmpty();
  }
}
