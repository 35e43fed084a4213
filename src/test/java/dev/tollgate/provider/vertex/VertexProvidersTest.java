package dev.tollgate.provider.vertex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.config.MockSettings;
import dev.tollgate.config.ProviderConfig;
import dev.tollgate.config.ProviderType;
import dev.tollgate.config.Timeouts;
import dev.tollgate.protocol.canonical.Extensions;
import dev.tollgate.protocol.canonical.ChatRequest;
import dev.tollgate.protocol.canonical.ChatResponse;
import dev.tollgate.protocol.canonical.Message;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.provider.CodecUpstream;
import dev.tollgate.provider.HttpUpstream;
import dev.tollgate.provider.ProviderHttpRequest;
import dev.tollgate.provider.UpstreamException;
import dev.tollgate.provider.UpstreamResponse;
import dev.tollgate.provider.vertex.FakeTokenServer.Answer;
import dev.tollgate.provider.vertex.VertexProviders.Publisher;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Choosing the model family, default endpoints, and a whole call through a fake Vertex with a fake token endpoint. */
class VertexProvidersTest {
  private final ObjectMapper json = new ObjectMapper();
  private final Clock clock = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);
  private final VertexProviders providers = new VertexProviders(json, 4096, clock);

  @ParameterizedTest(name = "{0}")
  @CsvSource({"google, GOOGLE", "anthropic, ANTHROPIC", "Google, GOOGLE", "' anthropic ', ANTHROPIC"})
  void readsThePublisher(String configured, Publisher expected) {
    assertThat(Publisher.of(configured)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {"meta", "", "openai"})
  void anUnknownPublisherNamesTheAcceptedOnes(String configured) {
    assertThatThrownBy(() -> Publisher.of(configured))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("publisher: " + configured + " (expected: google, anthropic)");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"us-east5, https://us-east5-aiplatform.googleapis.com",
      "europe-west1, https://europe-west1-aiplatform.googleapis.com",
      "global, https://aiplatform.googleapis.com"})
  void theDefaultBaseUrlIsTheRegionalEndpoint(String location, String url) {
    assertThat(VertexProviders.defaultBaseUrl(location)).isEqualTo(URI.create(url));
  }

  static Stream<Arguments> families() {
    return Stream.of(
        Arguments.of(Publisher.GOOGLE, "gemini-2.5-flash", false,
            "/v1/projects/test-project/locations/europe-west4/publishers/google/models/gemini-2.5-flash:generateContent"),
        Arguments.of(Publisher.GOOGLE, "gemini-2.5-flash", true, "/v1/projects/test-project/locations/europe-west4"
            + "/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse"),
        Arguments.of(Publisher.ANTHROPIC, "claude-sonnet-4-5@20250929", false, "/v1/projects/test-project/locations"
            + "/europe-west4/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict"),
        Arguments.of(Publisher.ANTHROPIC, "claude-sonnet-4-5@20250929", true, "/v1/projects/test-project/locations"
            + "/europe-west4/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict"));
  }

  @ParameterizedTest(name = "{0} stream={2}")
  @MethodSource("families")
  void eachPublisherSpeaksItsFamilysFormat(Publisher publisher, String model, boolean stream, String path) {
    ProviderHttpRequest http = providers.codec(publisher, "test-project", "europe-west4")
        .encode(request(stream), model);

    assertThat(http.pathAndQuery()).isEqualTo(path);
    assertThat(http.headers()).doesNotContainKey("anthropic-version").doesNotContainKey("Authorization");
  }

  private static ChatRequest request(boolean stream) {
    return new ChatRequest("claude", List.of(), List.of(Message.user("Hello")), 64, null, null, null, List.of(),
        List.of(), null, null, null, 1, stream, null, Extensions.NONE);
  }

  /** What the fake Vertex received. */
  private record Seen(String path, String authorization, JsonNode body) {}

  private Vertx vertx;
  private FakeTokenServer tokenServer;
  private HttpServer vertexServer;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();

  private static final String CLAUDE_ANSWER = """
      {"id": "msg_vrtx_01Q8sJ2kz8VfJkWcYf7Lx3Nq", "type": "message", "role": "assistant",
       "model": "claude-sonnet-4-5-20250929", "content": [{"type": "text", "text": "Hi there."}],
       "stop_reason": "end_turn", "stop_sequence": null, "usage": {"input_tokens": 8, "output_tokens": 4}}
      """;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    tokenServer = FakeTokenServer.start(vertx, json, TestKeys.PAIR.getPublic());
    vertexServer = result(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      seen.add(new Seen(req.uri(), req.getHeader("authorization"), tree(body)));
      req.response().putHeader("content-type", "application/json").end(CLAUDE_ANSWER);
    })).listen(0, "127.0.0.1"));
  }

  @AfterEach
  void stop() throws Exception {
    tokenServer.close();
    result(vertexServer.close());
    result(vertx.close());
  }

  private JsonNode tree(Buffer body) {
    try {
      return json.readTree(body.getBytes());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static <T> T result(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private CodecUpstream claudeUpstream(VertexTokenSource tokens) {
    ProviderConfig config = new ProviderConfig("vertex-claude", ProviderType.ANTHROPIC,
        URI.create("http://127.0.0.1:" + vertexServer.actualPort()), Optional.empty(), null, Map.of(), true,
        Timeouts.DEFAULTS, 4, MockSettings.DEFAULTS);
    return providers.anthropic(new HttpUpstream(vertx, config), tokens, "test-project", "us-east5");
  }

  /** Opens the call on an event loop, as the gateway does, and reads the whole answer. */
  private Future<ChatResponse> call(CodecUpstream upstream) {
    Promise<ChatResponse> answer = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> upstream.open(request(false), "claude-sonnet-4-5@20250929", "req-1")
        .response()
        .compose(this::body)
        .map(body -> upstream.codec().decode(body))
        .onComplete(answer));
    return answer.future();
  }

  private Future<Buffer> body(UpstreamResponse response) {
    Promise<Buffer> whole = Promise.promise();
    Buffer collected = Buffer.buffer();
    response.body().handler(collected::appendBuffer).exceptionHandler(whole::tryFail)
        .endHandler(v -> whole.tryComplete(collected));
    return whole.future();
  }

  @Test
  void aClaudeCallCarriesTheServiceAccountsBearerTokenAndReusesIt() throws Exception {
    tokenServer.script = n -> Answer.token("ya29.token-" + n, 3600);
    try (VertexTokenSource tokens = new VertexTokenSource(vertx, "vertex-claude",
        TestKeys.key(json, tokenServer.tokenUri()), json, clock, Duration.ofSeconds(5));
        CodecUpstream upstream = claudeUpstream(tokens)) {

      ChatResponse first = result(call(upstream));
      ChatResponse second = result(call(upstream));

      assertThat(first.candidates().getFirst().parts()).containsExactly(new Part.Text("Hi there."));
      assertThat(second.id()).isEqualTo("msg_vrtx_01Q8sJ2kz8VfJkWcYf7Lx3Nq");
      assertThat(tokenServer.requests).hasValue(1);
      assertThat(seen).hasSize(2).allSatisfy(s -> {
        assertThat(s.path()).isEqualTo(
            "/v1/projects/test-project/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929"
                + ":rawPredict");
        assertThat(s.authorization()).isEqualTo("Bearer ya29.token-1");
        assertThat(s.body().path("anthropic_version").asText()).isEqualTo("vertex-2023-10-16");
        assertThat(s.body().has("model")).isFalse();
      });
    }
  }

  @Test
  void withoutATokenNothingIsSentAndTheCallFailsAsUnreachable() throws Exception {
    tokenServer.script = n -> new Answer(401, "{\"error\":\"invalid_client\",\"error_description\":\"The OAuth client was not found.\"}");
    try (VertexTokenSource tokens = new VertexTokenSource(vertx, "vertex-claude",
        TestKeys.key(json, tokenServer.tokenUri()), json, clock, Duration.ofSeconds(5));
        CodecUpstream upstream = claudeUpstream(tokens)) {

      Future<ChatResponse> call = call(upstream);

      assertThatThrownBy(() -> result(call)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOfSatisfying(UpstreamException.class, e -> {
            assertThat(e.kind()).isEqualTo(UpstreamException.Kind.UNREACHABLE);
            assertThat(e.provider()).isEqualTo("vertex-claude");
            assertThat(e.getMessage()).contains("HTTP 401 (invalid_client: The OAuth client was not found.)");
          });
      assertThat(seen).isEmpty();
    }
  }

  @Test
  void theAuthorizerAddsOnlyTheBearerHeader() throws Exception {
    try (VertexTokenSource tokens = new VertexTokenSource(vertx, "vertex-gemini",
        TestKeys.key(json, tokenServer.tokenUri()), json, clock, Duration.ofSeconds(5))) {
      VertexAuthorizer authorizer = new VertexAuthorizer(tokens);

      Map<String, String> headers = result(authorizer.authorize("europe-west4-aiplatform.googleapis.com",
          providers.codec(Publisher.GOOGLE, "test-project", "europe-west4").encode(request(false), "gemini-2.5-pro")));

      assertThat(headers).containsExactly(Map.entry("Authorization", "Bearer ya29.token-1"));
      assertThat(authorizer.toString()).doesNotContain("ya29");
    }
  }
}
