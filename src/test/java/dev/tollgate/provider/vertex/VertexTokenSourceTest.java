package dev.tollgate.provider.vertex;

import dev.tollgate.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.config.Secret;
import dev.tollgate.provider.UpstreamException;
import dev.tollgate.provider.UpstreamException.Kind;
import dev.tollgate.provider.vertex.FakeTokenServer.Answer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The JWT-bearer grant against a fake token endpoint: what is sent, caching, sharing one fetch, failures. */
class VertexTokenSourceTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

  private final ObjectMapper json = new ObjectMapper();
  private final ManualClock clock = new ManualClock(T0);
  private Vertx vertx;
  private FakeTokenServer server;
  private VertexTokenSource tokens;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    server = FakeTokenServer.start(vertx, json, TestKeys.PAIR.getPublic());
    tokens = source(server.tokenUri(), Duration.ofSeconds(5));
  }

  @AfterEach
  void stop() throws Exception {
    tokens.close();
    server.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private VertexTokenSource source(URI tokenUri, Duration timeout) {
    return new VertexTokenSource(vertx, "vertex-eu", TestKeys.key(json, tokenUri), json, clock, timeout);
  }

  private static <T> T result(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static UpstreamException failure(Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(UpstreamException.class);
      return (UpstreamException) e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("the token call succeeded");
  }

  @Test
  void sendsAnRs256SignedJwtBearerGrantAndReturnsTheToken() throws Exception {
    Secret token = result(tokens.token());

    assertThat(token.value()).isEqualTo("ya29.token-1");
    assertThat(server.grants).hasSize(1);
    FakeTokenServer.Grant grant = server.grants.getFirst();
    assertThat(grant.contentType()).isEqualTo("application/x-www-form-urlencoded");
    assertThat(grant.form()).containsOnlyKeys("grant_type", "assertion")
        .containsEntry("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer");
    assertThat(grant.signatureValid()).isTrue();
    assertThat(grant.header()).isEqualTo(json.readTree(
        "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" + TestKeys.KEY_ID + "\"}"));
    assertThat(grant.claims()).isEqualTo(json.readTree(json.writeValueAsString(json.createObjectNode()
        .put("iss", TestKeys.CLIENT_EMAIL)
        .put("scope", "https://www.googleapis.com/auth/cloud-platform")
        .put("aud", server.tokenUri().toString())
        .put("iat", T0.getEpochSecond())
        .put("exp", T0.getEpochSecond() + 3600))));
  }

  @Test
  void aSignatureByAnotherKeyDoesNotVerify() throws Exception {
    // Guards the fake: were its check lax, the test above could not fail on a bad signature.
    java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    try (FakeTokenServer strict = FakeTokenServer.start(vertx, json, generator.generateKeyPair().getPublic());
        VertexTokenSource other = source(strict.tokenUri(), Duration.ofSeconds(5))) {
      result(other.token());
      assertThat(strict.grants.getFirst().signatureValid()).isFalse();
    }
  }

  static Stream<Arguments> lifetimes() {
    return Stream.of(
        Arguments.of(120, 59),
        Arguments.of(3599, 3538),
        Arguments.of(61, 0));
  }

  @ParameterizedTest(name = "expires_in {0}: cached through second {1}, refreshed at {1} + 1")
  @MethodSource("lifetimes")
  void cachesUntilAMinuteBeforeExpiryThenFetchesANewOne(long expiresIn, long lastCachedSecond) throws Exception {
    server.script = n -> Answer.token("ya29.token-" + n, expiresIn);
    assertThat(result(tokens.token()).value()).isEqualTo("ya29.token-1");

    clock.advance(Duration.ofSeconds(lastCachedSecond).plusMillis(999));
    assertThat(result(tokens.token()).value()).isEqualTo("ya29.token-1");
    assertThat(server.requests).hasValue(1);

    clock.advance(Duration.ofMillis(1));
    assertThat(result(tokens.token()).value()).isEqualTo("ya29.token-2");
    assertThat(server.requests).hasValue(2);
    assertThat(server.grants.get(1).claims().path("iat").asLong())
        .isEqualTo(T0.getEpochSecond() + lastCachedSecond + 1);
  }

  @Test
  void aTokenThatExpiresWithinTheMarginIsNeverReused() throws Exception {
    server.script = n -> Answer.token("ya29.token-" + n, 30);

    assertThat(result(tokens.token()).value()).isEqualTo("ya29.token-1");
    assertThat(result(tokens.token()).value()).isEqualTo("ya29.token-2");
  }

  @Test
  void fiftyConcurrentCallersShareOneFetch() throws Exception {
    Promise<Void> release = server.holdAnswers();
    int callers = 50;
    CountDownLatch ready = new CountDownLatch(callers);
    CountDownLatch go = new CountDownLatch(1);
    List<java.util.concurrent.Future<Future<Secret>>> calls = new ArrayList<>();
    AtomicInteger ran = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      for (int i = 0; i < callers; i++) {
        calls.add(pool.submit(() -> {
          ready.countDown();
          go.await();
          ran.incrementAndGet();
          return tokens.token();
        }));
      }
      assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
      go.countDown();
      List<Future<Secret>> pending = new ArrayList<>();
      for (var call : calls) {
        pending.add(call.get(10, TimeUnit.SECONDS));
      }
      // Proves they raced: every caller asked while the one fetch was still unanswered.
      assertThat(ran).hasValue(callers);
      assertThat(pending).noneMatch(Future::isComplete);
      await().atMost(Duration.ofSeconds(10)).until(() -> server.grants.size() == 1);

      release.complete();
      for (Future<Secret> f : pending) {
        assertThat(result(f).value()).isEqualTo("ya29.token-1");
      }
      assertThat(server.requests).hasValue(1);
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void eachWaitingCallerIsAnsweredOnItsOwnEventLoop() throws Exception {
    Promise<Void> release = server.holdAnswers();
    int loops = 4;
    List<Context> contexts = new ArrayList<>();
    List<Promise<Boolean>> onOwnContext = new ArrayList<>();
    for (int i = 0; i < loops; i++) {
      Context context = vertx.getOrCreateContext();
      Promise<Boolean> seen = Promise.promise();
      contexts.add(context);
      onOwnContext.add(seen);
      context.runOnContext(v -> tokens.token().onComplete(ar -> seen.complete(Vertx.currentContext() == context)));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> server.grants.size() == 1);
    release.complete();

    for (Promise<Boolean> seen : onOwnContext) {
      assertThat(result(seen.future())).isTrue();
    }
    assertThat(contexts).doesNotHaveDuplicates();
    assertThat(server.requests).hasValue(1);
  }

  @Test
  void aRefusedGrantFailsEveryWaiterThenTheNextCallFetchesAgain() throws Exception {
    server.script = n -> n == 1
        ? new Answer(400, "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid JWT Signature.\"}")
        : Answer.token("ya29.token-" + n, 3600);
    Promise<Void> release = server.holdAnswers();
    List<Future<Secret>> waiting = List.of(tokens.token(), tokens.token(), tokens.token());
    await().atMost(Duration.ofSeconds(10)).until(() -> server.grants.size() == 1);
    release.complete();

    for (Future<Secret> f : waiting) {
      UpstreamException e = failure(f);
      assertThat(e.kind()).isEqualTo(Kind.UNREACHABLE);
      assertThat(e.provider()).isEqualTo("vertex-eu");
      assertThat(e.getMessage())
          .isEqualTo("token endpoint " + server.tokenUri() + " answered HTTP 400 (invalid_grant: Invalid JWT Signature.)")
          .doesNotContain(server.grants.getFirst().assertion());
    }
    assertThat(result(tokens.token()).value()).isEqualTo("ya29.token-2");
    assertThat(server.requests).hasValue(2);
  }

  static Stream<Arguments> malformedAnswers() {
    return Stream.of(
        Arguments.of(new Answer(200, "<html>login</html>"), "answered without an access_token"),
        Arguments.of(new Answer(200, "{}"), "answered without an access_token"),
        Arguments.of(new Answer(200, "{\"access_token\":\"\",\"expires_in\":3600}"), "answered without an access_token"),
        Arguments.of(new Answer(200, "{\"access_token\":\"ya29.x\"}"), "answered without a positive expires_in"),
        Arguments.of(new Answer(200, "{\"access_token\":\"ya29.x\",\"expires_in\":\"soon\"}"),
            "answered without a positive expires_in"),
        Arguments.of(new Answer(200, "{\"access_token\":\"ya29.x\",\"expires_in\":0}"),
            "answered without a positive expires_in"),
        Arguments.of(new Answer(200, "{\"access_token\":\"ya29.x\",\"expires_in\":3600,\"token_type\":\"MAC\"}"),
            "answered token_type 'MAC', expected Bearer"),
        Arguments.of(new Answer(503, "upstream connect error"), "answered HTTP 503"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("malformedAnswers")
  void anAnswerThatIsNotATokenFailsAsUnreachable(Answer answer, String detail) {
    server.script = n -> answer;

    UpstreamException e = failure(tokens.token());

    assertThat(e.kind()).isEqualTo(Kind.UNREACHABLE);
    assertThat(e.getMessage()).isEqualTo("token endpoint " + server.tokenUri() + " " + detail)
        .doesNotContain("ya29.x");
  }

  @Test
  void anUnreachableEndpointFailsNamingIt() throws Exception {
    HttpServer closed = result(vertx.createHttpServer().requestHandler(r -> r.response().end()).listen(0, "127.0.0.1"));
    int port = closed.actualPort();
    result(closed.close());
    URI uri = URI.create("http://127.0.0.1:" + port + "/token");

    try (VertexTokenSource down = source(uri, Duration.ofSeconds(5))) {
      UpstreamException e = failure(down.token());
      assertThat(e.kind()).isEqualTo(Kind.UNREACHABLE);
      assertThat(e.getMessage()).startsWith("token request to " + uri + " failed: ")
          .doesNotContain(TestKeys.privateKeyBase64().substring(0, 40));
    }
  }

  @Test
  void anUnansweredRequestTimesOut() throws Exception {
    server.holdAnswers();
    try (VertexTokenSource impatient = source(server.tokenUri(), Duration.ofMillis(300))) {
      UpstreamException e = failure(impatient.token());
      assertThat(e.kind()).isEqualTo(Kind.UNREACHABLE);
      assertThat(e.getMessage()).startsWith("token request to " + server.tokenUri() + " failed: ");
    }
  }

  @Test
  void neitherTheKeyNorATokenAppearsInToString() throws Exception {
    String token = result(tokens.token()).value();

    assertThat(tokens.toString()).contains("vertex-eu").doesNotContain(token)
        .doesNotContain(TestKeys.privateKeyBase64().substring(0, 40));
  }
}
