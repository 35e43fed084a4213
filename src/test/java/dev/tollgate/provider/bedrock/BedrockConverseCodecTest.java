package dev.tollgate.provider.bedrock;

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
import dev.tollgate.provider.ProviderHttpRequest;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Converse requests and whole answers, against the Bedrock API reference's shapes. */
class BedrockConverseCodecTest {
  private static final String CLAUDE = "anthropic.claude-3-5-sonnet-20240620-v1:0";
  private static final Tool TOP_SONG = new Tool("top_song", "Get the most popular song played on a radio station.",
      "{\"type\":\"object\",\"properties\":{\"sign\":{\"type\":\"string\",\"description\":\"The call sign\"}},"
          + "\"required\":[\"sign\"]}");

  private final ObjectMapper json = new ObjectMapper();
  private final BedrockConverseCodec codec = new BedrockConverseCodec(json);

  private static ChatRequest request(List<Message> messages) {
    return new ChatRequest("m", List.of(), messages, null, null, null, null, List.of(), List.of(), null, null, null,
        1, false, null, Extensions.NONE);
  }

  private static ChatRequest with(ChatRequest r, List<Tool> tools, ToolChoice choice) {
    return new ChatRequest(r.model(), r.system(), r.messages(), r.maxTokens(), r.temperature(), r.topP(), r.topK(),
        r.stop(), tools, choice, r.parallelToolCalls(), r.responseFormat(), r.candidates(), r.stream(), r.user(),
        r.extensions());
  }

  private JsonNode body(ProviderHttpRequest request) throws Exception {
    return json.readTree(request.body().getBytes());
  }

  private JsonNode tree(String s) throws Exception {
    return json.readTree(s);
  }

  private static TranslationException refusal(Runnable r) {
    try {
      r.run();
    } catch (TranslationException e) {
      return e;
    }
    throw new AssertionError("expected a TranslationException");
  }

  // ---------------------------------------------------------------- encode

