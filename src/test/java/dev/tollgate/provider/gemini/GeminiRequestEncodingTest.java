package dev.tollgate.provider.gemini;

import static dev.tollgate.protocol.canonical.Extensions.Dialect.ANTHROPIC;
import static dev.tollgate.protocol.canonical.Extensions.Dialect.OPENAI;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocol.canonical.Extensions;
import dev.tollgate.protocol.canonical.Message;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.ResponseFormat;
import dev.tollgate.protocol.canonical.Role;
import dev.tollgate.protocol.canonical.Tool;
import dev.tollgate.protocol.canonical.ToolChoice;
import dev.tollgate.protocol.canonical.TranslationException;
import dev.tollgate.provider.ProviderHttpRequest;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Canonical requests written as Gemini GenerateContentRequest bodies, compared as JSON trees. */
class GeminiRequestEncodingTest {
  private final ObjectMapper json = new ObjectMapper();
  private final GeminiCodec codec = new GeminiCodec(json, new GeminiPaths.GoogleAi());

  private JsonNode body(Requests r) throws Exception {
    return json.readTree(codec.encode(r.build(), "gemini-2.5-flash").body().getBytes());
  }

  private void assertBody(Requests r, String expected) throws Exception {
    assertThat(body(r)).isEqualTo(json.readTree(expected));
  }

  private static Message msg(Role role, Part... parts) {
    return new Message(role, List.of(parts));
  }

  private static TranslationException refusal(Requests r, String model) {
    GeminiCodec codec = new GeminiCodec(new ObjectMapper(), new GeminiPaths.GoogleAi());
    try {
      codec.encode(r.build(), model);
    } catch (TranslationException e) {
      return e;
    }
    throw new AssertionError("expected a TranslationException");
  }

  private static TranslationException refusal(Requests r) {
    return refusal(r, "gemini-2.5-flash");
  }

