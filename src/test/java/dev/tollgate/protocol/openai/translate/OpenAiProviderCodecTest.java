package dev.tollgate.protocol.openai.translate;

import static dev.tollgate.protocol.openai.translate.JsonTrees.JSON;
import static dev.tollgate.protocol.openai.translate.JsonTrees.assertJsonEquals;
import static dev.tollgate.protocol.openai.translate.JsonTrees.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.protocol.canonical.Message;
import dev.tollgate.protocol.canonical.StreamEvent;
import dev.tollgate.provider.ErrorClass;
import dev.tollgate.provider.ProviderError;
import dev.tollgate.provider.ProviderHttpRequest;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The provider-facing side: the HTTP request it builds, answers it reads, errors it classifies. */
class OpenAiProviderCodecTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T01:00:00Z"), ZoneOffset.UTC);
  private final OpenAiProviderCodec openAi =
      new OpenAiProviderCodec(JSON, new OpenAiChatRoute.Standard(), OpenAiFlavor.OPENAI, CLOCK);
  private final OpenAiProviderCodec azure =
      new OpenAiProviderCodec(JSON, new OpenAiChatRoute.Azure("2024-10-21"), OpenAiFlavor.OPENAI, CLOCK);

  @Test
  void postsChatCompletionsWithTheUpstreamModel() {
    CanonicalRequests b = CanonicalRequests.with(Message.user("hi"));
    b.model = "gpt-4o-mini";
    b.maxTokens = 10;
    ProviderHttpRequest request = openAi.encode(b.build(), "gpt-4o-mini-2024-07-18");
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.pathAndQuery()).isEqualTo("/chat/completions");
    assertThat(request.headers()).isEqualTo(Map.of("Content-Type", "application/json", "Accept", "application/json"));
    assertJsonEquals(tree(request.body().toString(StandardCharsets.UTF_8)), """
        {"model":"gpt-4o-mini-2024-07-18","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":10}
        """);
  }

  @Test
  void aStreamAcceptsEventsAndAsksForUsage() {
    CanonicalRequests b = CanonicalRequests.with(Message.user("hi"));
    b.stream = true;
    ProviderHttpRequest request = openAi.encode(b.build(), "gpt-4o");
    assertThat(request.headers()).containsEntry("Accept", "text/event-stream");
    assertThat(tree(request.body().toString(StandardCharsets.UTF_8)).at("/stream_options/include_usage").asBoolean())
        .isTrue();
  }

  @Test
  void azureNamesTheDeploymentInThePathAndNotInTheBody() {
    ProviderHttpRequest request = azure.encode(CanonicalRequests.with(Message.user("hi")).build(), "gpt-4o prod");
    assertThat(request.pathAndQuery())
        .isEqualTo("/openai/deployments/gpt-4o%20prod/chat/completions?api-version=2024-10-21");
    assertJsonEquals(tree(request.body().toString(StandardCharsets.UTF_8)),
        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
  }

  @Test
  void azureNeedsAnApiVersion() {
    assertThatThrownBy(() -> new OpenAiChatRoute.Azure(" ")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void readsAnswersAndGivesEachStreamItsOwnDecoder() {
    assertThat(openAi.decode(Buffer.buffer(OpenAiResponseCodecTest.TOOL_CALL_ANSWER)).id())
        .isEqualTo("chatcmpl-Ax2bU1RFE8P0Y9uqKcErQNLcx4dDe");
    var first = openAi.streamDecoder();
    var second = openAi.streamDecoder();
    assertThat(first).isNotSameAs(second);
    first.feed(Buffer.buffer("data: {\"id\":\"a\",\"choices\":[]}\n\n"));
    assertThat(second.feed(Buffer.buffer("data: {\"id\":\"b\",\"choices\":[]}\n\n")))
        .containsExactly(new StreamEvent.Start("b", "", 0));
  }

  private static MultiMap headers(String... namesAndValues) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      headers.add(namesAndValues[i], namesAndValues[i + 1]);
    }
    return headers;
  }

  static Stream<Arguments> errors() {
    return Stream.of(
        Arguments.of(429, headers("retry-after-ms", "19500", "Retry-After", "1"),
            "{\"error\":{\"message\":\"Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM): "
                + "Limit 30000, Used 29000, Requested 1500. Please try again in 19.5s.\",\"type\":\"tokens\","
                + "\"param\":null,\"code\":\"rate_limit_exceeded\"}}",
            ErrorClass.RATE_LIMITED, "rate_limit_exceeded", 20L),
        Arguments.of(429, headers("Retry-After", "7"), "{\"error\":{\"message\":\"slow down\",\"type\":\"requests\"}}",
            ErrorClass.RATE_LIMITED, "requests", 7L),
        Arguments.of(429, headers("Retry-After", "Thu, 26 Nov 2026 01:00:30 GMT"), "",
            ErrorClass.RATE_LIMITED, "http_429", 30L),
        Arguments.of(429, headers("Retry-After", "Thu, 26 Nov 2026 00:59:00 GMT"), "",
            ErrorClass.RATE_LIMITED, "http_429", 0L),
        Arguments.of(429, headers("Retry-After", "soon"), "", ErrorClass.RATE_LIMITED, "http_429", -1L),
        Arguments.of(429, headers("retry-after-ms", "abc", "retry-after", "3"), "",
            ErrorClass.RATE_LIMITED, "http_429", 3L),
        Arguments.of(429, headers(), "{\"error\":{\"message\":\"You exceeded your current quota\","
            + "\"type\":\"insufficient_quota\",\"param\":null,\"code\":\"insufficient_quota\"}}",
            ErrorClass.RATE_LIMITED, "insufficient_quota", -1L),
        Arguments.of(500, headers(), "{\"error\":{\"message\":\"The server had an error while processing your "
            + "request. Sorry about that!\",\"type\":\"server_error\",\"param\":null,\"code\":null}}",
            ErrorClass.SERVER_ERROR, "server_error", -1L),
        Arguments.of(503, headers("Retry-After", "2"), "<html>Service Unavailable</html>",
            ErrorClass.SERVER_ERROR, "http_503", 2L),
        Arguments.of(400, headers(), "{\"error\":{\"message\":\"This model's maximum context length is 128000 "
            + "tokens. However, your messages resulted in 130401 tokens. Please reduce the length of the messages.\","
            + "\"type\":\"invalid_request_error\",\"param\":\"messages\",\"code\":\"context_length_exceeded\"}}",
            ErrorClass.CONTEXT_WINDOW_EXCEEDED, "context_length_exceeded", -1L),
        Arguments.of(400, headers(), "{\"object\":\"error\",\"message\":\"This model's maximum context length is "
            + "4096 tokens. However, you requested 5000 tokens.\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}",
            ErrorClass.CONTEXT_WINDOW_EXCEEDED, "BadRequestError", -1L),
        Arguments.of(400, headers(), "{\"error\":{\"message\":\"The response was filtered due to the prompt "
            + "triggering Azure OpenAI's content management policy.\",\"type\":null,\"param\":\"prompt\","
            + "\"code\":\"content_filter\",\"status\":400,\"innererror\":{\"code\":\"ResponsibleAIPolicyViolation\","
            + "\"content_filter_result\":{\"hate\":{\"filtered\":true,\"severity\":\"high\"}}}}}",
            ErrorClass.CONTENT_FILTERED, "content_filter", -1L),
        Arguments.of(400, headers(), "{\"error\":{\"message\":\"blocked\",\"type\":\"invalid_request_error\","
            + "\"code\":\"content_policy_violation\"}}", ErrorClass.CONTENT_FILTERED, "content_policy_violation", -1L),
        Arguments.of(401, headers(), "{\"error\":{\"message\":\"Incorrect API key provided: sk-abc***.\","
            + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}",
            ErrorClass.AUTHENTICATION, "invalid_api_key", -1L),
        Arguments.of(403, headers(), "{\"error\":{\"message\":\"Country, region, or territory not supported\","
            + "\"type\":\"request_forbidden\",\"code\":\"unsupported_country_region_territory\"}}",
            ErrorClass.AUTHENTICATION, "unsupported_country_region_territory", -1L),
        Arguments.of(404, headers(), "{\"error\":{\"message\":\"The model `gpt-5-nano-x` does not exist or you do "
            + "not have access to it.\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"model_not_found\"}}",
            ErrorClass.NOT_FOUND, "model_not_found", -1L),
        Arguments.of(422, headers(), "{\"detail\":\"Unprocessable entity\"}", ErrorClass.BAD_REQUEST, "http_422", -1L),
        Arguments.of(400, headers(), "{\"error\":\"bad thing\"}", ErrorClass.BAD_REQUEST, "http_400", -1L),
        Arguments.of(400, headers(), "{\"error\":{\"message\":\"Invalid type for 'temperature'\","
            + "\"type\":\"invalid_request_error\",\"param\":\"temperature\",\"code\":\"invalid_type\"}}",
            ErrorClass.BAD_REQUEST, "invalid_type", -1L),
        Arguments.of(413, headers(), "", ErrorClass.BAD_REQUEST, "http_413", -1L),
        Arguments.of(302, headers("Location", "https://login"), "", ErrorClass.UNREACHABLE, "http_302", -1L));
  }

  @ParameterizedTest(name = "[{index}] {0} -> {3}")
  @MethodSource("errors")
  void classifiesErrorAnswers(int status, MultiMap headers, String body, ErrorClass expected, String type,
      long retryAfter) {
    ProviderError error = openAi.decodeError(status, headers, Buffer.buffer(body));
    assertThat(error.status()).isEqualTo(status);
    assertThat(error.errorClass()).isEqualTo(expected);
    assertThat(error.type()).isEqualTo(type);
    assertThat(error.retryAfterSeconds()).isEqualTo(retryAfter);
    assertThat(error.message()).isNotBlank();
  }

  @Test
  void theMessageIsTheProvidersOwnOrItsBodyCutShort() {
    assertThat(openAi.decodeError(400, headers(), Buffer.buffer("{\"error\":\"bad thing\"}")).message())
        .isEqualTo("bad thing");
    assertThat(openAi.decodeError(422, headers(), Buffer.buffer("{\"detail\":\"Unprocessable entity\"}")).message())
        .isEqualTo("Unprocessable entity");
    assertThat(openAi.decodeError(503, headers(), Buffer.buffer(" <html>down</html>\n")).message())
        .isEqualTo("<html>down</html>");
    assertThat(openAi.decodeError(502, headers(), Buffer.buffer("x".repeat(2000))).message())
        .hasSize(503).endsWith("...");
    assertThat(openAi.decodeError(413, headers(), Buffer.buffer()).message()).contains("413");
  }

  @Test
  void neverThrowsWhateverTheBodyHolds() {
    String[] shapes = {"null", "[]", "1", "\"x\"", "{\"error\":[1]}", "{\"error\":{\"message\":{}}}",
        "{\"error\":{\"code\":{},\"type\":[],\"innererror\":5}}", "{\"message\":null}", "{\"detail\":[{}]}", "{",
        "\u0000\u00ff"};
    for (int status : new int[] {0, 200, 302, 400, 401, 404, 413, 429, 500, 599, 999}) {
      for (String shape : shapes) {
        assertThat(openAi.decodeError(status, headers("Retry-After", shape), Buffer.buffer(shape)).message())
            .isNotNull();
      }
      assertThat(openAi.decodeError(status, null, null).retryAfterSeconds()).isEqualTo(-1);
    }
    Random random = new Random(42L);
    for (int i = 0; i < 500; i++) {
      byte[] bytes = new byte[random.nextInt(64)];
      random.nextBytes(bytes);
      ProviderError error = openAi.decodeError(400 + random.nextInt(200), headers(), Buffer.buffer(bytes));
      assertThat(error.errorClass()).isNotNull();
    }
  }
}