  @Test
  void encodesTheConverseReferenceTextRequest() throws Exception {
    ChatRequest r = new ChatRequest("m", List.of(new Part.Text("You are an app that creates playlists for a radio station.")),
        List.of(Message.user("Create a list of 3 pop songs.")), 512, 0.5, 0.9, null, List.of("\n\nHuman:"),
        List.of(), null, null, null, 1, false, null, Extensions.NONE);

    ProviderHttpRequest http = codec.encode(r, CLAUDE);

    assertThat(http.method()).isEqualTo("POST");
    assertThat(http.pathAndQuery()).isEqualTo("/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse");
    assertThat(http.headers()).containsEntry("Content-Type", "application/json").containsEntry("Accept", "application/json");
    assertThat(body(http)).isEqualTo(tree("""
        {"system": [{"text": "You are an app that creates playlists for a radio station."}],
         "messages": [{"role": "user", "content": [{"text": "Create a list of 3 pop songs."}]}],
         "inferenceConfig": {"maxTokens": 512, "temperature": 0.5, "topP": 0.9, "stopSequences": ["\\n\\nHuman:"]}}
        """));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "anthropic.claude-3-5-sonnet-20240620-v1:0, /model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse-stream",
      "us.anthropic.claude-3-7-sonnet-20250219-v1:0, /model/us.anthropic.claude-3-7-sonnet-20250219-v1%3A0/converse-stream",
      "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0, "
          + "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.amazon.nova-pro-v1%3A0/converse-stream"})
  void encodesTheModelIdAsOnePathSegmentAndAsksForAnEventStream(String model, String path) {
    ChatRequest r = request(List.of(Message.user("hi")));
    ChatRequest streamed = new ChatRequest(r.model(), r.system(), r.messages(), null, null, null, null, List.of(),
        List.of(), null, null, null, 1, true, null, Extensions.NONE);
    ProviderHttpRequest http = codec.encode(streamed, model);
    assertThat(http.pathAndQuery()).isEqualTo(path);
    assertThat(http.headers()).containsEntry("Accept", "application/vnd.amazon.eventstream");
  }

  @Test
  void encodesAToolRoundTripWithToolResultsInAUserTurn() throws Exception {
    ChatRequest r = with(request(List.of(
        Message.user("What is the most popular song on WZPZ?"),
        new Message(Role.ASSISTANT, List.of(new Part.Text("Let me check."),
            new Part.ToolCall("tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", "top_song", "{\"sign\": \"WZPZ\"}"))),
        new Message(Role.TOOL, List.of(new Part.ToolResult("tooluse_kZJMlvQmRJ6eAyJE5GIl7Q",
            List.of(new Part.Text("{\"song\":\"Elemental Hotel\",\"artist\":\"8 Storey Hike\"}")), false))),
        new Message(Role.TOOL, List.of(new Part.ToolResult("tooluse_2", List.of(new Part.Text("station offline")), true))),
        Message.user("And the artist?"))), List.of(TOP_SONG), null);

    assertThat(body(codec.encode(r, CLAUDE))).isEqualTo(tree("""
        {"messages": [
          {"role": "user", "content": [{"text": "What is the most popular song on WZPZ?"}]},
          {"role": "assistant", "content": [
            {"text": "Let me check."},
            {"toolUse": {"toolUseId": "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", "name": "top_song", "input": {"sign": "WZPZ"}}}]},
          {"role": "user", "content": [
            {"toolResult": {"toolUseId": "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q",
              "content": [{"text": "{\\"song\\":\\"Elemental Hotel\\",\\"artist\\":\\"8 Storey Hike\\"}"}]}},
            {"toolResult": {"toolUseId": "tooluse_2", "content": [{"text": "station offline"}], "status": "error"}},
            {"text": "And the artist?"}]}],
         "toolConfig": {"tools": [{"toolSpec": {"name": "top_song",
            "description": "Get the most popular song played on a radio station.",
            "inputSchema": {"json": {"type": "object",
              "properties": {"sign": {"type": "string", "description": "The call sign"}}, "required": ["sign"]}}}}]}}
        """));
  }

  @Test
  void encodesInlineImagesAndDataUrlsAsBytes() throws Exception {
    ChatRequest r = request(List.of(new Message(Role.USER, List.of(
        new Part.Text("What is in these?"),
        Part.Image.inline("image/png", "iVBORw0KGgo="),
        Part.Image.ofUrl("data:image/webp;base64,UklGRg=="),
        new Part.Image(null, "image/jpeg", "/9j/4AAQ", "high")))));
    assertThat(body(codec.encode(r, CLAUDE)).get("messages")).isEqualTo(tree("""
        [{"role": "user", "content": [
          {"text": "What is in these?"},
          {"image": {"format": "png", "source": {"bytes": "iVBORw0KGgo="}}},
          {"image": {"format": "webp", "source": {"bytes": "UklGRg=="}}},
          {"image": {"format": "jpeg", "source": {"bytes": "/9j/4AAQ"}}}]}]
        """));
  }

  @Test
  void encodesReasoningBlocksWithTheirSignatureOrRedactedData() throws Exception {
    ChatRequest r = request(List.of(Message.user("2+2?"), new Message(Role.ASSISTANT, List.of(
        new Part.Reasoning("Simple arithmetic.", "EqoBCkgIARAB", null),
        new Part.Reasoning("", null, "ZW5jcnlwdGVk"),
        new Part.Text("4"))), Message.user("Sure?")));
    assertThat(body(codec.encode(r, CLAUDE)).get("messages").get(1)).isEqualTo(tree("""
        {"role": "assistant", "content": [
          {"reasoningContent": {"reasoningText": {"text": "Simple arithmetic.", "signature": "EqoBCkgIARAB"}}},
          {"reasoningContent": {"redactedContent": "ZW5jcnlwdGVk"}},
          {"text": "4"}]}
        """));
  }

  @Test
  void mergesConsecutiveTurnsOfTheSameRole() throws Exception {
    ChatRequest r = request(List.of(Message.user("a"), Message.user("b"), Message.assistant("c"), Message.assistant("d")));
    assertThat(body(codec.encode(r, CLAUDE)).get("messages")).isEqualTo(tree("""
        [{"role": "user", "content": [{"text": "a"}, {"text": "b"}]},
         {"role": "assistant", "content": [{"text": "c"}, {"text": "d"}]}]
        """));
  }

  @Test
  void leavesOutEmptyTextsWhichConverseRejectsAsBlank() throws Exception {
    ChatRequest r = new ChatRequest("m", List.of(new Part.Text("")), List.of(
        Message.user("weather?"),
        new Message(Role.ASSISTANT, List.of(new Part.Text(""), new Part.ToolCall("t1", "weather", "{}"))),
        new Message(Role.TOOL, List.of(new Part.ToolResult("t1", List.of(new Part.Text("sunny")), false))),
        Message.assistant(""),
        Message.user("thanks")), null, null, null, null, List.of(), List.of(new Tool("weather", null, null)), null,
        null, null, 1, false, null, Extensions.NONE);
    JsonNode body = body(codec.encode(r, CLAUDE));
    assertThat(body.has("system")).isFalse();
    assertThat(body.get("messages")).isEqualTo(tree("""
        [{"role": "user", "content": [{"text": "weather?"}]},
         {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t1", "name": "weather", "input": {}}}]},
         {"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "content": [{"text": "sunny"}]}},
                                      {"text": "thanks"}]}]
        """));
  }

  static Stream<Arguments> toolChoices() {
    return Stream.of(
        Arguments.of(null, null),
        Arguments.of(ToolChoice.AUTO, "{\"auto\":{}}"),
        Arguments.of(ToolChoice.REQUIRED, "{\"any\":{}}"),
        Arguments.of(new ToolChoice.Named("top_song"), "{\"tool\":{\"name\":\"top_song\"}}"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("toolChoices")
  void mapsToolChoices(ToolChoice choice, String expected) throws Exception {
    JsonNode config = body(codec.encode(with(request(List.of(Message.user("hi"))), List.of(TOP_SONG), choice), CLAUDE))
        .get("toolConfig");
    assertThat(config.get("tools")).hasSize(1);
    assertThat(config.get("toolChoice")).isEqualTo(expected == null ? null : tree(expected));
  }

  @Test
  void leavesToolsOutForToolChoiceNoneWhenNoTurnUsedThem() throws Exception {
    JsonNode body = body(codec.encode(with(request(List.of(Message.user("hi"))), List.of(TOP_SONG), ToolChoice.NONE), CLAUDE));
    assertThat(body.has("toolConfig")).isFalse();
  }

  @Test
  void givesAToolWithoutParametersAnEmptyObjectSchema() throws Exception {
    JsonNode spec = body(codec.encode(with(request(List.of(Message.user("hi"))),
        List.of(new Tool("now", null, null)), null), CLAUDE)).at("/toolConfig/tools/0/toolSpec");
    assertThat(spec).isEqualTo(tree("{\"name\":\"now\",\"inputSchema\":{\"json\":{\"type\":\"object\",\"properties\":{}}}}"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "anthropic.claude-3-5-haiku-20241022-v1:0, {\"top_k\":40}",
      "eu.anthropic.claude-sonnet-4-20250514-v1:0, {\"top_k\":40}",
      "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-haiku-20240307-v1:0, {\"top_k\":40}",
      "amazon.nova-lite-v1:0, {\"inferenceConfig\":{\"topK\":40}}",
      "us.amazon.nova-pro-v1:0, {\"inferenceConfig\":{\"topK\":40}}"})
  void putsTopKWhereTheModelFamilyTakesIt(String model, String expected) throws Exception {
    ChatRequest r = request(List.of(Message.user("hi")));
    ChatRequest withTopK = new ChatRequest("m", List.of(), r.messages(), null, null, null, 40, List.of(), List.of(),
        null, null, null, 1, false, null, Extensions.NONE);
    assertThat(body(codec.encode(withTopK, model)).get("additionalModelRequestFields")).isEqualTo(tree(expected));
  }

  @Test
  void encodesAJsonSchemaAsStructuredOutput() throws Exception {
    String schema = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}},\"required\":[\"name\"],"
        + "\"additionalProperties\":false}";
    ChatRequest r = new ChatRequest("m", List.of(), List.of(Message.user("Extract")), null, null, null, null, List.of(),
        List.of(), null, null, new ResponseFormat.JsonSchema("person", schema, true), 1, false, null, Extensions.NONE);
    JsonNode out = body(codec.encode(r, CLAUDE)).get("outputConfig");
    assertThat(out.at("/textFormat/type").asText()).isEqualTo("json_schema");
    assertThat(out.at("/textFormat/structure/jsonSchema/name").asText()).isEqualTo("person");
    // the schema travels as a JSON string, exactly as the caller wrote it
    assertThat(out.at("/textFormat/structure/jsonSchema/schema").asText()).isEqualTo(schema);
  }

  @Test
  void sendsTheUserIdAsRequestMetadataAndForwardsClaudeThinking() throws Exception {
    ChatRequest r = new ChatRequest("m", List.of(), List.of(Message.user("hi")), 2048, null, null, null, List.of(),
        List.of(), null, null, ResponseFormat.TEXT, 1, false, "user-42@example.com",
        Extensions.anthropic(Map.of("thinking", "{\"type\":\"enabled\",\"budget_tokens\":1024}",
            "service_tier", "\"auto\"")));
    JsonNode body = body(codec.encode(r, CLAUDE));
    assertThat(body.get("requestMetadata")).isEqualTo(tree("{\"user\":\"user-42@example.com\"}"));
    assertThat(body.get("additionalModelRequestFields"))
        .isEqualTo(tree("{\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024}}"));
    assertThat(body.has("outputConfig")).isFalse();
  }

  static Stream<Arguments> refusals() {
    ChatRequest plain = request(List.of(Message.user("hi")));
    List<Message> withToolHistory = List.of(Message.user("hi"),
        new Message(Role.ASSISTANT, List.of(new Part.ToolCall("t1", "top_song", "{}"))),
        new Message(Role.TOOL, List.of(new Part.ToolResult("t1", List.of(new Part.Text("x")), false))));
    return Stream.of(
        Arguments.of("image URL", request(List.of(new Message(Role.USER, List.of(new Part.Text("look"),
            Part.Image.ofUrl("https://example.com/cat.png"))))), CLAUDE, "messages[0].content[1]"),
        Arguments.of("bmp image", request(List.of(new Message(Role.USER, List.of(Part.Image.inline("image/bmp", "Qk0="))))),
            CLAUDE, "messages[0].content[0]"),
        Arguments.of("image URL in a tool result", request(List.of(new Message(Role.TOOL, List.of(new Part.ToolResult("t",
            List.of(Part.Image.ofUrl("https://example.com/chart.png")), false))))), CLAUDE, "messages[0].content[0].content[0]"),
        Arguments.of("two candidates", new ChatRequest("m", List.of(), plain.messages(), null, null, null, null, List.of(),
            List.of(), null, null, null, 2, false, null, Extensions.NONE), CLAUDE, "n"),
        Arguments.of("JSON mode without schema", new ChatRequest("m", List.of(), plain.messages(), null, null, null, null,
            List.of(), List.of(), null, null, new ResponseFormat.JsonObject(), 1, false, null, Extensions.NONE), CLAUDE,
            "response_format"),
        Arguments.of("top_k on Llama", new ChatRequest("m", List.of(), plain.messages(), null, null, null, 5, List.of(),
            List.of(), null, null, null, 1, false, null, Extensions.NONE), "meta.llama3-70b-instruct-v1:0", "top_k"),
        Arguments.of("top_k on an application inference profile", new ChatRequest("m", List.of(), plain.messages(), null,
            null, null, 5, List.of(), List.of(), null, null, null, 1, false, null, Extensions.NONE),
            "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6", "top_k"),
        Arguments.of("tool_choice none after tool turns", with(request(withToolHistory), List.of(TOP_SONG), ToolChoice.NONE),
            CLAUDE, "tool_choice"),
        Arguments.of("tool_choice naming an unknown tool", with(plain, List.of(TOP_SONG), new ToolChoice.Named("other")),
            CLAUDE, "tool_choice"),
        Arguments.of("tool_choice required without tools", with(plain, List.of(), ToolChoice.REQUIRED), CLAUDE, "tool_choice"),
        Arguments.of("parallel tool calls forbidden", new ChatRequest("m", List.of(), plain.messages(), null, null, null,
            null, List.of(), List.of(TOP_SONG), null, false, null, 1, false, null, Extensions.NONE), CLAUDE, "parallel_tool_calls"),
        Arguments.of("seed", new ChatRequest("m", List.of(), plain.messages(), null, null, null, null, List.of(), List.of(),
            null, null, null, 1, false, null, Extensions.openAi(Map.of("seed", "7"))), CLAUDE, "seed"),
        Arguments.of("OpenAI store is dropped, but not an unknown field", new ChatRequest("m", List.of(), plain.messages(),
            null, null, null, null, List.of(), List.of(), null, null, null, 1, false, null,
            Extensions.openAi(Map.of("store", "true", "logit_bias", "{}"))), CLAUDE, "logit_bias"),
        Arguments.of("thinking from an OpenAI caller", new ChatRequest("m", List.of(), plain.messages(), null, null, null,
            null, List.of(), List.of(), null, null, null, 1, false, null,
            Extensions.openAi(Map.of("thinking", "{\"type\":\"enabled\",\"budget_tokens\":1024}"))), CLAUDE, "thinking"),
        Arguments.of("thinking on Nova", new ChatRequest("m", List.of(), plain.messages(), null, null, null, null, List.of(),
            List.of(), null, null, null, 1, false, null, Extensions.anthropic(Map.of("thinking", "{\"type\":\"enabled\"}"))),
            "amazon.nova-pro-v1:0", "thinking"),
        Arguments.of("user id Bedrock cannot carry", new ChatRequest("m", List.of(), plain.messages(), null, null, null,
            null, List.of(), List.of(), null, null, null, 1, false, "ünïcode|pipe", Extensions.NONE), CLAUDE, "user"),
        Arguments.of("tool arguments that are not JSON", request(List.of(Message.user("hi"), new Message(Role.ASSISTANT,
            List.of(new Part.ToolCall("t1", "top_song", "{sign:"))))), CLAUDE, "messages[1].content[0].arguments"),
        Arguments.of("tool call in a user turn", request(List.of(new Message(Role.USER,
            List.of(new Part.ToolCall("t1", "top_song", "{}"))))), CLAUDE, "messages[0].content[0]"),
        Arguments.of("tool result in an assistant turn", request(List.of(new Message(Role.ASSISTANT,
            List.of(new Part.ToolResult("t1", List.of(), false))))), CLAUDE, "messages[0].content[0]"),
        Arguments.of("reasoning in a user turn", request(List.of(new Message(Role.USER,
            List.of(new Part.Reasoning("x", null, null))))), CLAUDE, "messages[0].content[0]"),
        Arguments.of("tool schema that is not JSON", with(plain, List.of(new Tool("t", null, "{")), null), CLAUDE,
            "tools[0].parameters"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void refusesWhatConverseCannotExpressNamingTheField(String name, ChatRequest request, String model, String field) {
    assertThat(refusal(() -> codec.encode(request, model)).field()).isEqualTo(field);
  }

  // ---------------------------------------------------------------- decode

  @Test
  void decodesTheConverseReferenceTextAnswer() {
    ChatResponse response = codec.decode(Buffer.buffer("""
        {"output": {"message": {"role": "assistant", "content": [
            {"text": "Here is a list of 3 pop songs by artists from the United Kingdom:\\n\\n1. \\"As It Was\\" by Harry Styles"}]}},
         "stopReason": "end_turn",
         "usage": {"inputTokens": 125, "outputTokens": 60, "totalTokens": 185},
         "metrics": {"latencyMs": 1175}}
        """));
    assertThat(response.candidates()).containsExactly(new ChatResponse.Candidate(0, List.of(new Part.Text(
        "Here is a list of 3 pop songs by artists from the United Kingdom:\n\n1. \"As It Was\" by Harry Styles")),
        StopReason.END));
    assertThat(response.usage()).isEqualTo(new Usage(125, 60, 0, 0, 0));
    assertThat(response.id()).isNull();
    assertThat(response.model()).isNull();
  }

  @Test
  void decodesAToolUseAnswerKeepingTheInputAsJsonText() throws Exception {
    ChatResponse response = codec.decode(Buffer.buffer("""
        {"output": {"message": {"role": "assistant", "content": [
            {"text": "I'll look that up."},
            {"toolUse": {"toolUseId": "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", "name": "top_song", "input": {"sign": "WZPZ"}}}]}},
         "stopReason": "tool_use",
         "usage": {"inputTokens": 375, "outputTokens": 75, "totalTokens": 450},
         "metrics": {"latencyMs": 1861}}
        """));
    ChatResponse.Candidate c = response.candidates().getFirst();
    assertThat(c.stopReason()).isEqualTo(StopReason.TOOL_CALLS);
    assertThat(c.parts()).hasSize(2);
    Part.ToolCall call = (Part.ToolCall) c.parts().get(1);
    assertThat(call.id()).isEqualTo("tooluse_kZJMlvQmRJ6eAyJE5GIl7Q");
    assertThat(call.name()).isEqualTo("top_song");
    assertThat(json.readTree(call.argumentsJson())).isEqualTo(tree("{\"sign\":\"WZPZ\"}"));
  }

  @Test
  void decodesReasoningAndAddsCachedTokensToInput() {
    ChatResponse response = codec.decode(Buffer.buffer("""
        {"output": {"message": {"role": "assistant", "content": [
            {"reasoningContent": {"reasoningText": {"text": "The user wants 2+2.", "signature": "EqoBCkgIARAB"}}},
            {"reasoningContent": {"redactedContent": "ZW5jcnlwdGVk"}},
            {"citationsContent": {"content": [{"text": "ignored"}]}},
            {"text": "4"}]}},
         "stopReason": "end_turn",
         "usage": {"inputTokens": 12, "outputTokens": 90, "totalTokens": 2102,
                   "cacheReadInputTokens": 1800, "cacheWriteInputTokens": 200}}
        """));
    assertThat(response.candidates().getFirst().parts()).containsExactly(
        new Part.Reasoning("The user wants 2+2.", "EqoBCkgIARAB", null),
        new Part.Reasoning("", null, "ZW5jcnlwdGVk"),
        new Part.Text("4"));
    assertThat(response.usage()).isEqualTo(new Usage(2012, 90, 1800, 200, 0));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "end_turn, END", "tool_use, TOOL_CALLS", "max_tokens, MAX_TOKENS", "stop_sequence, STOP_SEQUENCE",
      "guardrail_intervened, CONTENT_FILTER", "content_filtered, CONTENT_FILTER",
      "model_context_window_exceeded, MAX_TOKENS", "malformed_model_output, OTHER", "malformed_tool_use, OTHER"})
  void mapsStopReasons(String reason, StopReason expected) {
    ChatResponse response = codec.decode(Buffer.buffer("{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[]}},"
        + "\"stopReason\":\"" + reason + "\",\"usage\":{\"inputTokens\":1,\"outputTokens\":1,\"totalTokens\":2}}"));
    assertThat(response.candidates().getFirst().stopReason()).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "not JSON | <html>502</html> | body",
      "an array | [] | body",
      "no output | {\"stopReason\":\"end_turn\",\"usage\":{\"inputTokens\":1,\"outputTokens\":1}} | output.message.content",
      "no stop reason | {\"output\":{\"message\":{\"content\":[]}},\"usage\":{\"inputTokens\":1,\"outputTokens\":1}} | stopReason",
      "no usage | {\"output\":{\"message\":{\"content\":[]}},\"stopReason\":\"end_turn\"} | usage",
      "negative tokens | {\"output\":{\"message\":{\"content\":[]}},\"stopReason\":\"end_turn\",\"usage\":{\"inputTokens\":-1,\"outputTokens\":1}} | usage.inputTokens",
      "tool use without id | {\"output\":{\"message\":{\"content\":[{\"toolUse\":{\"name\":\"x\",\"input\":{}}}]}},\"stopReason\":\"tool_use\",\"usage\":{\"inputTokens\":1,\"outputTokens\":1}} | output.message.content[0].toolUse.toolUseId"})
  void rejectsMalformedAnswersNamingTheField(String name, String body, String field) {
    assertThat(refusal(() -> codec.decode(Buffer.buffer(body))).field()).isEqualTo(field);
  }

  @Test
  void rejectsAnEmptyBody() {
    assertThatThrownBy(() -> codec.decode(Buffer.buffer()))
        .isInstanceOf(TranslationException.class);
  }
}