  @Test
  void googleAiPathsHeadersAndMethod() {
    ProviderHttpRequest whole = codec.encode(Requests.of(Message.user("hi")).build(), "gemini-2.5-flash");
    ProviderHttpRequest streamed = codec.encode(Requests.of(Message.user("hi")).streaming().build(), "gemini-2.5-flash");

    assertThat(whole.method()).isEqualTo("POST");
    assertThat(whole.pathAndQuery()).isEqualTo("/v1beta/models/gemini-2.5-flash:generateContent");
    assertThat(streamed.pathAndQuery()).isEqualTo("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
    assertThat(whole.headers()).containsExactly(Map.entry("content-type", "application/json"));
  }

  @Test
  void vertexPathsDifferOnlyInPrefixAndBodiesAreTheSame() {
    GeminiCodec vertex = new GeminiCodec(json, new GeminiPaths.Vertex("my-project", "us-central1"));
    Requests r = Requests.of(Message.user("hi")).system("Be brief.");

    ProviderHttpRequest whole = vertex.encode(r.build(), "gemini-2.0-flash-001");
    ProviderHttpRequest streamed = vertex.encode(r.streaming().build(), "gemini-2.0-flash-001");

    assertThat(whole.pathAndQuery()).isEqualTo(
        "/v1/projects/my-project/locations/us-central1/publishers/google/models/gemini-2.0-flash-001:generateContent");
    assertThat(streamed.pathAndQuery()).isEqualTo(
        "/v1/projects/my-project/locations/us-central1/publishers/google/models/gemini-2.0-flash-001"
            + ":streamGenerateContent?alt=sse");
    assertThat(whole.body()).isEqualTo(codec.encode(r.build(), "gemini-2.0-flash-001").body());
  }

  @ParameterizedTest
  @MethodSource
  void modelNamesThatWouldChangeTheUrlAreRefused(String model) {
    assertThat(refusal(Requests.of(Message.user("hi")), model).field()).isEqualTo("model");
  }

  static Stream<String> modelNamesThatWouldChangeTheUrlAreRefused() {
    return Stream.of("../v1/files", "gemini pro", "gemini?alt=json", "models/gemini-2.5-flash", "", "a:b");
  }

  @Test
  void vertexRefusesProjectsThatAreNotOnePathSegment() {
    assertThatThrownBy(() -> new GeminiPaths.Vertex("a/b", "us-central1"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void textWithSystemInstructionAndSampling() throws Exception {
    Requests r = Requests.of(Message.user("Write a story about a magic backpack."))
        .system("You are a cat.", "Your name is Neko.")
        .sampling(800, 1.0, 0.8, 10, List.of("Title"));

    assertBody(r, """
        {
          "systemInstruction": {"parts": [{"text": "You are a cat."}, {"text": "Your name is Neko."}]},
          "contents": [{"role": "user", "parts": [{"text": "Write a story about a magic backpack."}]}],
          "generationConfig": {
            "stopSequences": ["Title"], "temperature": 1.0, "maxOutputTokens": 800, "topP": 0.8, "topK": 10
          }
        }""");
  }

  @Test
  void emptySystemTextIsLeftOut() throws Exception {
    assertThat(body(Requests.of(Message.user("hi")).system("")).has("systemInstruction")).isFalse();
    assertThat(body(Requests.of(Message.user("hi")).system("", "Be brief.")).get("systemInstruction"))
        .isEqualTo(json.readTree("{\"parts\":[{\"text\":\"Be brief.\"}]}"));
  }

  @Test
  void multiTurnChatUsesUserAndModelRoles() throws Exception {
    Requests r = Requests.of(
        Message.user("Hello"),
        Message.assistant("Great to meet you. What would you like to know?"),
        Message.user("I have two dogs in my house. How many paws are in my house?"));

    assertBody(r, """
        {"contents": [
          {"role": "user", "parts": [{"text": "Hello"}]},
          {"role": "model", "parts": [{"text": "Great to meet you. What would you like to know?"}]},
          {"role": "user", "parts": [{"text": "I have two dogs in my house. How many paws are in my house?"}]}
        ]}""");
  }

  @Test
  void consecutiveSameRoleTurnsAreMergedAndEmptyTextIsLeftOut() throws Exception {
    Requests r = Requests.of(
        Message.user("First."),
        msg(Role.USER, new Part.Text(""), new Part.Text("Second.")),
        Message.assistant("One."),
        Message.assistant("Two."));

    assertBody(r, """
        {"contents": [
          {"role": "user", "parts": [{"text": "First."}, {"text": "Second."}]},
          {"role": "model", "parts": [{"text": "One."}, {"text": "Two."}]}
        ]}""");
  }

  @Test
  void aTurnWithNothingToSendIsRefused() {
    TranslationException e = refusal(Requests.of(Message.user("hi"), Message.assistant("")));
    assertThat(e.field()).isEqualTo("messages[1].content");
    assertThat(refusal(Requests.of()).field()).isEqualTo("messages");
    assertThat(refusal(Requests.of(msg(Role.ASSISTANT, new Part.Reasoning("hmm", null, null)))).field())
        .isEqualTo("messages");
  }

  @Test
  void imagesInlineAsDataUrlsAndByGcsOrHttpsUrl() throws Exception {
    Requests r = Requests.of(msg(Role.USER,
        new Part.Text("Tell me about this instruction"),
        Part.Image.inline("image/jpeg", "/9j/4AAQSkZJRg=="),
        Part.Image.ofUrl("data:image/png;base64,iVBORw0KGgo="),
        Part.Image.ofUrl("gs://cloud-samples-data/generative-ai/image/scones.jpg"),
        new Part.Image("https://example.com/pics/cat.WEBP?size=large#top", null, null, "high")));

    assertBody(r, """
        {"contents": [{"role": "user", "parts": [
          {"text": "Tell me about this instruction"},
          {"inlineData": {"mimeType": "image/jpeg", "data": "/9j/4AAQSkZJRg=="}},
          {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}},
          {"fileData": {"mimeType": "image/jpeg", "fileUri": "gs://cloud-samples-data/generative-ai/image/scones.jpg"}},
          {"fileData": {"mimeType": "image/webp", "fileUri": "https://example.com/pics/cat.WEBP?size=large#top"}}
        ]}]}""");
  }

  @ParameterizedTest
  @MethodSource
  void imagesGeminiCannotReadAreRefusedNamingThePart(Part.Image image, String reasonFragment) {
    TranslationException e = refusal(Requests.of(msg(Role.USER, new Part.Text("look"), image)));
    assertThat(e.field()).isEqualTo("messages[0].content[1]");
    assertThat(e.getMessage()).contains(reasonFragment);
  }

  static Stream<Arguments> imagesGeminiCannotReadAreRefusedNamingThePart() {
    return Stream.of(
        Arguments.of(Part.Image.ofUrl("https://example.com/render?id=42"), "cannot fetch arbitrary URLs"),
        Arguments.of(Part.Image.ofUrl("https://example.com/pic.gif"), "cannot fetch arbitrary URLs"),
        Arguments.of(Part.Image.ofUrl("http://example.com/pic.png"), "'http:' URLs"),
        Arguments.of(Part.Image.ofUrl("ftp://example.com/pic.png"), "'ftp:' URLs"),
        Arguments.of(Part.Image.ofUrl("data:image/png,rawbytes"), "base64"),
        Arguments.of(Part.Image.ofUrl("data:image/gif;base64,R0lGOD=="), "image/gif"),
        Arguments.of(Part.Image.inline("image/gif", "R0lGODlh"), "image/gif"));
  }

  private static final Tool WEATHER = new Tool("get_current_weather", "Get the current weather in a given location",
      """
      {"type":"object","properties":{"location":{"type":"string","description":"The city and state, e.g. San Francisco, CA"},\
      "unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["location"],"additionalProperties":false}""");

  @Test
  void toolsArePassedAsJsonSchemaAndChoiceMapsToFunctionCallingConfig() throws Exception {
    Requests r = Requests.of(Message.user("What's the weather in Boston?"))
        .tools(ToolChoice.AUTO, WEATHER, new Tool("stop_clock", null, null));

    assertBody(r, """
        {
          "contents": [{"role": "user", "parts": [{"text": "What's the weather in Boston?"}]}],
          "tools": [{"functionDeclarations": [
            {"name": "get_current_weather", "description": "Get the current weather in a given location",
             "parametersJsonSchema": {"type": "object", "properties": {
                "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
              "required": ["location"], "additionalProperties": false}},
            {"name": "stop_clock"}
          ]}],
          "toolConfig": {"functionCallingConfig": {"mode": "AUTO"}}
        }""");
  }

  @ParameterizedTest
  @MethodSource
  void toolChoices(ToolChoice choice, String config) throws Exception {
    JsonNode body = body(Requests.of(Message.user("hi")).tools(choice, WEATHER));
    assertThat(body.get("toolConfig")).isEqualTo(json.readTree(config));
  }

  static Stream<Arguments> toolChoices() {
    return Stream.of(
        Arguments.of(ToolChoice.AUTO, "{\"functionCallingConfig\":{\"mode\":\"AUTO\"}}"),
        Arguments.of(ToolChoice.NONE, "{\"functionCallingConfig\":{\"mode\":\"NONE\"}}"),
        Arguments.of(ToolChoice.REQUIRED, "{\"functionCallingConfig\":{\"mode\":\"ANY\"}}"),
        Arguments.of(new ToolChoice.Named("get_current_weather"),
            "{\"functionCallingConfig\":{\"mode\":\"ANY\",\"allowedFunctionNames\":[\"get_current_weather\"]}}"));
  }

  @ParameterizedTest
  @MethodSource
  void strictToolsHoldCallsToTheirSchemas(ToolChoice choice, String config) throws Exception {
    Tool strict = new Tool(WEATHER.name(), WEATHER.description(), WEATHER.parametersJson(), true);
    JsonNode body = body(Requests.of(Message.user("hi")).tools(choice, strict, new Tool("stop_clock", null, null)));
    assertThat(body.get("toolConfig")).isEqualTo(json.readTree(config));
    assertThat(body.at("/tools/0/functionDeclarations/0").has("strict")).isFalse();
  }

  static Stream<Arguments> strictToolsHoldCallsToTheirSchemas() {
    return Stream.of(
        Arguments.of(null, "{\"functionCallingConfig\":{\"mode\":\"VALIDATED\"}}"),
        Arguments.of(ToolChoice.AUTO, "{\"functionCallingConfig\":{\"mode\":\"VALIDATED\"}}"),
        Arguments.of(ToolChoice.REQUIRED, "{\"functionCallingConfig\":{\"mode\":\"ANY\"}}"),
        Arguments.of(ToolChoice.NONE, "{\"functionCallingConfig\":{\"mode\":\"NONE\"}}"),
        Arguments.of(new ToolChoice.Named("get_current_weather"),
            "{\"functionCallingConfig\":{\"mode\":\"ANY\",\"allowedFunctionNames\":[\"get_current_weather\"]}}"));
  }

  @Test
  void noToolChoiceMeansNoToolConfigAndAutoWithoutToolsSaysNothing() throws Exception {
    assertThat(body(Requests.of(Message.user("hi")).tools(null, WEATHER)).has("toolConfig")).isFalse();
    JsonNode none = body(Requests.of(Message.user("hi")).tools(ToolChoice.NONE));
    assertThat(none.has("toolConfig")).isFalse();
    assertThat(none.has("tools")).isFalse();
  }

  @Test
  void toolSettingsGeminiCannotExpressAreRefused() {
    assertThat(refusal(Requests.of(Message.user("hi")).tools(ToolChoice.REQUIRED)).field()).isEqualTo("tool_choice");
    assertThat(refusal(Requests.of(Message.user("hi")).tools(new ToolChoice.Named("nope"), WEATHER)).field())
        .isEqualTo("tool_choice");
    assertThat(refusal(Requests.of(Message.user("hi")).tools(null, WEATHER).parallelToolCalls(false)).field())
        .isEqualTo("parallel_tool_calls");
    assertThat(refusal(Requests.of(Message.user("hi")).tools(null, WEATHER,
        new Tool("bad", null, "[1,2]"))).field()).isEqualTo("tools[1].function.parameters");
    assertThat(refusal(Requests.of(Message.user("hi")).tools(null, new Tool("bad", null, "{nope"))).field())
        .isEqualTo("tools[0].function.parameters");
  }

  @Test
  void parallelToolCallsTrueIsGeminisDefault() throws Exception {
    assertThat(body(Requests.of(Message.user("hi")).tools(null, WEATHER).parallelToolCalls(true)))
        .isEqualTo(body(Requests.of(Message.user("hi")).tools(null, WEATHER)));
  }

  @Test
  void functionCallingRoundTripNamesTheResponseAfterTheCall() throws Exception {
    Requests r = Requests.of(
        Message.user("What's the weather in Boston and in Paris?"),
        msg(Role.ASSISTANT,
            new Part.Text("Let me check."),
            new Part.ToolCall("call_0", "get_current_weather", "{\"location\": \"Boston, MA\"}"),
            new Part.ToolCall("call_1", "get_current_weather", "{\"location\": \"Paris\", \"unit\": \"celsius\"}")),
        msg(Role.TOOL,
            new Part.ToolResult("call_0", List.of(new Part.Text("{\"temperature\": 38}")), false),
            new Part.ToolResult("call_1", List.of(new Part.Text("service down")), true)),
        Message.user("Thanks!")).tools(null, WEATHER);

    JsonNode body = body(r);

    assertThat(body.get("contents")).isEqualTo(json.readTree("""
        [
          {"role": "user", "parts": [{"text": "What's the weather in Boston and in Paris?"}]},
          {"role": "model", "parts": [
            {"text": "Let me check."},
            {"functionCall": {"name": "get_current_weather", "args": {"location": "Boston, MA"}},
             "thoughtSignature": "skip_thought_signature_validator"},
            {"functionCall": {"name": "get_current_weather", "args": {"location": "Paris", "unit": "celsius"}}}
          ]},
          {"role": "user", "parts": [
            {"functionResponse": {"name": "get_current_weather", "response": {"output": "{\\"temperature\\": 38}"}}},
            {"functionResponse": {"name": "get_current_weather", "response": {"error": "service down"}}},
            {"text": "Thanks!"}
          ]}
        ]"""));
  }

  @Test
  void repeatedCallIdsFromEarlierAnswersResolveToTheLatestCall() throws Exception {
    Requests r = Requests.of(
        Message.user("go"),
        msg(Role.ASSISTANT, new Part.ToolCall("call_0", "first_tool", "{}")),
        msg(Role.TOOL, new Part.ToolResult("call_0", List.of(new Part.Text("one")), false)),
        msg(Role.ASSISTANT, new Part.ToolCall("call_0", "second_tool", "")),
        msg(Role.TOOL, new Part.ToolResult("call_0", List.of(new Part.Text("two")), false)));

    JsonNode contents = body(r).get("contents");

    assertThat(contents.get(2).at("/parts/0/functionResponse/name").asText()).isEqualTo("first_tool");
    assertThat(contents.get(3).at("/parts/0/functionCall/args")).isEqualTo(json.readTree("{}"));
    assertThat(contents.get(4).at("/parts/0/functionResponse/name").asText()).isEqualTo("second_tool");
  }

  @Test
  void toolResultImagesFollowTheFunctionResponses() throws Exception {
    Requests r = Requests.of(
        Message.user("draw"),
        msg(Role.ASSISTANT, new Part.ToolCall("c1", "render", "{}")),
        msg(Role.TOOL, new Part.ToolResult("c1",
            List.of(new Part.Text("done"), Part.Image.inline("image/png", "iVBORw0KGgo=")), false)));

    assertThat(body(r).get("contents").get(2)).isEqualTo(json.readTree("""
        {"role": "user", "parts": [
          {"functionResponse": {"name": "render", "response": {"output": "done"}}},
          {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}}
        ]}"""));
  }

  @Test
  void toolHistoryGeminiCannotExpressIsRefusedNamingTheField() {
    Message call = msg(Role.ASSISTANT, new Part.ToolCall("c1", "render", "{}"));
    assertThat(refusal(Requests.of(Message.user("go"), call,
        msg(Role.TOOL, new Part.ToolResult("c9", List.of(new Part.Text("x")), false)))).field())
        .isEqualTo("messages[2].content[0].tool_call_id");
    assertThat(refusal(Requests.of(Message.user("go"),
        msg(Role.ASSISTANT, new Part.ToolCall("c1", "render", "{\"a\":")))).field())
        .isEqualTo("messages[1].content[0].arguments");
    assertThat(refusal(Requests.of(Message.user("go"),
        msg(Role.ASSISTANT, new Part.ToolCall("c1", "render", "[1]")))).field())
        .isEqualTo("messages[1].content[0].arguments");
    assertThat(refusal(Requests.of(Message.user("go"), call, msg(Role.TOOL, new Part.Text("loose text")))).field())
        .isEqualTo("messages[2].content[0]");
    assertThat(refusal(Requests.of(msg(Role.USER, new Part.ToolCall("c1", "render", "{}")))).field())
        .isEqualTo("messages[0].content[0]");
    assertThat(refusal(Requests.of(Message.user("go"), call,
        msg(Role.ASSISTANT, new Part.ToolResult("c1", List.of(), false)))).field())
        .isEqualTo("messages[2].content[0]");
    assertThat(refusal(Requests.of(Message.user("go"), call, msg(Role.TOOL,
        new Part.ToolResult("c1", List.of(new Part.ToolCall("x", "y", "{}")), false)))).field())
        .isEqualTo("messages[2].content[0].content[0]");
  }

  @Test
  void geminiThoughtSignaturesGoBackOnThePartTheySignedAndOthersAreDropped() throws Exception {
    Requests r = Requests.of(
        Message.user("Check flight AA100"),
        msg(Role.ASSISTANT,
            new Part.Reasoning("**Checking the flight**", null, null),
            new Part.Reasoning("**Signed thought**", "gemini:Sig/T==", null),
            new Part.Reasoning("", "gemini:Sig/A==", null),
            new Part.ToolCall("call_0", "check_flight", "{\"flight\":\"AA100\"}")),
        msg(Role.TOOL, new Part.ToolResult("call_0", List.of(new Part.Text("delayed")), false)),
        msg(Role.ASSISTANT,
            new Part.Reasoning("Anthropic thinking", "EqMPCkgIAnthropicSig", null),
            new Part.Reasoning("", null, "redacted-bytes"),
            new Part.Text("It is delayed."),
            new Part.Reasoning("", "gemini:Sig/B==", null)),
        Message.user("Book a taxi"));

    assertThat(body(r).get("contents")).isEqualTo(json.readTree("""
        [
          {"role": "user", "parts": [{"text": "Check flight AA100"}]},
          {"role": "model", "parts": [
            {"text": "**Signed thought**", "thought": true, "thoughtSignature": "Sig/T=="},
            {"functionCall": {"name": "check_flight", "args": {"flight": "AA100"}}, "thoughtSignature": "Sig/A=="}
          ]},
          {"role": "user", "parts": [{"functionResponse": {"name": "check_flight", "response": {"output": "delayed"}}}]},
          {"role": "model", "parts": [{"text": "It is delayed."}, {"text": "", "thoughtSignature": "Sig/B=="}]},
          {"role": "user", "parts": [{"text": "Book a taxi"}]}
        ]"""));
  }

  @Test
  void anAssistantTurnOfUnsignedReasoningAloneIsLeftOut() throws Exception {
    Requests r = Requests.of(
        Message.user("Think hard."),
        msg(Role.ASSISTANT, new Part.Reasoning("Thinking...", null, null), new Part.Reasoning("", "sig-x", null)),
        Message.user("Well?"));

    assertThat(body(r).get("contents")).isEqualTo(json.readTree(
        "[{\"role\":\"user\",\"parts\":[{\"text\":\"Think hard.\"},{\"text\":\"Well?\"}]}]"));
  }

  @Test
  void reasoningInAUserTurnIsRefused() {
    assertThat(refusal(Requests.of(msg(Role.USER, new Part.Reasoning("x", null, null)))).field())
        .isEqualTo("messages[0].content[0]");
  }

  @Test
  void jsonModeAndJsonSchema() throws Exception {
    JsonNode object = body(Requests.of(Message.user("List a few popular cookie recipes."))
        .format(new ResponseFormat.JsonObject()));
    JsonNode schema = body(Requests.of(Message.user("List a few popular cookie recipes."))
        .format(new ResponseFormat.JsonSchema("recipes", """
            {"type":"array","items":{"type":"object","properties":{"recipeName":{"type":"string"},\
            "ingredients":{"type":"array","items":{"type":"string"}}},"propertyOrdering":["recipeName","ingredients"]}}\
            """, true)));
    JsonNode text = body(Requests.of(Message.user("hi")).format(ResponseFormat.TEXT));

    assertThat(object.get("generationConfig")).isEqualTo(json.readTree("{\"responseMimeType\":\"application/json\"}"));
    assertThat(schema.get("generationConfig")).isEqualTo(json.readTree("""
        {"responseMimeType": "application/json", "responseJsonSchema": {"type": "array", "items": {"type": "object",
          "properties": {"recipeName": {"type": "string"}, "ingredients": {"type": "array", "items": {"type": "string"}}},
          "propertyOrdering": ["recipeName", "ingredients"]}}}"""));
    assertThat(text.has("generationConfig")).isFalse();
    assertThat(refusal(Requests.of(Message.user("hi"))
        .format(new ResponseFormat.JsonSchema("x", "\"string\"", false))).field())
        .isEqualTo("response_format.json_schema.schema");
  }

  @Test
  void candidatesAndStopSequenceLimits() throws Exception {
    assertThat(body(Requests.of(Message.user("hi")).candidates(3)).at("/generationConfig/candidateCount").asInt())
        .isEqualTo(3);
    assertThat(refusal(Requests.of(Message.user("hi"))
        .sampling(null, null, null, null, List.of("a", "b", "c", "d", "e", "f"))).field()).isEqualTo("stop");
    assertThat(refusal(Requests.of(Message.user("hi")).candidates(0)).field()).isEqualTo("n");
  }

  @Test
  void theEndUserIdIsNotSent() throws Exception {
    assertThat(body(Requests.of(Message.user("hi")).user("user-1234")))
        .isEqualTo(body(Requests.of(Message.user("hi"))));
  }

  @ParameterizedTest(name = "{0}={1}")
  @MethodSource
  void extensionsGeminiCanExpress(Extensions.Dialect dialect, String name, String value, String generationConfig)
      throws Exception {
    JsonNode body = body(Requests.of(Message.user("hi")).extensions(new Extensions(dialect, Map.of(name, value))));
    assertThat(body.path("generationConfig")).isEqualTo(json.readTree(generationConfig));
  }

  static Stream<Arguments> extensionsGeminiCanExpress() {
    return Stream.of(
        Arguments.of(OPENAI, "seed", "42", "{\"seed\":42}"),
        Arguments.of(OPENAI, "frequency_penalty", "0.5", "{\"frequencyPenalty\":0.5}"),
        Arguments.of(OPENAI, "presence_penalty", "-1", "{\"presencePenalty\":-1.0}"),
        Arguments.of(OPENAI, "reasoning_effort", "\"low\"", "{\"thinkingConfig\":{\"thinkingLevel\":\"LOW\"}}"),
        Arguments.of(OPENAI, "reasoning_effort", "\"minimal\"",
            "{\"thinkingConfig\":{\"thinkingLevel\":\"MINIMAL\"}}"),
        Arguments.of(ANTHROPIC, "thinking", "{\"type\":\"enabled\",\"budget_tokens\":2048}",
            "{\"thinkingConfig\":{\"thinkingBudget\":2048,\"includeThoughts\":true}}"),
        Arguments.of(ANTHROPIC, "thinking", "{\"type\":\"disabled\"}",
            "{\"thinkingConfig\":{\"thinkingBudget\":0}}"));
  }

  @ParameterizedTest(name = "{0}={1}")
  @MethodSource
  void extensionsWithoutEffectOnTheAnswerAreNotSent(Extensions.Dialect dialect, String name, String value)
      throws Exception {
    assertThat(body(Requests.of(Message.user("hi")).extensions(new Extensions(dialect, Map.of(name, value)))))
        .isEqualTo(body(Requests.of(Message.user("hi"))));
  }

  static Stream<Arguments> extensionsWithoutEffectOnTheAnswerAreNotSent() {
    return Stream.of(
        Arguments.of(OPENAI, "logprobs", "false"),
        Arguments.of(OPENAI, "metadata", "{\"team\":\"search\"}"),
        Arguments.of(OPENAI, "store", "true"),
        Arguments.of(OPENAI, "safety_identifier", "\"u-1\""),
        Arguments.of(OPENAI, "prompt_cache_key", "\"k\""),
        Arguments.of(OPENAI, "service_tier", "\"flex\""),
        Arguments.of(ANTHROPIC, "service_tier", "\"standard_only\""));
  }

  @ParameterizedTest(name = "{0}={1}")
  @MethodSource
  void extensionsGeminiCannotExpressAreRefusedNamingTheField(String name, String value, String field) {
    Requests r = Requests.of(Message.user("hi"));
    TranslationException e = refusal(name.equals("thinking") ? r.anthropicExtensions(Map.of(name, value))
        : r.extensions(Map.of(name, value)));
    assertThat(e.field()).isEqualTo(field);
  }

  static Stream<Arguments> extensionsGeminiCannotExpressAreRefusedNamingTheField() {
    return Stream.of(
        Arguments.of("logit_bias", "{\"50256\":-100}", "logit_bias"),
        Arguments.of("logprobs", "true", "logprobs"),
        Arguments.of("top_logprobs", "5", "top_logprobs"),
        Arguments.of("prediction", "{\"type\":\"content\",\"content\":\"x\"}", "prediction"),
        Arguments.of("modalities", "[\"text\",\"audio\"]", "modalities"),
        Arguments.of("audio", "{\"voice\":\"alloy\"}", "audio"),
        Arguments.of("web_search_options", "{}", "web_search_options"),
        Arguments.of("verbosity", "\"low\"", "verbosity"),
        Arguments.of("some_future_field", "1", "some_future_field"),
        Arguments.of("seed", "1.5", "seed"),
        Arguments.of("seed", "99999999999", "seed"),
        Arguments.of("seed", "{oops", "seed"),
        Arguments.of("frequency_penalty", "\"high\"", "frequency_penalty"),
        Arguments.of("reasoning_effort", "\"none\"", "reasoning_effort"),
        Arguments.of("thinking", "{\"type\":\"enabled\"}", "thinking.budget_tokens"),
        Arguments.of("thinking", "{\"type\":\"adaptive\"}", "thinking.type"));
  }

  @Test
  void fieldsAreReadInTheFormatTheyCameFrom() {
    // Anthropic has no reasoning_effort and OpenAI no thinking: the same names from the other format are refused.
    assertThat(refusal(Requests.of(Message.user("hi")).anthropicExtensions(Map.of("reasoning_effort", "\"high\"")))
        .getMessage()).contains("'reasoning_effort' is an Anthropic field");
    assertThat(refusal(Requests.of(Message.user("hi"))
        .extensions(Map.of("thinking", "{\"type\":\"enabled\",\"budget_tokens\":2048}"))).getMessage())
        .contains("'thinking' is an OpenAI field");
    assertThat(refusal(Requests.of(Message.user("hi")).anthropicExtensions(Map.of("output_config", "{\"effort\":\"low\"}")))
        .field()).isEqualTo("output_config");
  }

  @Test
  void theFirstRefusedExtensionDoesNotDependOnMapOrder() {
    Map<String, String> ext = Map.of("zeta_field", "1", "logit_bias", "{}", "seed", "7");
    assertThat(refusal(Requests.of(Message.user("hi")).extensions(ext)).field()).isEqualTo("logit_bias");
  }
}
