package dev.tollgate.protocol.openai.responses;

import static dev.tollgate.protocol.openai.responses.JsonTrees.JSON;
import static dev.tollgate.protocol.openai.responses.JsonTrees.assertJsonEquals;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.protocol.canonical.Extensions;
import dev.tollgate.protocol.canonical.ChatRequest;
import dev.tollgate.protocol.canonical.Message;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.ResponseFormat;
import dev.tollgate.protocol.canonical.Role;
import dev.tollgate.protocol.canonical.Tool;
import dev.tollgate.protocol.canonical.ToolChoice;
import dev.tollgate.protocol.canonical.TranslationException;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class ResponsesRequestDecoderTest {
  private final ResponsesRequestDecoder decoder = new ResponsesRequestDecoder(JSON);

  private ResponsesRequest decode(String body) {
    return decoder.decode(Buffer.buffer(body));
  }

  @Test
  void aStringInputIsOneUserMessageAndInstructionsAreTheSystem() {
    ChatRequest chat = decode("""
        {"model": "gpt-4.1", "instructions": "Talk like a pirate.", "input": "Are semicolons optional in JavaScript?"}
        """).chat();
    assertThat(chat).isEqualTo(new ChatRequest("gpt-4.1", List.of(new Part.Text("Talk like a pirate.")),
        List.of(Message.user("Are semicolons optional in JavaScript?")), null, null, null, null, List.of(), List.of(),
        null, null, null, 1, false, null, Extensions.NONE));
  }

  @Test
  void aWholeConversationWithToolsImagesAndHistoryDecodes() {
    ChatRequest chat = decode("""
        {
          "model": "gpt-5",
          "instructions": "Be brief.",
          "input": [
            {"role": "developer", "content": "Prefer metric units."},
            {"role": "user", "content": [
              {"type": "input_text", "text": "What is in this image, and the weather there?"},
              {"type": "input_image", "image_url": "https://example.com/paris.jpg", "detail": "high"},
              {"type": "input_image", "image_url": "data:image/png;base64,iVBORw0KGgo="}
            ]},
            {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "Paris, so look it up."}],
             "encrypted_content": null},
            {"type": "message", "id": "msg_1", "status": "completed", "role": "assistant",
             "content": [{"type": "output_text", "text": "That is the Eiffel Tower.", "annotations": []}]},
            {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "get_weather",
             "arguments": "{\\"city\\":\\"Paris\\"}", "status": "completed"},
            {"type": "function_call", "call_id": "call_2", "name": "get_time", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "call_1", "output": "18C, cloudy"},
            {"type": "function_call_output", "call_id": "call_2", "output": [{"type": "input_text", "text": "14:05"}]},
            {"role": "user", "content": "Thanks."}
          ],
          "tools": [{"type": "function", "name": "get_weather", "description": "Weather for a city",
                     "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}, "strict": true},
                    {"type": "function", "name": "get_time", "parameters": {"type": "object"}, "strict": false}],
          "tool_choice": {"type": "function", "name": "get_weather"},
          "parallel_tool_calls": false,
          "max_output_tokens": 500,
          "temperature": 0.2,
          "top_p": 0.9,
          "stream": true,
          "stream_options": {"include_obfuscation": false},
          "store": false,
          "user": "user-42",
          "reasoning": {"effort": "low", "summary": "auto"},
          "text": {"format": {"type": "json_schema", "name": "answer", "description": "The answer",
                              "schema": {"type": "object"}, "strict": true}, "verbosity": "low"},
          "metadata": {"team": "a"}
        }
        """).chat();
    assertThat(chat.model()).isEqualTo("gpt-5");
    assertThat(chat.system()).containsExactly(new Part.Text("Be brief."), new Part.Text("Prefer metric units."));
    assertThat(chat.messages()).containsExactly(
        new Message(Role.USER, List.of(new Part.Text("What is in this image, and the weather there?"),
            new Part.Image("https://example.com/paris.jpg", null, null, "high"),
            Part.Image.inline("image/png", "iVBORw0KGgo="))),
        new Message(Role.ASSISTANT, List.of(new Part.Reasoning("Paris, so look it up.", null, null),
            new Part.Text("That is the Eiffel Tower."),
            new Part.ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}"),
            new Part.ToolCall("call_2", "get_time", "{}"))),
        new Message(Role.TOOL, List.of(
            new Part.ToolResult("call_1", List.of(new Part.Text("18C, cloudy")), false),
            new Part.ToolResult("call_2", List.of(new Part.Text("14:05")), false))),
        Message.user("Thanks."));
    assertThat(chat.tools()).containsExactly(
        new Tool("get_weather", "Weather for a city",
            "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}", true),
        new Tool("get_time", null, "{\"type\":\"object\"}"));
    assertThat(chat.toolChoice()).isEqualTo(new ToolChoice.Named("get_weather"));
    assertThat(chat.parallelToolCalls()).isFalse();
    assertThat(chat.maxTokens()).isEqualTo(500);
    assertThat(chat.temperature()).isEqualTo(0.2);
    assertThat(chat.topP()).isEqualTo(0.9);
    assertThat(chat.stream()).isTrue();
    assertThat(chat.user()).isEqualTo("user-42");
    assertThat(chat.candidates()).isEqualTo(1);
    assertThat(chat.responseFormat()).isEqualTo(new ResponseFormat.JsonSchema("answer", "{\"type\":\"object\"}", true));
    assertThat(chat.extensions().fields()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "reasoning_effort", "\"low\"",
        "verbosity", "\"low\"",
        "response_format.json_schema.description", "\"The answer\"",
        "metadata", "{\"team\":\"a\"}"));
  }

  @Test
  void theEchoRepeatsTheSettingsWithTheApiDefaults() {
    ResponsesRequest request = decode("""
        {"model": "gpt-4.1", "input": "hi", "tools": [{"type": "function", "name": "f"}]}
        """);
    assertJsonEquals(request.echo(), """
        {"instructions": null, "max_output_tokens": null, "temperature": 1.0, "top_p": 1.0,
         "parallel_tool_calls": true, "tool_choice": "auto",
         "tools": [{"type": "function", "name": "f", "description": null, "parameters": null, "strict": null}],
         "text": {"format": {"type": "text"}, "verbosity": "medium"},
         "reasoning": {"effort": null, "summary": null}, "metadata": {}, "user": null, "safety_identifier": null,
         "store": false, "background": false, "previous_response_id": null, "truncation": "disabled"}
        """);
  }

  @Test
  void simpleFormatsToolChoicesAndTheSafetyIdentifierMap() {
    assertThat(decode("""
        {"model": "m", "input": "x", "text": {"format": {"type": "json_object"}}, "tool_choice": "required",
         "safety_identifier": "hashed-user"}
        """).chat()).satisfies(c -> {
          assertThat(c.responseFormat()).isEqualTo(new ResponseFormat.JsonObject());
          assertThat(c.toolChoice()).isEqualTo(ToolChoice.REQUIRED);
          assertThat(c.user()).isEqualTo("hashed-user");
        });
    assertThat(decode("""
        {"model": "m", "input": "x", "text": {"format": {"type": "text"}}, "tool_choice": "none"}
        """).chat()).satisfies(c -> {
          assertThat(c.responseFormat()).isEqualTo(ResponseFormat.TEXT);
          assertThat(c.toolChoice()).isEqualTo(ToolChoice.NONE);
        });
    assertThat(decode("""
        {"model": "m", "input": "x", "tool_choice": "auto", "store": null, "background": false, "include": []}
        """).chat().toolChoice()).isEqualTo(ToolChoice.AUTO);
  }

  @Test
  void systemItemsAreHoistedAndConsecutiveUserMessagesStaySeparate() {
    ChatRequest chat = decode("""
        {"model": "m", "input": [
          {"type": "message", "role": "system", "content": [{"type": "input_text", "text": "S1"}]},
          {"role": "user", "content": "a"},
          {"role": "user", "content": "b"},
          {"role": "assistant", "content": "c"}
        ]}
        """).chat();
    assertThat(chat.system()).containsExactly(new Part.Text("S1"));
    assertThat(chat.messages()).containsExactly(Message.user("a"), Message.user("b"), Message.assistant("c"));
  }

  @Test
  void reasoningItemsWeWroteComeBackWithTheirSignatureOrRedactedData() {
    String signed = ReasoningToken.encode(JSON, "EqQBCkYIBx", null);
    String redacted = ReasoningToken.encode(JSON, null, "EmwKAhgBEgy3va3pzix");
    ChatRequest chat = decode("""
        {"model": "m", "include": ["reasoning.encrypted_content"], "input": [
          {"role": "user", "content": "Weather?"},
          {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "Look it up."}],
           "encrypted_content": "%s"},
          {"type": "reasoning", "id": "rs_2", "summary": [], "encrypted_content": "%s"},
          {"type": "function_call", "call_id": "toolu_1", "name": "get_weather", "arguments": "{}"}
        ]}
        """.formatted(signed, redacted)).chat();
    assertThat(chat.messages().get(1)).isEqualTo(new Message(Role.ASSISTANT, List.of(
        new Part.Reasoning("Look it up.", "EqQBCkYIBx", null),
        new Part.Reasoning("", null, "EmwKAhgBEgy3va3pzix"),
        new Part.ToolCall("toolu_1", "get_weather", "{}"))));
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        Arguments.of("{\"model\":\"m\",\"input\":\"x\",\"previous_response_id\":\"resp_1\"}", "previous_response_id"),
        Arguments.of("{\"model\":\"m\",\"input\":\"x\",\"store\":true}", "store"),
        Arguments.of("{\"model\":\"m\",\"input\":\"x\",\"background\":true}", "background"),
        Arguments.of("{\"model\":\"m\",\"input\":\"x\",\"conversation\":\"conv_1\"}", "conversation"),
        Arguments.of("{\"model\":\"m\",\"input\":\"x\",\"prompt\":{\"id\":\"pmpt_1\"}}", "prompt"),
        Arguments.of("{\"model\":\"m\",\"input\":\"x\",\"tools\":[{\"type\":\"web_search\"}]}", "tools[0].type"),
        Arguments.of("{\"model\":\"m\",\"input\":\"x\",\"tools\":[{\"type\":\"function\",\"name\":\"f\"},"
            + "{\"type\":\"file_search\",\"vector_store_ids\":[\"vs_1\"]}]}", "tools[1].type"),
        Arguments.of("{\"model\":\"m\",\"input\":\"x\",\"tools\":[{\"type\":\"function\"}]}", "tools[0].name"),
        Arguments.of("{\"model\":\"m\",\"input\":\"x\",\"tool_choice\":{\"type\":\"web_search_preview\"}}",
            "tool_choice.type"),
        Arguments.of("{\"model\":\"m\",\"input\":\"x\",\"tool_choice\":\"sometimes\"}", "tool_choice"),
        Arguments.of("{\"model\":\"m\",\"input\":\"x\",\"include\":[\"reasoning.encrypted_content\","
            + "\"message.output_text.logprobs\"]}", "include[1]"),
        Arguments.of("{\"model\":\"m\",\"input\":[{\"type\":\"reasoning\",\"summary\":[],"
            + "\"encrypted_content\":\"tollgate.reasoning.v1.!!\"}]}", "input[0].encrypted_content"),
        Arguments.of("{\"model\":\"m\",\"input\":[{\"type\":\"reasoning\",\"summary\":[],"
            + "\"encrypted_content\":\"tollgate.reasoning.v1.WzFd\"}]}", "input[0].encrypted_content"),
        Arguments.of("{\"model\":\"m\",\"input\":\"x\",\"truncation\":\"auto\"}", "truncation"),
        Arguments.of("{\"model\":\"m\",\"input\":\"x\",\"top_logprobs\":2}", "top_logprobs"),
        Arguments.of("{\"model\":\"m\",\"input\":\"x\",\"max_tool_calls\":2}", "max_tool_calls"),
        Arguments.of("{\"model\":\"m\",\"input\":\"x\",\"max_output_tokens\":0}", "max_output_tokens"),
        Arguments.of("{\"model\":\"m\",\"input\":\"x\",\"temperature\":\"hot\"}", "temperature"),
        Arguments.of("{\"model\":\"m\",\"input\":\"x\",\"reasoning\":{\"effort\":7}}", "reasoning.effort"),
        Arguments.of("{\"model\":\"m\",\"input\":\"x\",\"text\":{\"format\":{\"type\":\"xml\"}}}", "text.format.type"),
        Arguments.of("{\"model\":\"m\",\"input\":\"x\",\"text\":{\"format\":{\"type\":\"json_schema\",\"name\":\"a\"}}}",
            "text.format.schema"),
        Arguments.of("{\"model\":\"m\",\"input\":\"x\",\"user\":\"a\",\"safety_identifier\":\"b\"}", "safety_identifier"),
        Arguments.of("{\"model\":\"m\",\"input\":\"x\",\"stream_options\":{\"include_obfuscation\":true}}",
            "stream_options"),
        Arguments.of("{\"input\":\"x\"}", "model"),
        Arguments.of("{\"model\":\"m\"}", "input"),
        Arguments.of("{\"model\":\"m\",\"input\":42}", "input"),
        Arguments.of("{\"model\":\"m\",\"input\":[]}", "input"),
        Arguments.of("{\"model\":\"m\",\"input\":[{\"role\":\"system\",\"content\":\"only\"}]}", "input"),
        Arguments.of("{\"model\":\"m\",\"input\":[\"hi\"]}", "input[0]"),
        Arguments.of("{\"model\":\"m\",\"input\":[{\"role\":\"tool\",\"content\":\"x\"}]}", "input[0].role"),
        Arguments.of("{\"model\":\"m\",\"input\":[{\"role\":\"user\"}]}", "input[0].content"),
        Arguments.of("{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_file\","
            + "\"file_id\":\"file-1\"}]}]}", "input[0].content[0]"),
        Arguments.of("{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_image\","
            + "\"file_id\":\"file-1\"}]}]}", "input[0].content[0].file_id"),
        Arguments.of("{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_image\","
            + "\"image_url\":\"ftp://x/y.png\"}]}]}", "input[0].content[0].image_url"),
        Arguments.of("{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_image\","
            + "\"image_url\":\"data:text/plain;base64,aGk=\"}]}]}", "input[0].content[0].image_url"),
        Arguments.of("{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"assistant\","
            + "\"content\":[{\"type\":\"refusal\",\"refusal\":\"no\"}]}]}", "input[1].content[0]"),
        Arguments.of("{\"model\":\"m\",\"input\":[{\"type\":\"item_reference\",\"id\":\"msg_1\"}]}", "input[0]"),
        Arguments.of("{\"model\":\"m\",\"input\":[{\"type\":\"web_search_call\",\"id\":\"ws_1\"}]}", "input[0].type"),
        Arguments.of("{\"model\":\"m\",\"input\":[{\"type\":\"reasoning\",\"summary\":[],\"encrypted_content\":\"gAAA\"}]}",
            "input[0].encrypted_content"),
        Arguments.of("{\"model\":\"m\",\"input\":[{\"type\":\"function_call\",\"call_id\":\"c\",\"name\":\"f\"}]}",
            "input[0].arguments"),
        Arguments.of("{\"model\":\"m\",\"input\":[{\"type\":\"function_call_output\",\"call_id\":\"c\"}]}",
            "input[0].output"),
        Arguments.of("{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":\"a\",\"name\":\"bob\"}]}",
            "input[0].name"));
  }

  @ParameterizedTest
  @MethodSource("refusals")
  void refusesWhatCannotBeServedNamingTheField(String body, String field) {
    assertThatThrownBy(() -> decode(body))
        .isInstanceOfSatisfying(TranslationException.class, e -> assertThat(e.field()).isEqualTo(field))
        .hasMessageContaining(field.isEmpty() ? "" : field.replaceAll("\\[.*", ""));
  }

  @Test
  void malformedBodiesAreRefused() {
    for (String body : List.of("", "not json", "[1]", "{\"model\":")) {
      assertThatThrownBy(() -> decode(body)).isInstanceOf(TranslationException.class);
    }
  }
}
