package dev.tollgate.protocol.openai.translate;

import static dev.tollgate.protocol.openai.translate.JsonTrees.JSON;
import static dev.tollgate.protocol.openai.translate.JsonTrees.assertJsonEquals;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.protocol.canonical.ChatRequest;
import io.vertx.core.buffer.Buffer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * OpenAI requests (shaped like the examples in OpenAI's API reference) survive decode then encode
 * JSON-equal, extensions included, when written in the encoder's normal form.
 */
class OpenAiRequestRoundTripTest {
  private final OpenAiChatDecoder decoder = new OpenAiChatDecoder(JSON);

  static Stream<Arguments> requests() {
    return Stream.of(
        Arguments.of("default", OpenAiFlavor.OPENAI, """
            {"model":"gpt-4.1","messages":[{"role":"system","content":"You are a helpful assistant."},
              {"role":"user","content":"Hello!"}]}
            """),
        Arguments.of("image input", OpenAiFlavor.OPENAI, """
            {"model":"gpt-4.1","messages":[{"role":"user","content":[
              {"type":"text","text":"What is in this image?"},
              {"type":"image_url","image_url":{"url":"https://upload.wikimedia.org/wikipedia/commons/thumb/d/dd/Gfp-wisconsin-madison-the-nature-boardwalk.jpg/2560px-Gfp-wisconsin-madison-the-nature-boardwalk.jpg"}},
              {"type":"image_url","image_url":{"url":"data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ==","detail":"high"}}]}],
             "max_completion_tokens":300}
            """),
        Arguments.of("streaming", OpenAiFlavor.OPENAI, """
            {"model":"gpt-4.1","messages":[{"role":"system","content":"You are a helpful assistant."},
              {"role":"user","content":"Hello!"}],"stream":true,"stream_options":{"include_usage":true}}
            """),
        Arguments.of("functions", OpenAiFlavor.OPENAI, """
            {"model":"gpt-4.1","messages":[{"role":"user","content":"What is the weather like in Boston today?"}],
             "tools":[{"type":"function","function":{"name":"get_current_weather",
               "description":"Get the current weather in a given location",
               "parameters":{"type":"object","properties":{
                 "location":{"type":"string","description":"The city and state, e.g. San Francisco, CA"},
                 "unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["location"]}}}],
             "tool_choice":"auto"}
            """),
        Arguments.of("logprobs", OpenAiFlavor.OPENAI, """
            {"model":"gpt-4.1","messages":[{"role":"user","content":"Hello!"}],"logprobs":true,"top_logprobs":2}
            """),
        Arguments.of("a tool-call loop with strict tools", OpenAiFlavor.OPENAI, """
            {"model":"gpt-4o","messages":[
              {"role":"user","content":"What is the weather like in Paris and Bogota today?"},
              {"role":"assistant","content":null,"tool_calls":[
                {"id":"call_12345xyz","type":"function","function":{"name":"get_weather","arguments":"{\\"location\\":\\"Paris, France\\"}"}},
                {"id":"call_67890abc","type":"function","function":{"name":"get_weather","arguments":"{\\"location\\":\\"Bogota, Colombia\\"}"}}]},
              {"role":"tool","tool_call_id":"call_12345xyz","content":"14"},
              {"role":"tool","tool_call_id":"call_67890abc","content":[{"type":"text","text":"18"},{"type":"text","text":"C"}]},
              {"role":"assistant","content":[{"type":"text","text":"Paris: 14C."},{"type":"text","text":"Bogota: 18C."}]},
              {"role":"user","content":"Thanks"}],
             "tools":[{"type":"function","function":{"name":"get_weather","description":"Get current temperature for a given location.",
               "parameters":{"type":"object","properties":{"location":{"type":"string"}},"required":["location"],
                 "additionalProperties":false},"strict":true}},
              {"type":"function","function":{"name":"no_args","strict":false}}],
             "tool_choice":{"type":"function","function":{"name":"get_weather"}},"parallel_tool_calls":false}
            """),
        Arguments.of("JSON mode with sampling knobs and several choices", OpenAiFlavor.OPENAI, """
            {"model":"gpt-4o-mini","messages":[{"role":"user","content":"Three colours as JSON"}],
             "response_format":{"type":"json_object"},"n":2,"seed":42,"temperature":0.7,"top_p":1,
             "stop":["\\n\\n","END"],"frequency_penalty":0.1,"presence_penalty":-0.5,"logit_bias":{"1734":-100},
             "user":"user-1234","metadata":{"session":"s-1"},"store":true,"service_tier":"auto"}
            """),
        Arguments.of("structured outputs", OpenAiFlavor.OPENAI, """
            {"model":"o3-mini","messages":[{"role":"developer","content":"ignored: becomes system"}],
             "reasoning_effort":"high","max_completion_tokens":2000,
             "response_format":{"type":"json_schema","json_schema":{"name":"math_response","description":"Steps to the answer",
               "schema":{"type":"object","properties":{"steps":{"type":"array","items":{"type":"string"}},
                 "final_answer":{"type":"string"}},"required":["steps","final_answer"],"additionalProperties":false},
               "strict":true}}}
            """),
        Arguments.of("plain text format and no tool calls", OpenAiFlavor.OPENAI, """
            {"model":"gpt-4o","messages":[{"role":"user","content":""}],"response_format":{"type":"text"},
             "tools":[{"type":"function","function":{"name":"f","parameters":{}}}],"tool_choice":"none"}
            """),
        Arguments.of("a compatible server with reasoning history", OpenAiFlavor.COMPATIBLE, """
            {"model":"deepseek-reasoner","messages":[{"role":"user","content":"9.11 or 9.8?"},
              {"role":"assistant","content":"9.8","reasoning_content":"Compare decimals."},
              {"role":"user","content":"Why?"}],
             "max_tokens":512,"top_k":20,"temperature":0.6,"repetition_penalty":1.05,
             "chat_template_kwargs":{"enable_thinking":false}}
            """));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("requests")
  void decodeThenEncodeIsJsonEqual(String name, OpenAiFlavor flavor, String request) {
    String expected = request.replace("\"developer\"", "\"system\"");
    ChatRequest canonical = decoder.decode(Buffer.buffer(request)).chat();
    assertJsonEquals(new OpenAiChatEncoder(JSON, flavor).encode(canonical), expected);
  }

  @Test
  void explicitDefaultsComeBackInNormalForm() {
    String request = """
        {"model":"m","messages":[{"role":"developer","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},
          {"role":"user","content":[{"type":"text","text":"hi"}]}],
         "n":1,"stream":false,"stop":"END","max_tokens":5,"temperature":null}
        """;
    ChatRequest canonical = decoder.decode(Buffer.buffer(request)).chat();
    assertJsonEquals(new OpenAiChatEncoder(JSON, OpenAiFlavor.OPENAI).encode(canonical), """
        {"model":"m","messages":[{"role":"system","content":"a"},{"role":"system","content":"b"},
          {"role":"user","content":"hi"}],"stop":["END"],"max_completion_tokens":5}
        """);
  }

  @Test
  void theFixturesReallyCoverTheMappedFields() {
    // Guards the table above: a fixture edited down to nothing would make the round trip vacuous.
    String all = requests().map(a -> (String) a.get()[2]).reduce("", String::concat);
    for (String field : new String[] {"\"tools\"", "\"tool_calls\"", "\"tool_call_id\"", "\"image_url\"",
        "\"detail\"", "\"stream_options\"", "\"n\"", "\"stop\"", "\"response_format\"", "\"json_schema\"",
        "\"strict\"", "\"tool_choice\"", "\"parallel_tool_calls\"", "\"reasoning_content\"", "\"seed\"",
        "\"logprobs\"", "\"max_tokens\"", "\"max_completion_tokens\"", "\"top_k\"", "\"user\""}) {
      assertThat(all).contains(field);
    }
  }
}
