package dev.tollgate.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.tollgate.access.jwt.JwksServer;
import dev.tollgate.access.jwt.Tokens;
import dev.tollgate.metering.UsageEvent;
import dev.tollgate.testing.FakeUpstream;
import dev.tollgate.testing.TestGateway;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * JWT callers end to end: the official OpenAI SDK presents a JWT as its API key, a real gateway
 * verifies it against keys served by a loopback JWKS endpoint, and the usage record carries the team
 * and user the token names; refused tokens answer 401 in OpenAI's shape and bill nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JwtCallersGatewayTest {
  private static final String ISSUER = "https://idp.example.com/";
  private static final String DOWN_ISSUER = "https://down.example.com/";
  private static final String AUDIENCE = "tollgate";
  private static final RSAKey K1 = Tokens.rsa("k1");
  private static final RSAKey STRANGER = Tokens.rsa("k1");

  private JwksServer jwks;
  private JwksServer downJwks;
  private FakeUpstream upstream;
  private TestGateway gateway;
  private String teamId;
  private String userId;

  @BeforeAll
  void start() throws Exception {
    jwks = new JwksServer();
    jwks.publish(K1);
    downJwks = new JwksServer();
    downJwks.failWith(500);
    upstream = FakeUpstream.start();
    // TestGateway writes its own auth section first; a repeated YAML key replaces it, so repeat the master key.
    gateway = TestGateway.withUpstream(upstream, """
        auth:
          master_key: "%s"
          jwt:
            jwks_min_refetch: 0s
            issuers:
              - issuer: "%s"
                jwks_url: "%s"
                audience: %s
                claims: { team: tollgate.team, models: tollgate.models }
              - issuer: "%s"
                jwks_url: "%s"
                audience: %s
                claims: { team: tollgate.team }
        """.formatted(TestGateway.MASTER_KEY, ISSUER, jwks.url(), AUDIENCE, DOWN_ISSUER, downJwks.url(), AUDIENCE));
    teamId = created("/admin/v1/teams", "{\"name\":\"search\",\"org_id\":\"default\"}");
    userId = created("/admin/v1/users", "{\"email\":\"ci-" + UUID.randomUUID() + "@example.com\",\"org_id\":\"default\"}");
  }

  @AfterAll
  void stop() {
    gateway.close();
    upstream.close();
    jwks.close();
    downJwks.close();
  }

  private String created(String path, String body) {
    var r = gateway.call("POST", path, TestGateway.MASTER_KEY, body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return TestGateway.json(r.body()).get("id").asText();
  }

  private static JWTClaimsSet.Builder claims(String issuer, String subject) {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder()
        .issuer(issuer)
        .audience(AUDIENCE)
        .subject(subject)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(300)))
        .claim("tollgate", Map.of("team", "search"));
  }

  private String token(UnaryOperator<JWTClaimsSet.Builder> change) {
    String token = Tokens.sign(K1, change.apply(claims(ISSUER, userId)).build());
    gateway.secret(token);
    return token;
  }

  /** A chat call through the SDK with the token as its API key. */
  private ChatCompletion chat(String token, String requestId, String model) {
    OpenAIClient client = OpenAIOkHttpClient.builder().apiKey(token).baseUrl(gateway.baseUrl() + "/v1")
        .maxRetries(0).timeout(Duration.ofSeconds(20)).build();
    try {
      return client.chat().completions().create(ChatCompletionCreateParams.builder()
          .model(model).addUserMessage("Hi").putAdditionalHeader("x-request-id", requestId).build());
    } finally {
      client.close();
    }
  }

  private OpenAIServiceException refused(String token, String requestId) {
    return catchThrowableOfType(OpenAIServiceException.class, () -> chat(token, requestId, "m"));
  }

  private static String requestId() {
    return "jwt-" + UUID.randomUUID();
  }

  @Test
  void aValidTokenIsServedAndBilledToTheTeamAndUserItNames() {
    String id = requestId();
    int before = upstream.received().size();

    ChatCompletion answer = chat(token(c -> c.claim("email", "ci@example.com")), id, "m");

    assertThat(answer.choices()).isNotEmpty();
    assertThat(upstream.received()).hasSize(before + 1);
    UsageEvent usage = gateway.usage(id).getFirst();
    assertThat(usage.teamId()).isEqualTo(teamId);
    assertThat(usage.userId()).isEqualTo(userId);
    assertThat(usage.keyId()).isEqualTo("jwt:" + ISSUER + ":" + userId);
    assertThat(usage.status()).isEqualTo("ok");
  }

  @Test
  void aTeamMayBeNamedByIdAndAnUnknownSubjectIsBilledToTheTeamAlone() {
    String id = requestId();

    chat(Tokens.sign(K1, claims(ISSUER, "svc-batch").claim("tollgate", Map.of("team", teamId)).build()), id, "m");

    UsageEvent usage = gateway.usage(id).getFirst();
    assertThat(usage.teamId()).isEqualTo(teamId);
    assertThat(usage.userId()).isNull();
    assertThat(usage.keyId()).isEqualTo("jwt:" + ISSUER + ":svc-batch");
  }

  @Test
  void theModelsClaimRestrictsTheCaller() {
    String token = token(c -> c.claim("tollgate", Map.of("team", "search", "models", List.of("other"))));
    String id = requestId();

    OpenAIServiceException e = catchThrowableOfType(OpenAIServiceException.class, () -> chat(token, id, "m"));

    assertThat(e.statusCode()).isEqualTo(403);
    assertThat(e.code()).contains("model_not_allowed");
    assertThat(gateway.usage(id)).isEmpty();
    assertThat(chat(token, requestId(), "other").choices()).isNotEmpty();
  }

  static Stream<Arguments> refusedTokens() {
    Instant longAgo = Instant.now().minus(Duration.ofHours(2));
    return Stream.of(
        argumentSet("expired", (UnaryOperator<JWTClaimsSet.Builder>) c -> c.issueTime(Date.from(longAgo))
            .expirationTime(Date.from(longAgo.plusSeconds(300))), "the JWT was refused (expired): expired at "),
        argumentSet("from an issuer that is not trusted",
            (UnaryOperator<JWTClaimsSet.Builder>) c -> c.issuer("https://evil.example.com/"),
            "the JWT was refused (unknown issuer): issuer https://evil.example.com/ is not trusted"),
        argumentSet("for another audience", (UnaryOperator<JWTClaimsSet.Builder>) c -> c.audience("billing-api"),
            "the JWT was refused (wrong audience): audience [billing-api] does not include tollgate"),
        argumentSet("naming a team that does not exist",
            (UnaryOperator<JWTClaimsSet.Builder>) c -> c.claim("tollgate", Map.of("team", "no-such-team")),
            "the JWT was refused (unknown team): no team has the id or name 'no-such-team'"),
        argumentSet("naming no team", (UnaryOperator<JWTClaimsSet.Builder>) c -> c.claim("tollgate", Map.of()),
            "the JWT was refused (no team): the token names no team"));
  }

  @ParameterizedTest
  @MethodSource("refusedTokens")
  void aRefusedTokenIsA401InOpenAisShapeWithTheRequestIdAndBillsNothing(UnaryOperator<JWTClaimsSet.Builder> change,
      String message) {
    String token = token(change);
    String id = requestId();
    int before = upstream.received().size();

    OpenAIServiceException e = refused(token, id);

    assertThat(e.statusCode()).isEqualTo(401);
    assertThat(e.type()).contains("authentication_error");
    assertThat(e.code()).contains("invalid_api_key");
    assertThat(e.body().toString()).contains(message).doesNotContain(token);
    assertThat(e.headers().values("x-request-id")).containsExactly(id);
    assertThat(upstream.received()).hasSize(before);
    assertThat(gateway.usage(id)).isEmpty();
  }

  @Test
  void aTokenSignedByAnotherKeyWithTheSameKeyIdIsRefused() {
    String token = Tokens.sign(STRANGER, claims(ISSUER, userId).build());
    gateway.secret(token);

    OpenAIServiceException e = refused(token, requestId());

    assertThat(e.statusCode()).isEqualTo(401);
    assertThat(e.body().toString()).contains("the JWT was refused (bad signature)");
  }

  @Test
  void aDisabledUserIsRefused() {
    String disabled = created("/admin/v1/users", "{\"email\":\"gone-" + UUID.randomUUID() + "@example.com\",\"org_id\":\"default\"}");
    var r = gateway.call("PATCH", "/admin/v1/users/" + disabled, TestGateway.MASTER_KEY, "{\"disabled\":true}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String id = requestId();

    OpenAIServiceException e = refused(Tokens.sign(K1, claims(ISSUER, disabled).build()), id);

    assertThat(e.statusCode()).isEqualTo(401);
    assertThat(e.code()).contains("user_disabled");
    assertThat(gateway.usage(id)).isEmpty();
  }

  @Test
  void anIssuerWhoseKeysCannotBeFetchedIsA503NotA401() {
    String id = requestId();

    OpenAIServiceException e = refused(Tokens.sign(K1, claims(DOWN_ISSUER, userId).build()), id);

    assertThat(e.statusCode()).isEqualTo(503);
    assertThat(e.headers().values("retry-after")).containsExactly("1");
    assertThat(e.body().toString()).contains("cannot fetch the keys of " + DOWN_ISSUER);
    assertThat(gateway.usage(id)).isEmpty();
  }

  @Test
  void aKeyRotatedAtTheIssuerWorksAtOnceAndTheRetiredKeyStops() {
    RSAKey k2 = Tokens.rsa("k2");
    String old = token(c -> c);
    assertThat(chat(old, requestId(), "m").choices()).isNotEmpty();
    try {
      jwks.publish(k2);
      String id = requestId();

      chat(Tokens.sign(k2, claims(ISSUER, userId).build()), id, "m");

      assertThat(gateway.usage(id).getFirst().teamId()).isEqualTo(teamId);
      OpenAIServiceException e = refused(old, requestId());
      assertThat(e.statusCode()).isEqualTo(401);
      assertThat(e.body().toString()).contains("the JWT was refused (unknown key)");
    } finally {
      jwks.publish(K1);
    }
  }

  @Test
  void virtualKeysAndTheMasterKeyStillWork() {
    String key = gateway.createKey();
    assertThat(chat(key, requestId(), "m").choices()).isNotEmpty();
    assertThat(chat(TestGateway.MASTER_KEY, requestId(), "m").choices()).isNotEmpty();
  }
}
