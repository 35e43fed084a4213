package dev.tollgate.provider.vertex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocol.anthropic.AnthropicProviderCodec;
import dev.tollgate.protocol.canonical.Extensions;
import dev.tollgate.protocol.canonical.ChatRequest;
import dev.tollgate.protocol.canonical.ChatResponse;
import dev.tollgate.protocol.canonical.Message;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.StopReason;
import dev.tollgate.protocol.canonical.StreamDecoder;
import dev.tollgate.protocol.canonical.StreamEvent;
import dev.tollgate.protocol.canonical.TranslationException;
import dev.tollgate.provider.ErrorClass;
import dev.tollgate.provider.ProviderError;
import dev.tollgate.provider.ProviderHttpRequest;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Claude on Vertex: rawPredict paths, the Messages body without model and with anthropic_version, Anthropic answers. */
class VertexAnthropicCodecTest {
  private static final long NOW = 1_764_000_000L;
  private final ObjectMapper json = new ObjectMapper();
  private final AnthropicProviderCodec anthropic = new AnthropicProviderCodec(json, 4096,
      Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC));
  private final VertexAnthropicCodec codec = new VertexAnthropicCodec(json, anthropic, "test-project", "us-east5");

  private static ChatRequest request(boolean stream, Message... messages) {
    return new ChatRequest("claude", List.of(new Part.Text("Be brief.")), List.of(messages), 256, 0.2, null, null,
        List.of(), List.of(), null, null, null, 1, stream, null, Extensions.NONE);
  }

  private JsonNode tree(Buffer body) {
    try {
      return json.readTree(body.getBytes());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private JsonNode tree(String text) {
    try {
      return json.readTree(text);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void postsToRawPredictWithTheVertexVersionInTheBody() {
    ProviderHttpRequest http = codec.encode(request(false, Message.user("Hello, Claude")), "claude-sonnet-4-5@20250929");

    assertThat(http.method()).isEqualTo("POST");
    assertThat(http.pathAndQuery()).isEqualTo(
        "/v1/projects/test-project/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict");
    assertThat(http.headers()).containsExactly(Map.entry("content-type", "application/json"));
    assertThat(tree(http.body())).isEqualTo(tree("""
        {"anthropic_version": "vertex-2023-10-16",
         "system": "Be brief.",
         "messages": [{"role": "user", "content": "Hello, Claude"}],
         "max_tokens": 256,
         "temperature": 0.2}
        """));
  }

  @Test
  void streamsThroughStreamRawPredictKeepingStreamTrue() {
    ProviderHttpRequest http = codec.encode(request(true, Message.user("Hello, Claude")), "claude-opus-4-1@20250805");

    assertThat(http.pathAndQuery()).isEqualTo(
        "/v1/projects/test-project/locations/us-east5/publishers/anthropic/models/claude-opus-4-1@20250805"
            + ":streamRawPredict");
    assertThat(tree(http.body()).path("stream").asBoolean()).isTrue();
    assertThat(tree(http.body()).has("model")).isFalse();
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void theBodyIsAnthropicsLessModelPlusVersion(boolean stream) {
    ChatRequest r = request(stream, Message.user("What is 2+2?"),
        new Message(dev.tollgate.protocol.canonical.Role.ASSISTANT, List.of(new Part.Text("4"))),
        Message.user("And 3+3?"));

    ObjectNode expected = (ObjectNode) tree(anthropic.encode(r, "claude-haiku-4-5@20251001").body());
    assertThat(expected.path("model").asText()).isEqualTo("claude-haiku-4-5@20251001");
    expected.remove("model");
    expected.put("anthropic_version", "vertex-2023-10-16");

    assertThat(tree(codec.encode(r, "claude-haiku-4-5@20251001").body())).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"claude/../../other", "claude?alt=x", "", "@claude", "claude sonnet"})
  void aModelThatIsNotOnePathSegmentIsRefused(String model) {
    assertThatThrownBy(() -> codec.encode(request(false, Message.user("hi")), model))
        .isInstanceOfSatisfying(TranslationException.class, e -> assertThat(e.getMessage()).contains(model))
        .hasMessageContaining("is not a Vertex model name");
  }

  @ParameterizedTest(name = "{0} / {1}")
  @MethodSource("badPlaces")
  void projectAndLocationMustBeSinglePathSegments(String project, String location) {
    assertThatThrownBy(() -> new VertexAnthropicCodec(json, anthropic, project, location))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("single path segments");
  }

  static Stream<Arguments> badPlaces() {
    return Stream.of(Arguments.of("my/project", "us-east5"), Arguments.of("p", "us-east5/x"),
        Arguments.of("p@1", "us-east5"), Arguments.of("", "us-east5"));
  }

  /** The non-streaming example answer of Google's Claude-on-Vertex documentation, in Anthropic's shape. */
  private static final String ANSWER = """
      {"id": "msg_vrtx_013Sprq1J4eU6ZfDcZJZpWGe",
       "type": "message",
       "role": "assistant",
       "model": "claude-sonnet-4-5-20250929",
       "content": [{"type": "text", "text": "Hello! How can I help you today?"}],
       "stop_reason": "end_turn",
       "stop_sequence": null,
       "usage": {"input_tokens": 12, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
                 "output_tokens": 12}}
      """;

  @Test
  void decodesAnswersAsAnthropicDoes() {
    Buffer body = Buffer.buffer(ANSWER);

    ChatResponse answer = codec.decode(body);

    assertThat(answer).isEqualTo(anthropic.decode(body));
    assertThat(answer.id()).isEqualTo("msg_vrtx_013Sprq1J4eU6ZfDcZJZpWGe");
    assertThat(answer.candidates()).singleElement().satisfies(c -> {
      assertThat(c.parts()).containsExactly(new Part.Text("Hello! How can I help you today?"));
      assertThat(c.stopReason()).isEqualTo(StopReason.END);
    });
    assertThat(answer.usage().input()).isEqualTo(12);
    assertThat(answer.usage().output()).isEqualTo(12);
  }

  @Test
  void aMalformedAnswerIsATranslationException() {
    assertThatThrownBy(() -> codec.decode(Buffer.buffer("{\"predictions\": []")))
        .isInstanceOf(TranslationException.class);
  }

  /** A streamRawPredict answer: Anthropic's server-sent events, as Vertex relays them. */
  private static final String STREAM = """
      event: message_start
      data: {"type":"message_start","message":{"id":"msg_vrtx_01Ga8Re3Wr7mkPm3SdwAN1Xv","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":14,"output_tokens":1}}}

      event: ping
      data: {"type": "ping"}

      event: content_block_start
      data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

      event: content_block_delta
      data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Bonjour"}}

      event: content_block_delta
      data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" ! \u00c7a va ?"}}

      event: content_block_stop
      data: {"type":"content_block_stop","index":0}

      event: message_delta
      data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":9}}

      event: message_stop
      data: {"type":"message_stop"}

      """;

  private static List<StreamEvent> decode(StreamDecoder decoder, byte[]... chunks) {
    List<StreamEvent> events = new ArrayList<>();
    for (byte[] chunk : chunks) {
      events.addAll(decoder.feed(Buffer.buffer(chunk)));
    }
    events.addAll(decoder.end());
    return events;
  }

  @Test
  void decodesAStreamTheSameHoweverItIsSplit() {
    byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
    List<StreamEvent> whole = decode(codec.streamDecoder(), bytes);

    assertThat(whole).isEqualTo(decode(anthropic.streamDecoder(), bytes));
    assertThat(whole).contains(new StreamEvent.TextDelta(0, "Bonjour"), new StreamEvent.TextDelta(0, " ! Ça va ?"),
        new StreamEvent.Finish(0, StopReason.END));
    assertThat(whole.getLast()).isEqualTo(new StreamEvent.End());
    for (int cut = 1; cut < bytes.length; cut++) {
      byte[] head = java.util.Arrays.copyOfRange(bytes, 0, cut);
      byte[] tail = java.util.Arrays.copyOfRange(bytes, cut, bytes.length);
      assertThat(decode(codec.streamDecoder(), head, tail)).as("split at byte %d", cut).isEqualTo(whole);
    }
  }

  static Stream<Arguments> errors() {
    return Stream.of(
        // Vertex's own front end answers in Google's error shape.
        Arguments.of(429, """
            {"error": {"code": 429, "message": "Quota exceeded for aiplatform.googleapis.com/online_prediction_input_tokens_per_minute_per_base_model with base model: anthropic-claude-sonnet-4-5. Please submit a quota increase request.", "status": "RESOURCE_EXHAUSTED"}}
            """, ErrorClass.RATE_LIMITED, "Quota exceeded for aiplatform.googleapis.com/"),
        Arguments.of(404, """
            {"error": {"code": 404, "message": "Publisher Model `projects/test-project/locations/us-east5/publishers/anthropic/models/claude-sonnet-9` not found.", "status": "NOT_FOUND"}}
            """, ErrorClass.NOT_FOUND, "Publisher Model `projects/test-project"),
        Arguments.of(403, """
            {"error": {"code": 403, "message": "Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/test-project/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5'.", "status": "PERMISSION_DENIED"}}
            """, ErrorClass.AUTHENTICATION, "Permission 'aiplatform.endpoints.predict' denied"),
        // The model's own errors keep Anthropic's shape.
        Arguments.of(529, """
            {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
            """, ErrorClass.SERVER_ERROR, "Overloaded"),
        Arguments.of(400, """
            {"type": "error", "error": {"type": "invalid_request_error", "message": "prompt is too long: 210000 tokens > 200000 maximum"}}
            """, ErrorClass.CONTEXT_WINDOW_EXCEEDED, "prompt is too long"));
  }

  @ParameterizedTest(name = "{0} {2}")
  @MethodSource("errors")
  void classifiesVertexAndAnthropicErrors(int status, String body, ErrorClass expected, String message) {
    ProviderError error = codec.decodeError(status, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer(body));

    assertThat(error.status()).isEqualTo(status);
    assertThat(error.errorClass()).isEqualTo(expected);
    assertThat(error.message()).startsWith(message);
  }

  @Test
  void anthropicBetaFlagsGoInTheBodyNotAHeader() throws Exception {
    ProviderHttpRequest http = codec.withCallerHeaders(
        codec.encode(request(false, Message.user("Hello, Claude")), "claude-sonnet-4-5@20250929"),
        java.util.Map.of("anthropic-beta", "interleaved-thinking-2025-05-14, context-1m-2025-08-07"));

    com.fasterxml.jackson.databind.JsonNode body = json.readTree(http.body().getBytes());
    assertThat(body.get("anthropic_beta").toString())
        .isEqualTo("[\"interleaved-thinking-2025-05-14\",\"context-1m-2025-08-07\"]");
    assertThat(http.headers()).doesNotContainKey("anthropic-beta");
    assertThat(body.get("anthropic_version").asText()).isEqualTo("vertex-2023-10-16");
  }
}
