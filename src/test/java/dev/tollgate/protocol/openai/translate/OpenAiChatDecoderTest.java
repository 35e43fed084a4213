package dev.tollgate.protocol.openai.translate;

import static dev.tollgate.protocol.openai.translate.JsonTrees.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

/** Inbound OpenAI chat requests into the canonical model, and every refusal naming its field. */
class OpenAiChatDecoderTest {
  private final OpenAiChatDecoder decoder = new OpenAiChatDecoder(JSON);

  private OpenAiChatRequest decode(String body) {
    return decoder.decode(Buffer.buffer(body));
  }

  @Test
  void decodesAConversationWithToolsImagesAndReasoning() {
    OpenAiChatRequest decoded = decode("""
        {"model":"gpt-4o","messages":[
          {"role":"system","content":"You are terse."},
          {"role":"user","content":[
            {"type":"text","text":"What is in these?"},
            {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"low"}},
            {"type":"image_url","image_url":{"url":"https://upload.wikimedia.org/a.jpg"}}]},
          {"role":"developer","content":[{"type":"text","text":"Use metric units."}]},
          {"role":"assistant","content":null,"reasoning_content":"Need the weather.","tool_calls":[
            {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
            {"id":"call_2","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Rome\\"}"}}],
            "refusal":null,"annotations":[]},
          {"role":"tool","tool_call_id":"call_1","content":"18C"},
          {"role":"tool","tool_call_id":"call_2","content":[{"type":"text","text":"24"},{"type":"text","text":"C"}]},
          {"role":"user","content":"Thanks"}],
         "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather by city",
           "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},"strict":true}}],
         "tool_choice":{"type":"function","function":{"name":"get_weather"}},
         "parallel_tool_calls":false,
         "max_completion_tokens":300,"temperature":0.2,"top_p":0.9,"stop":"END","n":2,
         "stream":true,"stream_options":{"include_usage":true},
         "response_format":{"type":"json_object"},"user":"user-42",
         "seed":7,"logprobs":true,"top_logprobs":3,"logit_bias":{"50256":-100},"metadata":{"team":"a"},
         "service_tier":"flex","reasoning_effort":"low","frequency_penalty":0.5,"store":null}
        """);
    ChatRequest r = decoded.chat();
    assertThat(decoded.includeUsage()).isTrue();
    assertThat(r.model()).isEqualTo("gpt-4o");
    assertThat(r.system()).containsExactly(new Part.Text("You are terse."), new Part.Text("Use metric units."));
    assertThat(r.messages()).containsExactly(
        new Message(Role.USER, List.of(
            new Part.Text("What is in these?"),
            new Part.Image(null, "image/png", "iVBORw0KGgo=", "low"),
            new Part.Image("https://upload.wikimedia.org/a.jpg", null, null, null))),
        new Message(Role.ASSISTANT, List.of(
            new Part.Reasoning("Need the weather.", null, null),
            new Part.ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}"),
            new Part.ToolCall("call_2", "get_weather", "{\"city\":\"Rome\"}"))),
        new Message(Role.TOOL, List.of(
            new Part.ToolResult("call_1", List.of(new Part.Text("18C")), false),
            new Part.ToolResult("call_2", List.of(new Part.Text("24"), new Part.Text("C")), false))),
        Message.user("Thanks"));
    assertThat(r.tools()).containsExactly(new Tool("get_weather", "Weather by city",
        "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}", true));
    assertThat(r.toolChoice()).isEqualTo(new ToolChoice.Named("get_weather"));
    assertThat(r.parallelToolCalls()).isFalse();
    assertThat(r.maxTokens()).isEqualTo(300);
    assertThat(r.temperature()).isEqualTo(0.2);
    assertThat(r.topP()).isEqualTo(0.9);
    assertThat(r.topK()).isNull();
    assertThat(r.stop()).containsExactly("END");
    assertThat(r.candidates()).isEqualTo(2);
    assertThat(r.stream()).isTrue();
    assertThat(r.responseFormat()).isEqualTo(new ResponseFormat.JsonObject());
    assertThat(r.user()).isEqualTo("user-42");
    assertThat(r.extensions().fields()).isEqualTo(Map.ofEntries(
        Map.entry("seed", "7"),
        Map.entry("logprobs", "true"),
        Map.entry("top_logprobs", "3"),
        Map.entry("logit_bias", "{\"50256\":-100}"),
        Map.entry("metadata", "{\"team\":\"a\"}"),
        Map.entry("service_tier", "\"flex\""),
        Map.entry("reasoning_effort", "\"low\""),
        Map.entry("frequency_penalty", "0.5"),
        Map.entry("store", "null")));
  }

  @Test
  void aMinimalRequestHasTheCanonicalDefaults() {
    OpenAiChatRequest decoded = decode("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    ChatRequest r = decoded.chat();
    assertThat(decoded.includeUsage()).isFalse();
    assertThat(r.system()).isEmpty();
    assertThat(r.messages()).containsExactly(Message.user("hi"));
    assertThat(r.maxTokens()).isNull();
    assertThat(r.temperature()).isNull();
    assertThat(r.stop()).isEmpty();
    assertThat(r.tools()).isEmpty();
    assertThat(r.toolChoice()).isNull();
    assertThat(r.parallelToolCalls()).isNull();
    assertThat(r.responseFormat()).isNull();
    assertThat(r.candidates()).isEqualTo(1);
    assertThat(r.stream()).isFalse();
    assertThat(r.user()).isNull();
    assertThat(r.extensions().fields()).isEmpty();
  }

  @Test
  void readsTheLegacyOutputCapAndTopKAndNullsAsAbsent() {
    ChatRequest r = decode("""
        {"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":64,"top_k":40,
         "temperature":null,"stop":["a","b"],"tool_choice":"required","stream":false}
        """).chat();
    assertThat(r.maxTokens()).isEqualTo(64);
    assertThat(r.topK()).isEqualTo(40);
    assertThat(r.temperature()).isNull();
    assertThat(r.stop()).containsExactly("a", "b");
    assertThat(r.toolChoice()).isEqualTo(ToolChoice.REQUIRED);
    assertThat(r.stream()).isFalse();
  }

  @Test
  void agreeingOutputCapsAreOneCap() {
    assertThat(decode("""
        {"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":9,"max_completion_tokens":9}
        """).chat().maxTokens()).isEqualTo(9);
  }

  @Test
  void readsAJsonSchemaResponseFormat() {
    ChatRequest r = decode("""
        {"model":"m","messages":[{"role":"user","content":"hi"}],
         "response_format":{"type":"json_schema","json_schema":{"name":"math_reasoning","description":"Steps",
           "schema":{"type":"object","properties":{"answer":{"type":"string"}},"required":["answer"],
             "additionalProperties":false},"strict":true}}}
        """).chat();
    assertThat(r.responseFormat()).isEqualTo(new ResponseFormat.JsonSchema("math_reasoning",
        "{\"type\":\"object\",\"properties\":{\"answer\":{\"type\":\"string\"}},\"required\":[\"answer\"],"
            + "\"additionalProperties\":false}", true));
    assertThat(r.extensions().fields()).containsExactly(Map.entry("response_format.json_schema.description", "\"Steps\""));
  }

  @Test
  void toolMessagesSeparatedByAnotherTurnStaySeparate() {
    ChatRequest r = decode("""
        {"model":"m","messages":[
          {"role":"assistant","content":"","tool_calls":[{"id":"a","type":"function","function":{"name":"f","arguments":"{}"}}]},
          {"role":"tool","tool_call_id":"a","content":"1"},
          {"role":"assistant","content":"and","tool_calls":[{"id":"b","type":"function","function":{"name":"f","arguments":"{}"}}]},
          {"role":"tool","tool_call_id":"b","content":"2"}]}
        """).chat();
    assertThat(r.messages()).extracting(Message::role)
        .containsExactly(Role.ASSISTANT, Role.TOOL, Role.ASSISTANT, Role.TOOL);
    assertThat(r.messages().get(0).parts()).as("the empty content beside a call says nothing")
        .containsExactly(new Part.ToolCall("a", "f", "{}"));
    assertThat(r.messages().get(2).parts()).containsExactly(new Part.Text("and"),
        new Part.ToolCall("b", "f", "{}"));
  }

  static Stream<Arguments> refusals() {
    String user = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
    return Stream.of(
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},"
            + "{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"AAA\",\"format\":\"wav\"}}]}]}",
            "messages[0].content[1]", "input_audio"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"file\","
            + "\"file\":{\"file_id\":\"file-1\"}}]}]}", "messages[0].content[0]", "file"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"},"
            + "{\"role\":\"function\",\"name\":\"f\",\"content\":\"1\"}]}", "messages[1].role", "legacy"),
        Arguments.of("{\"model\":\"m\"," + user + ",\"functions\":[{\"name\":\"f\",\"parameters\":{}}]}",
            "functions", "legacy"),
        Arguments.of("{\"model\":\"m\"," + user + ",\"function_call\":\"auto\"}", "function_call", "legacy"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"content\":null,"
            + "\"function_call\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}", "messages[0].function_call", "translated"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"name\":\"ann\",\"content\":\"a\"}]}",
            "messages[0].name", "translated"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":[{\"type\":\"image_url\","
            + "\"image_url\":{\"url\":\"https://x/y.png\"}}]}]}", "messages[0].content[0]", "only text"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"tool\",\"tool_call_id\":\"a\",\"content\":[{\"type\":"
            + "\"image_url\",\"image_url\":{\"url\":\"https://x/y.png\"}}]}]}", "messages[0].content[0]", "only text"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"tool\",\"content\":\"1\"}]}",
            "messages[0].tool_call_id", "required"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"content\":\"a\",\"audio\":{\"id\":\"x\"}}]}",
            "messages[0].audio", "translated"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"content\":null,\"refusal\":\"no\"}]}",
            "messages[0].refusal", "translated"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"content\":null}]}",
            "messages[0].content", "required"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"content\":[{\"type\":\"refusal\","
            + "\"refusal\":\"no\"}]}]}", "messages[0].content[0]", "refusal"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\","
            + "\"type\":\"custom\",\"custom\":{\"name\":\"x\",\"input\":\"y\"}}]}]}",
            "messages[0].tool_calls[0].type", "custom"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"type\":\"function\","
            + "\"function\":{\"name\":\"x\",\"arguments\":\"{}\"}}]}]}", "messages[0].tool_calls[0].id", "required"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"critic\",\"content\":\"a\"}]}",
            "messages[0].role", "critic"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"content\":\"a\"}]}", "messages[0].role", "required"),
        Arguments.of("{\"model\":\"m\",\"messages\":[\"hi\"]}", "messages[0]", "an object"),
        Arguments.of("{\"model\":\"m\",\"messages\":[]}", "messages", "at least one"),
        Arguments.of("{\"model\":\"m\"}", "messages", "at least one"),
        Arguments.of("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "model", "required"),
        Arguments.of("{\"model\":\" \"," + user + "}", "model", "empty"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
            + "\"image_url\":{\"url\":\"data:image/svg+xml,<svg/>\"}}]}]}",
            "messages[0].content[0].image_url.url", "base64"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
            + "\"image_url\":{\"url\":\"data:application/pdf;base64,JVBER\"}}]}]}",
            "messages[0].content[0].image_url.url", "application/pdf"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
            + "\"image_url\":{\"url\":\"gs://bucket/a.png\"}}]}]}",
            "messages[0].content[0].image_url.url", "http(s)"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"video\"}]}]}",
            "messages[0].content[0].type", "video"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":42}]}",
            "messages[0].content", "must be"),
        Arguments.of("{\"model\":\"m\"," + user + ",\"stream_options\":{\"include_usage\":true}}",
            "stream_options", "stream"),
        Arguments.of("{\"model\":\"m\"," + user + ",\"max_tokens\":10,\"max_completion_tokens\":20}",
            "max_tokens", "disagree"),
        Arguments.of("{\"model\":\"m\"," + user + ",\"max_tokens\":0}", "max_tokens", "at least 1"),
        Arguments.of("{\"model\":\"m\"," + user + ",\"n\":1.5}", "n", "integer"),
        Arguments.of("{\"model\":\"m\"," + user + ",\"temperature\":\"hot\"}", "temperature", "number"),
        Arguments.of("{\"model\":\"m\"," + user + ",\"stop\":5}", "stop", "string"),
        Arguments.of("{\"model\":\"m\"," + user + ",\"stop\":[\"a\",1]}", "stop[1]", "string"),
        Arguments.of("{\"model\":\"m\"," + user + ",\"stream\":\"yes\"}", "stream", "boolean"),
        Arguments.of("{\"model\":\"m\"," + user + ",\"tools\":[{\"type\":\"custom\",\"custom\":{\"name\":\"x\"}}]}",
            "tools[0].type", "custom"),
        Arguments.of("{\"model\":\"m\"," + user + ",\"tools\":[{\"type\":\"function\"}]}", "tools[0].function",
            "required"),
        Arguments.of("{\"model\":\"m\"," + user + ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\","
            + "\"parameters\":\"{}\"}}]}", "tools[0].function.parameters", "an object"),
        Arguments.of("{\"model\":\"m\"," + user + ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\","
            + "\"defer\":true}}]}", "tools[0].function.defer", "translated"),
        Arguments.of("{\"model\":\"m\"," + user + ",\"tool_choice\":\"any\"}", "tool_choice", "any"),
        Arguments.of("{\"model\":\"m\"," + user + ",\"tool_choice\":{\"type\":\"allowed_tools\",\"allowed_tools\":{}}}",
            "tool_choice.type", "allowed_tools"),
        Arguments.of("{\"model\":\"m\"," + user + ",\"tool_choice\":{\"type\":\"function\"}}",
            "tool_choice.function", "required"),
        Arguments.of("{\"model\":\"m\"," + user + ",\"response_format\":{\"type\":\"grammar\"}}",
            "response_format.type", "grammar"),
        Arguments.of("{\"model\":\"m\"," + user + ",\"response_format\":{\"type\":\"json_schema\"}}",
            "response_format.json_schema", "required"),
        Arguments.of("{\"model\":\"m\"," + user + ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":"
            + "{\"schema\":{}}}}", "response_format.json_schema.name", "required"),
        Arguments.of("[1,2]", "", "object"),
        Arguments.of("{\"model\":", "", "not JSON"),
        Arguments.of("", "", "empty"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("refusals")
  void refusesWhatItCannotMapNamingTheField(String body, String field, String messagePart) {
    assertThatThrownBy(() -> decode(body))
        .isInstanceOfSatisfying(TranslationException.class, e -> {
          assertThat(e.field()).isEqualTo(field);
          assertThat(e.getMessage()).contains(messagePart);
        });
  }
}
