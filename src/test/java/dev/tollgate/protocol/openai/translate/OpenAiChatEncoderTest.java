package dev.tollgate.protocol.openai.translate;

import static dev.tollgate.protocol.openai.translate.JsonTrees.JSON;
import static dev.tollgate.protocol.openai.translate.JsonTrees.assertJsonEquals;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.protocol.canonical.Extensions;
import dev.tollgate.protocol.canonical.Message;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.ResponseFormat;
import dev.tollgate.protocol.canonical.Role;
import dev.tollgate.protocol.canonical.Tool;
import dev.tollgate.protocol.canonical.ToolChoice;
import dev.tollgate.protocol.canonical.TranslationException;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Canonical requests (as other formats' decoders make them) written as OpenAI chat bodies. */
class OpenAiChatEncoderTest {
  private final OpenAiChatEncoder openAi = new OpenAiChatEncoder(JSON, OpenAiFlavor.OPENAI);
  private final OpenAiChatEncoder compatible = new OpenAiChatEncoder(JSON, OpenAiFlavor.COMPATIBLE);

  /** An Anthropic-shaped conversation: signed thinking, tool results (one failed) inside a user turn. */
  private static CanonicalRequests anthropicConversation() {
    CanonicalRequests b = CanonicalRequests.with(
        Message.user("Weather in Paris and Rome?"),
        new Message(Role.ASSISTANT, List.of(
            new Part.Reasoning("Two cities, two calls.", "EqQBCkYIBxgCKkA", null),
            new Part.Reasoning("", null, "EmwKAhgBEgy3va3p"),
            new Part.Text("Checking."),
            new Part.ToolCall("toolu_01", "get_weather", "{\"city\":\"Paris\"}"),
            new Part.ToolCall("toolu_02", "get_weather", "{\"city\":\"Rome\"}"))),
        new Message(Role.USER, List.of(
            new Part.ToolResult("toolu_01", List.of(new Part.Text("18C")), false),
            new Part.ToolResult("toolu_02", List.of(new Part.Text("service down")), true),
            new Part.Text("Be brief."))));
    b.system.add(new Part.Text("You are terse."));
    b.system.add(new Part.Text("Use metric units."));
    b.model = "claude-to-gpt";
    b.maxTokens = 1024;
    b.tools.add(new Tool("get_weather", null, "{\"type\":\"object\"}"));
    b.toolChoice = ToolChoice.AUTO;
    return b;
  }

  @Test
  void writesAnAnthropicShapedConversationForOpenAi() {
    assertJsonEquals(openAi.encode(anthropicConversation().build()), """
        {"model":"claude-to-gpt","max_completion_tokens":1024,
         "messages":[
          {"role":"system","content":"You are terse."},
          {"role":"system","content":"Use metric units."},
          {"role":"user","content":"Weather in Paris and Rome?"},
          {"role":"assistant","content":"Checking.","tool_calls":[
            {"id":"toolu_01","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
            {"id":"toolu_02","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Rome\\"}"}}]},
          {"role":"tool","tool_call_id":"toolu_01","content":"18C"},
          {"role":"tool","tool_call_id":"toolu_02","content":"Error: service down"},
          {"role":"user","content":"Be brief."}],
         "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}],
         "tool_choice":"auto"}
        """);
  }

  @Test
  void signedThinkingIsDroppedForCompatibleServersToo() {
    var body = compatible.encode(anthropicConversation().build());
    assertThat(body.get("max_tokens").asInt()).isEqualTo(1024);
    assertThat(body.has("max_completion_tokens")).isFalse();
    assertThat(body.get("messages").get(3).has("reasoning_content")).isFalse();
  }

  @Test
  void plainReasoningGoesBackOnlyToCompatibleServers() {
    CanonicalRequests b = CanonicalRequests.with(Message.user("2+2?"),
        new Message(Role.ASSISTANT, List.of(new Part.Reasoning("Add ", null, null),
            new Part.Reasoning("them.", null, null), new Part.Text("4"))),
        new Message(Role.ASSISTANT, List.of(new Part.Reasoning("only thinking", null, null))),
        Message.user("and 3+3?"));
    assertJsonEquals(compatible.encode(b.build()).get("messages"), """
        [{"role":"user","content":"2+2?"},
         {"role":"assistant","content":"4","reasoning_content":"Add them."},
         {"role":"assistant","content":"","reasoning_content":"only thinking"},
         {"role":"user","content":"and 3+3?"}]
        """);
    assertJsonEquals(openAi.encode(b.build()).get("messages"), """
        [{"role":"user","content":"2+2?"},
         {"role":"assistant","content":"4"},
         {"role":"user","content":"and 3+3?"}]
        """);
  }

  @Test
  void writesImagesAsUrlsOrDataUrls() {
    CanonicalRequests b = CanonicalRequests.with(new Message(Role.USER, List.of(
        new Part.Text("Compare"),
        Part.Image.inline("image/jpeg", "/9j/4AAQ"),
        new Part.Image("https://example.com/b.png", null, null, "high"))));
    assertJsonEquals(openAi.encode(b.build()).get("messages"), """
        [{"role":"user","content":[
          {"type":"text","text":"Compare"},
          {"type":"image_url","image_url":{"url":"data:image/jpeg;base64,/9j/4AAQ"}},
          {"type":"image_url","image_url":{"url":"https://example.com/b.png","detail":"high"}}]}]
        """);
  }

  @Test
  void failedToolResultsSayTheyFailedWhateverTheirShape() {
    CanonicalRequests b = CanonicalRequests.with(new Message(Role.TOOL, List.of(
        new Part.ToolResult("a", List.of(), true),
        new Part.ToolResult("b", List.of(new Part.Text("x"), new Part.Text("y")), true),
        new Part.ToolResult("c", List.of(), false))));
    assertJsonEquals(openAi.encode(b.build()).get("messages"), """
        [{"role":"tool","tool_call_id":"a","content":"Error"},
         {"role":"tool","tool_call_id":"b","content":[{"type":"text","text":"Error: x"},{"type":"text","text":"y"}]},
         {"role":"tool","tool_call_id":"c","content":""}]
        """);
  }

  @Test
  void aStreamAsksForUsageSoItCanBeBilled() {
    CanonicalRequests b = CanonicalRequests.with(Message.user("hi"));
    b.stream = true;
    assertJsonEquals(openAi.encode(b.build()), """
        {"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}
        """);
  }

  @Test
  void toolChoicesThatMeanNothingWithoutToolsAreLeftOut() {
    CanonicalRequests b = CanonicalRequests.with(Message.user("hi"));
    b.toolChoice = ToolChoice.NONE;
    b.parallelToolCalls = true;
    assertJsonEquals(openAi.encode(b.build()), "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
  }

  @Test
  void anUnnamedSchemaGetsTheNameOpenAiRequires() {
    CanonicalRequests b = CanonicalRequests.with(Message.user("hi"));
    b.responseFormat = new ResponseFormat.JsonSchema(null, "{\"type\":\"object\"}", false);
    assertJsonEquals(openAi.encode(b.build()).get("response_format"), """
        {"type":"json_schema","json_schema":{"name":"response","schema":{"type":"object"}}}
        """);
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        refusal("an image in a tool result", "messages[0].parts[0].content[1]", b -> b.messages.add(new Message(
            Role.TOOL, List.of(new Part.ToolResult("a", List.of(new Part.Text("see"),
                Part.Image.inline("image/png", "AAAA")), false))))),
        refusal("an image in a tool result inside a user turn", "messages[0].parts[0].content[0]",
            b -> b.messages.add(new Message(Role.USER, List.of(new Part.ToolResult("a",
                List.of(Part.Image.ofUrl("https://x/y.png")), false))))),
        refusal("an image from the assistant", "messages[0].parts[0]", b -> b.messages.add(
            new Message(Role.ASSISTANT, List.of(Part.Image.ofUrl("https://x/y.png"))))),
        refusal("a tool call from the user", "messages[0].parts[0]", b -> b.messages.add(
            new Message(Role.USER, List.of(new Part.ToolCall("a", "f", "{}"))))),
        refusal("text in a tool turn", "messages[0].parts[0]", b -> b.messages.add(
            new Message(Role.TOOL, List.of(new Part.Text("x"))))),
        refusal("top_k for OpenAI", "topK", b -> {
          b.messages.add(Message.user("hi"));
          b.topK = 40;
        }),
        refusal("a required call without tools", "toolChoice", b -> {
          b.messages.add(Message.user("hi"));
          b.toolChoice = ToolChoice.REQUIRED;
        }),
        refusal("a named call without tools", "toolChoice", b -> {
          b.messages.add(Message.user("hi"));
          b.toolChoice = new ToolChoice.Named("f");
        }),
        refusal("another format's nested extension", "tools[0].cache_control", b -> {
          b.messages.add(Message.user("hi"));
          b.extensions.put("tools[0].cache_control", "{\"type\":\"ephemeral\"}");
        }),
        refusal("an extension overwriting a mapped field", "temperature", b -> {
          b.messages.add(Message.user("hi"));
          b.extensions.put("temperature", "2");
        }),
        refusal("a schema description without a schema", "response_format.json_schema.description", b -> {
          b.messages.add(Message.user("hi"));
          b.responseFormat = new ResponseFormat.JsonObject();
          b.extensions.put("response_format.json_schema.description", "\"d\"");
        }),
        refusal("parameters that are not JSON", "tools[0].parametersJson", b -> {
          b.messages.add(Message.user("hi"));
          b.tools.add(new Tool("f", null, "{type:"));
        }),
        refusal("an Anthropic caller's thinking", "thinking", b -> {
          b.messages.add(Message.user("hi"));
          b.dialect = Extensions.Dialect.ANTHROPIC;
          b.extensions.put("thinking", "{\"type\":\"enabled\",\"budget_tokens\":1024}");
          b.extensions.put("service_tier", "\"auto\"");
        }),
        refusal("an Anthropic caller's field that OpenAI also has, with another meaning", "output_config", b -> {
          b.messages.add(Message.user("hi"));
          b.dialect = Extensions.Dialect.ANTHROPIC;
          b.extensions.put("output_config", "{\"effort\":\"low\"}");
        }),
        refusal("an extension that is not JSON", "seed", b -> {
          b.messages.add(Message.user("hi"));
          b.extensions.put("seed", "seven");
        }));
  }

  private static Arguments refusal(String what, String field, Consumer<CanonicalRequests> setup) {
    CanonicalRequests b = new CanonicalRequests();
    setup.accept(b);
    return Arguments.of(what, field, b);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("refusals")
  void refusesWhatOpenAiCannotExpressNamingTheField(String what, String field, CanonicalRequests request) {
    assertThatThrownBy(() -> openAi.encode(request.build()))
        .isInstanceOfSatisfying(TranslationException.class, e -> assertThat(e.field()).isEqualTo(field));
  }

  @Test
  void compatibleServersTakeTopK() {
    CanonicalRequests b = CanonicalRequests.with(Message.user("hi"));
    b.topK = 40;
    assertThat(compatible.encode(b.build()).get("top_k").asInt()).isEqualTo(40);
  }
}
