package dev.tollgate.protocol.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocol.canonical.Extensions;
import dev.tollgate.protocol.canonical.ChatRequest;
import dev.tollgate.protocol.canonical.ChatResponse;
import dev.tollgate.protocol.canonical.Message;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.ResponseFormat;
import dev.tollgate.protocol.canonical.Role;
import dev.tollgate.protocol.canonical.StopReason;
import dev.tollgate.protocol.canonical.Tool;
import dev.tollgate.protocol.canonical.ToolChoice;
import dev.tollgate.protocol.canonical.TranslationException;
import dev.tollgate.protocol.canonical.Usage;
import dev.tollgate.provider.ErrorClass;
import dev.tollgate.provider.ProviderError;
import dev.tollgate.provider.ProviderHttpRequest;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Anthropic as a provider: canonical requests out, messages, streams and errors back. */
class AnthropicProviderCodecTest {
  private static final long NOW = 1_764_000_000L;
  private final ObjectMapper json = new ObjectMapper();
  private final AnthropicProviderCodec codec = new AnthropicProviderCodec(json, 4096,
      Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC));

  private JsonNode tree(String text) {
    try {
      return json.readTree(text.replace('\'', '"'));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static ChatRequest request(List<Message> messages) {
    return new ChatRequest("gpt-4o", List.of(), messages, null, null, null, null, List.of(), List.of(), null, null,
        null, 1, false, null, Extensions.NONE);
  }

  private JsonNode body(ChatRequest request) {
    try {
      return json.readTree(codec.encode(request, "claude-sonnet-4-5").body().getBytes());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void postsToMessagesWithTheVersionHeaderAndNoCredentials() {
    ProviderHttpRequest http = codec.encode(request(List.of(Message.user("hi"))), "claude-sonnet-4-5");
    assertThat(http.method()).isEqualTo("POST");
    assertThat(http.pathAndQuery()).isEqualTo("/v1/messages");
    assertThat(http.headers()).containsExactlyInAnyOrderEntriesOf(
        Map.of("anthropic-version", "2023-06-01", "content-type", "application/json"));
  }

  @Test
  void encodesAToolConversationFromAnotherFormat() {
    ChatRequest r = new ChatRequest("gpt-4o",
        List.of(new Part.Text("You are terse."), new Part.Text("Answer in French.")),
        List.of(
            Message.user("Weather in Paris and Lyon?"),
            new Message(Role.ASSISTANT, List.of(new Part.Text(""),
                new Part.ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}"),
                new Part.ToolCall("call_2", "get_weather", "{\"city\":\"Lyon\"}"))),
            new Message(Role.TOOL, List.of(new Part.ToolResult("call_1", List.of(new Part.Text("18C")), false))),
            new Message(Role.TOOL, List.of(new Part.ToolResult("call_2", List.of(new Part.Text("no data")), true))),
            new Message(Role.USER, List.of(new Part.Text("And this?"),
                Part.Image.ofUrl("data:image/png;base64,iVBORw0KGgo="),
                Part.Image.ofUrl("https://example.com/cat.jpg")))),
        null, 0.2, 0.9, null, List.of("STOP"),
        List.of(new Tool("get_weather", "Current weather", "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}"),
            new Tool("ping", null, null)),
        ToolChoice.REQUIRED, false, ResponseFormat.TEXT, 1, true, "user-7", Extensions.NONE);
    assertThat(body(r)).isEqualTo(tree("""
        {'model':'claude-sonnet-4-5','max_tokens':4096,
         'system':[{'type':'text','text':'You are terse.'},{'type':'text','text':'Answer in French.'}],
         'messages':[
          {'role':'user','content':'Weather in Paris and Lyon?'},
          {'role':'assistant','content':[
            {'type':'tool_use','id':'call_1','name':'get_weather','input':{'city':'Paris'}},
            {'type':'tool_use','id':'call_2','name':'get_weather','input':{'city':'Lyon'}}]},
          {'role':'user','content':[
            {'type':'tool_result','tool_use_id':'call_1','content':'18C'},
            {'type':'tool_result','tool_use_id':'call_2','content':'no data','is_error':true},
            {'type':'text','text':'And this?'},
            {'type':'image','source':{'type':'base64','media_type':'image/png','data':'iVBORw0KGgo='}},
            {'type':'image','source':{'type':'url','url':'https://example.com/cat.jpg'}}]}],
         'temperature':0.2,'top_p':0.9,'stop_sequences':['STOP'],
         'tools':[{'name':'get_weather','description':'Current weather',
                   'input_schema':{'type':'object','properties':{'city':{'type':'string'}}}},
                  {'name':'ping','input_schema':{'type':'object','properties':{}}}],
         'tool_choice':{'type':'any','disable_parallel_tool_use':true},
         'stream':true,'metadata':{'user_id':'user-7'}}"""));
  }

  @Test
  void mergesConsecutiveTurnsOfOneRole() {
    JsonNode out = body(request(List.of(Message.user("a"), Message.user("b"), Message.assistant("c"),
        Message.assistant("d"))));
    assertThat(out.get("messages")).isEqualTo(tree("""
        [{'role':'user','content':[{'type':'text','text':'a'},{'type':'text','text':'b'}]},
         {'role':'assistant','content':[{'type':'text','text':'c'},{'type':'text','text':'d'}]}]"""));
  }

  @Test
  void keepsTheCallersMaxTokensAndSendsAnthropicExtensionsOn() {
    ChatRequest r = new ChatRequest("m", List.of(), List.of(Message.user("x")), 100, null, null, 5, List.of(),
        List.of(), ToolChoice.NONE, null, null, 1, false, null,
        Extensions.anthropic(Map.of("thinking", "{\"type\":\"enabled\",\"budget_tokens\":2048}", "service_tier", "\"auto\"")));
    JsonNode out = body(r);
    assertThat(out.get("max_tokens").asInt()).isEqualTo(100);
    assertThat(out.get("top_k").asInt()).isEqualTo(5);
    assertThat(out.get("thinking")).isEqualTo(tree("{'type':'enabled','budget_tokens':2048}"));
    assertThat(out.get("service_tier").asText()).isEqualTo("auto");
    assertThat(out.has("tool_choice")).as("no tools, so 'none' needs no tool_choice").isFalse();
  }

  @Test
  void sendsSignedAndRedactedThinkingBack() {
    JsonNode out = body(request(List.of(Message.user("q"), new Message(Role.ASSISTANT, List.of(
        new Part.Reasoning("hmm", "sig", null), new Part.Reasoning("", null, "opaque"), new Part.Text("a"))))));
    assertThat(out.get("messages").get(1).get("content")).isEqualTo(tree("""
        [{'type':'thinking','thinking':'hmm','signature':'sig'},{'type':'redacted_thinking','data':'opaque'},
         {'type':'text','text':'a'}]"""));
  }

  @Test
  void sendsAJsonSchemaResponseFormatAsJsonOutputs() {
    ChatRequest r = new ChatRequest("m", List.of(), List.of(Message.user("x")), null, null, null, null, List.of(),
        List.of(), null, null, new ResponseFormat.JsonSchema("person", "{\"type\":\"object\",\"properties\":"
            + "{\"name\":{\"type\":\"string\"}},\"additionalProperties\":false}", false),
        1, false, null, Extensions.anthropic(Map.of("output_config", "{\"effort\":\"medium\"}")));
    assertThat(body(r).get("output_config")).isEqualTo(tree("""
        {'effort':'medium','format':{'type':'json_schema','schema':{'type':'object',
          'properties':{'name':{'type':'string'}},'additionalProperties':false}}}"""));
  }

  static Stream<Arguments> refusals() {
    ChatRequest base = request(List.of(Message.user("x")));
    return Stream.<Arguments>of(
        Arguments.of("n", (UnaryOperator<ChatRequest>) r -> with(r, 3, null, Extensions.NONE, r.messages()), "n"),
        Arguments.of("json mode", (UnaryOperator<ChatRequest>) r -> with(r, 1, new ResponseFormat.JsonObject(),
            Extensions.NONE, r.messages()), "response_format"),
        Arguments.of("schema not an object", (UnaryOperator<ChatRequest>) r -> with(r, 1,
            new ResponseFormat.JsonSchema("s", "true", true), Extensions.NONE, r.messages()),
            "response_format.json_schema.schema"),
        Arguments.of("schema and output_config format both", (UnaryOperator<ChatRequest>) r -> with(r, 1,
            new ResponseFormat.JsonSchema("s", "{}", true), Extensions.anthropic(Map.of("output_config", "{\"format\":{}}")),
            r.messages()), "response_format"),
        Arguments.of("foreign extension", (UnaryOperator<ChatRequest>) r -> with(r, 1, null,
            Extensions.openAi(Map.of("logprobs", "true")), r.messages()), "logprobs"),
        Arguments.of("unsigned reasoning", (UnaryOperator<ChatRequest>) r -> with(r, 1, null, Extensions.NONE, List.of(
            Message.user("q"), new Message(Role.ASSISTANT, List.of(new Part.Reasoning("r", null, null))))),
            "messages[1].content[0]"),
        Arguments.of("empty signature", (UnaryOperator<ChatRequest>) r -> with(r, 1, null, Extensions.NONE, List.of(
            Message.user("q"), new Message(Role.ASSISTANT, List.of(new Part.Reasoning("r", "", null))))),
            "messages[1].content[0]"),
        Arguments.of("image detail", (UnaryOperator<ChatRequest>) r -> with(r, 1, null, Extensions.NONE, List.of(
            new Message(Role.USER, List.of(new Part.Image("https://a/b.png", null, null, "high"))))),
            "messages[0].content[0].detail"),
        Arguments.of("data url without base64", (UnaryOperator<ChatRequest>) r -> with(r, 1, null, Extensions.NONE,
            List.of(new Message(Role.USER, List.of(Part.Image.ofUrl("data:text/plain,hello"))))),
            "messages[0].content[0].url"),
        Arguments.of("image from the assistant", (UnaryOperator<ChatRequest>) r -> with(r, 1, null, Extensions.NONE,
            List.of(new Message(Role.ASSISTANT, List.of(Part.Image.ofUrl("https://a/b.png"))))),
            "messages[0].content[0]"),
        Arguments.of("tool call from the user", (UnaryOperator<ChatRequest>) r -> with(r, 1, null, Extensions.NONE,
            List.of(new Message(Role.USER, List.of(new Part.ToolCall("a", "f", "{}"))))), "messages[0].content[0]"),
        Arguments.of("text in a tool message", (UnaryOperator<ChatRequest>) r -> with(r, 1, null, Extensions.NONE,
            List.of(new Message(Role.TOOL, List.of(new Part.Text("x"))))), "messages[0].content[0]"),
        Arguments.of("broken tool arguments", (UnaryOperator<ChatRequest>) r -> with(r, 1, null, Extensions.NONE,
            List.of(new Message(Role.ASSISTANT, List.of(new Part.ToolCall("a", "f", "{\"x\":"))))),
            "messages[0].content[0]"),
        Arguments.of("tool required without tools", (UnaryOperator<ChatRequest>) r -> new ChatRequest(r.model(),
            r.system(), r.messages(), null, null, null, null, List.of(), List.of(), ToolChoice.REQUIRED, null, null,
            1, false, null, Extensions.NONE), "tool_choice"),
        Arguments.of("schema not an object", (UnaryOperator<ChatRequest>) r -> new ChatRequest(r.model(),
            r.system(), r.messages(), null, null, null, null, List.of(), List.of(new Tool("f", null, "[]")), null,
            null, null, 1, false, null, Extensions.NONE), "tools[0].parameters"))
        .map(a -> Arguments.of(a.get()[0], ((UnaryOperator<ChatRequest>) a.get()[1]).apply(base), a.get()[2]));
  }

  private static ChatRequest with(ChatRequest r, int n, ResponseFormat format, Extensions ext,
      List<Message> messages) {
    return new ChatRequest(r.model(), r.system(), messages, r.maxTokens(), null, null, null, List.of(), List.of(),
        null, null, format, n, false, null, ext);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void refusesWhatAnthropicCannotExpressNamingTheField(String name, ChatRequest request, String field) {
    assertThatThrownBy(() -> codec.encode(request, "claude"))
        .isInstanceOfSatisfying(TranslationException.class, e -> assertThat(e.field()).isEqualTo(field));
  }

  @Test
  void decodesTheDocumentationsMessage() {
    ChatResponse r = codec.decode(Buffer.buffer("""
        {"id": "msg_013Zva2CMHLNnXjNJJKqJ2EF", "type": "message", "role": "assistant",
         "content": [{"type": "text", "text": "Hi! My name is Claude.", "citations": null}],
         "model": "claude-sonnet-4-5-20250929", "stop_reason": "end_turn", "stop_sequence": null,
         "usage": {"input_tokens": 2095, "cache_creation_input_tokens": 2051, "cache_read_input_tokens": 0,
                   "cache_creation": {"ephemeral_5m_input_tokens": 2051, "ephemeral_1h_input_tokens": 0},
                   "output_tokens": 503, "service_tier": "standard"}}"""));
    assertThat(r).isEqualTo(new ChatResponse("msg_013Zva2CMHLNnXjNJJKqJ2EF", "claude-sonnet-4-5-20250929", NOW,
        List.of(new ChatResponse.Candidate(0, List.of(new Part.Text("Hi! My name is Claude.")), StopReason.END)),
        new Usage(2095 + 2051, 503, 0, 2051, 0)));
  }

  @Test
  void decodesThinkingAndToolUse() {
    ChatResponse r = codec.decode(Buffer.buffer("""
        {"id": "msg_01Aq9w938a90dw8q", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
         "content": [
          {"type": "thinking", "thinking": "The user wants the weather.", "signature": "EqQBCgIYAhIM"},
          {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix"},
          {"type": "text", "text": "I'll check."},
          {"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "get_weather",
           "input": {"location": "San Francisco, CA", "unit": "celsius"}}],
         "stop_reason": "tool_use", "stop_sequence": null,
         "usage": {"input_tokens": 10, "cache_read_input_tokens": 90, "output_tokens": 20}}"""));
    assertThat(r.candidates().getFirst()).isEqualTo(new ChatResponse.Candidate(0, List.of(
        new Part.Reasoning("The user wants the weather.", "EqQBCgIYAhIM", null),
        new Part.Reasoning("", null, "EmwKAhgBEgy3va3pzix"),
        new Part.Text("I'll check."),
        new Part.ToolCall("toolu_01A09q90qw90lq917835lq9", "get_weather",
            "{\"location\":\"San Francisco, CA\",\"unit\":\"celsius\"}")), StopReason.TOOL_CALLS));
    assertThat(r.usage()).isEqualTo(new Usage(100, 20, 90, 0, 0));
  }

  static Stream<Arguments> malformedAnswers() {
    return Stream.of(
        Arguments.of("", "body"),
        Arguments.of("<html>502 Bad Gateway</html>", "body"),
        Arguments.of("[]", "body"),
        Arguments.of("{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"x\"}}", "type"),
        Arguments.of("{\"type\":\"message\",\"content\":[]}", "id"),
        Arguments.of("{\"type\":\"message\",\"id\":\"m\",\"content\":{}}", "content"),
        Arguments.of("{\"type\":\"message\",\"id\":\"m\",\"content\":[{\"type\":\"mystery\"}]}", "content[0].type"),
        Arguments.of("{\"type\":\"message\",\"id\":\"m\",\"content\":[{\"type\":\"server_tool_use\"}]}",
            "content[0].type"),
        Arguments.of("{\"type\":\"message\",\"id\":\"m\",\"content\":[{\"type\":\"text\"}]}", "content[0].text"));
  }

  @ParameterizedTest(name = "{1}: {0}")
  @MethodSource("malformedAnswers")
  void refusesAnswersThatAreNotAnthropicMessages(String body, String field) {
    assertThatThrownBy(() -> codec.decode(Buffer.buffer(body)))
        .isInstanceOfSatisfying(TranslationException.class, e -> assertThat(e.field()).isEqualTo(field));
  }

  static Stream<Arguments> errors() {
    return Stream.of(
        Arguments.of(429, Map.of("retry-after", "30"),
            "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"Number of request tokens has exceeded your per-minute rate limit\"}}",
            ErrorClass.RATE_LIMITED, "rate_limit_error", "per-minute rate limit", 30L),
        Arguments.of(429, Map.of(), "{}", ErrorClass.RATE_LIMITED, "rate_limit_error", "{}", -1L),
        Arguments.of(429, Map.of("retry-after", "soon"), "slow down", ErrorClass.RATE_LIMITED, "rate_limit_error",
            "slow down", -1L),
        Arguments.of(529, Map.of(), "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}",
            ErrorClass.SERVER_ERROR, "overloaded_error", "Overloaded", -1L),
        Arguments.of(500, Map.of(), "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"Internal server error\"}}",
            ErrorClass.SERVER_ERROR, "api_error", "Internal server error", -1L),
        Arguments.of(503, Map.of("retry-after", "5"), "<html><body>Service Unavailable</body></html>",
            ErrorClass.SERVER_ERROR, "api_error", "<html><body>Service Unavailable", 5L),
        Arguments.of(502, Map.of(), "", ErrorClass.SERVER_ERROR, "api_error", "HTTP 502", -1L),
        Arguments.of(400, Map.of(), "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"prompt is too long: 208924 tokens > 200000 maximum\"}}",
            ErrorClass.CONTEXT_WINDOW_EXCEEDED, "invalid_request_error", "prompt is too long", -1L),
        Arguments.of(400, Map.of(), "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"input length and `max_tokens` exceed context limit: 198000 + 8192 > 200000, decrease input length or `max_tokens` and try again\"}}",
            ErrorClass.CONTEXT_WINDOW_EXCEEDED, "invalid_request_error", "exceed context limit", -1L),
        Arguments.of(400, Map.of(), "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"messages.0.content: Field required\"}}",
            ErrorClass.BAD_REQUEST, "invalid_request_error", "Field required", -1L),
        Arguments.of(401, Map.of(), "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"invalid x-api-key\"}}",
            ErrorClass.AUTHENTICATION, "authentication_error", "invalid x-api-key", -1L),
        Arguments.of(403, Map.of(), "forbidden", ErrorClass.AUTHENTICATION, "permission_error", "forbidden", -1L),
        Arguments.of(404, Map.of(), "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":\"model: claude-x\"}}",
            ErrorClass.NOT_FOUND, "not_found_error", "model: claude-x", -1L),
        Arguments.of(413, Map.of(), "{\"type\":\"error\",\"error\":{\"type\":\"request_too_large\",\"message\":\"Request exceeds the maximum allowed number of bytes.\"}}",
            ErrorClass.BAD_REQUEST, "request_too_large", "maximum allowed", -1L),
        Arguments.of(422, Map.of(), "\u0000\u0001garbage", ErrorClass.BAD_REQUEST, "invalid_request_error", "garbage",
            -1L),
        Arguments.of(400, Map.of(), "{\"error\":\"not the shape\"}", ErrorClass.BAD_REQUEST, "invalid_request_error",
            "not the shape", -1L));
  }

  @ParameterizedTest(name = "{0} {3}")
  @MethodSource("errors")
  void classifiesErrorsEvenFromGarbageBodies(int status, Map<String, String> headers, String body,
      ErrorClass errorClass, String type, String message, long retryAfter) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    headers.forEach(h::add);
    ProviderError e = codec.decodeError(status, h, Buffer.buffer(body));
    assertThat(e.status()).isEqualTo(status);
    assertThat(e.errorClass()).isEqualTo(errorClass);
    assertThat(e.type()).isEqualTo(type);
    assertThat(e.message()).contains(message);
    assertThat(e.retryAfterSeconds()).isEqualTo(retryAfter);
  }

  @Test
  void readsAnHttpDateRetryAfterAgainstTheClock() {
    MultiMap h = MultiMap.caseInsensitiveMultiMap().add("Retry-After", "Mon, 24 Nov 2025 16:00:42 GMT");
    AnthropicProviderCodec at = new AnthropicProviderCodec(json, 1,
        Clock.fixed(Instant.parse("2025-11-24T16:00:00Z"), ZoneOffset.UTC));
    assertThat(at.decodeError(429, h, Buffer.buffer()).retryAfterSeconds()).isEqualTo(42);
  }

  @Test
  void neverThrowsOnNullHeadersOrBody() {
    ProviderError e = codec.decodeError(500, null, null);
    assertThat(e.errorClass()).isEqualTo(ErrorClass.SERVER_ERROR);
    assertThat(e.message()).isEqualTo("HTTP 500");
  }

  @Test
  void aLongGarbageBodyIsCutInTheMessage() {
    ProviderError e = codec.decodeError(500, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer("x".repeat(5000)));
    assertThat(e.message()).hasSize(1000);
  }

  @Test
  void refusesANonPositiveDefaultMaxTokens() {
    assertThatThrownBy(() -> new AnthropicProviderCodec(json, 0, Clock.systemUTC()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("defaultMaxTokens");
  }
}
