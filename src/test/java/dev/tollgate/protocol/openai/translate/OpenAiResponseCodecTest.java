package dev.tollgate.protocol.openai.translate;

import static dev.tollgate.protocol.openai.translate.JsonTrees.JSON;
import static dev.tollgate.protocol.openai.translate.JsonTrees.assertJsonEquals;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.protocol.canonical.ChatResponse;
import dev.tollgate.protocol.canonical.ChatResponse.Candidate;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.StopReason;
import dev.tollgate.protocol.canonical.TranslationException;
import dev.tollgate.protocol.canonical.Usage;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Whole chat.completion answers: provider answers into the canonical model, canonical answers out. */
class OpenAiResponseCodecTest {
  private final OpenAiResponseDecoder decoder = new OpenAiResponseDecoder(JSON);
  private final OpenAiResponseEncoder encoder = new OpenAiResponseEncoder(JSON);

  /** OpenAI's function-calling example answer, as the API reference shows it. */
  static final String TOOL_CALL_ANSWER = """
      {"id":"chatcmpl-Ax2bU1RFE8P0Y9uqKcErQNLcx4dDe","object":"chat.completion","created":1738634724,
       "model":"gpt-4o-2024-08-06",
       "choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[
         {"id":"call_FezxjoWuDV1CL3dITVFOjUzK","type":"function",
          "function":{"name":"get_weather","arguments":"{\\"location\\":\\"Paris, France\\"}"}}],
         "refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"tool_calls"}],
       "usage":{"prompt_tokens":65,"completion_tokens":16,"total_tokens":81,
         "prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},
         "completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,
           "rejected_prediction_tokens":0}},
       "service_tier":"default","system_fingerprint":"fp_f3927aa00d"}
      """;

  @Test
  void decodesOpenAisToolCallAnswer() {
    ChatResponse r = decoder.decode(Buffer.buffer(TOOL_CALL_ANSWER));
    assertThat(r).isEqualTo(new ChatResponse("chatcmpl-Ax2bU1RFE8P0Y9uqKcErQNLcx4dDe", "gpt-4o-2024-08-06",
        1738634724L,
        List.of(new Candidate(0, List.of(new Part.ToolCall("call_FezxjoWuDV1CL3dITVFOjUzK", "get_weather",
            "{\"location\":\"Paris, France\"}")), StopReason.TOOL_CALLS)),
        new Usage(65, 16, 0, 0, 0)));
  }

  @Test
  void decodesSeveralChoicesWithCachedAndReasoningTokens() {
    ChatResponse r = decoder.decode(Buffer.buffer("""
        {"id":"chatcmpl-123","object":"chat.completion","created":1677652288,"model":"o4-mini-2025-04-16",
         "choices":[
          {"index":0,"message":{"role":"assistant","content":"Red.","refusal":null,"annotations":[]},
           "logprobs":null,"finish_reason":"stop"},
          {"index":1,"message":{"role":"assistant","content":"Blue and gr","refusal":null,"annotations":[]},
           "logprobs":{"content":[]},"finish_reason":"length"}],
         "usage":{"prompt_tokens":2006,"completion_tokens":300,"total_tokens":2306,
           "prompt_tokens_details":{"cached_tokens":1920,"audio_tokens":0},
           "completion_tokens_details":{"reasoning_tokens":256,"audio_tokens":0}}}
        """));
    assertThat(r.candidates()).containsExactly(
        new Candidate(0, List.of(new Part.Text("Red.")), StopReason.END),
        new Candidate(1, List.of(new Part.Text("Blue and gr")), StopReason.MAX_TOKENS));
    assertThat(r.usage()).isEqualTo(new Usage(2006, 300, 1920, 0, 256));
  }

  @Test
  void aRefusalIsTheTextOfAFilteredAnswer() {
    ChatResponse r = decoder.decode(Buffer.buffer("""
        {"id":"chatcmpl-r","object":"chat.completion","created":1,"model":"gpt-4o",
         "choices":[{"index":0,"message":{"role":"assistant","content":null,
           "refusal":"I'm sorry, I cannot assist with that request."},"logprobs":null,"finish_reason":"stop"}]}
        """));
    assertThat(r.candidates()).containsExactly(new Candidate(0,
        List.of(new Part.Text("I'm sorry, I cannot assist with that request.")), StopReason.CONTENT_FILTER));
    assertThat(r.usage()).isNull();
  }

  @Test
  void toleratesWhatCompatibleServersDoDifferently() {
    ChatResponse r = decoder.decode(Buffer.buffer("""
        {"choices":[
          {"message":{"role":"assistant","reasoning_content":"Think.","content":"A","tool_calls":[
            {"id":"call_0","function":{"name":"f","arguments":{"x":1}}}]},"finish_reason":"tool_calls"},
          {"message":{"role":"assistant","reasoning":"Other name.","content":[{"type":"text","text":"B"},
            {"type":"text","text":"C"}]},"finish_reason":"eos"},
          {"index":7,"message":{"role":"assistant","content":"D"}}]}
        """));
    assertThat(r.id()).isEmpty();
    assertThat(r.model()).isEmpty();
    assertThat(r.created()).isZero();
    assertThat(r.usage()).isNull();
    assertThat(r.candidates()).containsExactly(
        new Candidate(0, List.of(new Part.Reasoning("Think.", null, null), new Part.Text("A"),
            new Part.ToolCall("call_0", "f", "{\"x\":1}")), StopReason.TOOL_CALLS),
        new Candidate(1, List.of(new Part.Reasoning("Other name.", null, null), new Part.Text("BC")),
            StopReason.OTHER),
        new Candidate(7, List.of(new Part.Text("D")), StopReason.OTHER));
  }

  @Test
  void emptyContentBesideToolCallsIsNotText() {
    ChatResponse r = decoder.decode(Buffer.buffer("""
        {"id":"chatcmpl-v","object":"chat.completion","created":1,"model":"qwen2.5-7b-instruct","choices":[
          {"index":0,"message":{"role":"assistant","content":"","tool_calls":[
            {"id":"chatcmpl-tool-1","type":"function","function":{"name":"f","arguments":"{}"}}]},
           "finish_reason":"tool_calls"},
          {"index":1,"message":{"role":"assistant","content":""},"finish_reason":"length"}]}
        """));
    assertThat(r.candidates()).containsExactly(
        new Candidate(0, List.of(new Part.ToolCall("chatcmpl-tool-1", "f", "{}")), StopReason.TOOL_CALLS),
        new Candidate(1, List.of(new Part.Text("")), StopReason.MAX_TOKENS));
  }

  @Test
  void encodesACanonicalAnswerAsOpenAiWouldSendIt() {
    ChatResponse answer = new ChatResponse("msg_01XFDUDYJgAACzvnptvVoYEL", "claude-sonnet-4-5", 1738634724L,
        List.of(new Candidate(0, List.of(
            new Part.Reasoning("Look it up.", "EqQBCkYIBxgCKkA", null),
            new Part.Text("Let me check "),
            new Part.Text("the weather."),
            new Part.ToolCall("toolu_01A09q90qw90lq917835lq9", "get_weather", "{\"location\":\"Paris\"}")),
            StopReason.TOOL_CALLS)),
        new Usage(2095, 503, 1800, 200, 120));
    assertJsonEquals(encoder.encode(answer), """
        {"id":"msg_01XFDUDYJgAACzvnptvVoYEL","object":"chat.completion","created":1738634724,
         "model":"claude-sonnet-4-5",
         "choices":[{"index":0,"message":{"role":"assistant","content":"Let me check the weather.",
           "reasoning_content":"Look it up.",
           "tool_calls":[{"id":"toolu_01A09q90qw90lq917835lq9","type":"function",
             "function":{"name":"get_weather","arguments":"{\\"location\\":\\"Paris\\"}"}}],
           "refusal":null,"annotations":[]},
          "logprobs":null,"finish_reason":"tool_calls"}],
         "usage":{"prompt_tokens":2095,"completion_tokens":503,"total_tokens":2598,
           "prompt_tokens_details":{"cached_tokens":1800},"completion_tokens_details":{"reasoning_tokens":120}}}
        """);
  }

  @Test
  void redactedThinkingWritesNoReasoningAndImagesAreRefused() {
    ChatResponse redacted = new ChatResponse("id", "m", 1, List.of(new Candidate(0, List.of(
        new Part.Reasoning("", null, "EmwKAhgBEgy3va3p"), new Part.Text("Hi")), StopReason.END)), null);
    assertThat(encoder.encode(redacted).at("/choices/0/message").has("reasoning_content")).isFalse();
    ChatResponse image = new ChatResponse("id", "gemini-2.5-flash-image", 1, List.of(
        new Candidate(0, List.of(new Part.Text("Here:")), StopReason.END),
        new Candidate(1, List.of(new Part.Text("Here:"), Part.Image.inline("image/png", "iVBOR")), StopReason.END)),
        null);
    assertThatThrownBy(() -> encoder.encode(image))
        .isInstanceOfSatisfying(TranslationException.class,
            e -> assertThat(e.field()).isEqualTo("candidates[1].parts[1]"));
  }

  static Stream<Arguments> finishReasons() {
    return Stream.of(
        Arguments.of(StopReason.END, "stop"),
        Arguments.of(StopReason.MAX_TOKENS, "length"),
        Arguments.of(StopReason.STOP_SEQUENCE, "stop"),
        Arguments.of(StopReason.TOOL_CALLS, "tool_calls"),
        Arguments.of(StopReason.CONTENT_FILTER, "content_filter"),
        Arguments.of(StopReason.OTHER, "stop"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("finishReasons")
  void mapsEveryStopReasonToAFinishReason(StopReason reason, String finish) {
    ChatResponse answer = new ChatResponse("id", "m", 1, List.of(new Candidate(0, List.of(new Part.Text("x")),
        reason)), null);
    var json = encoder.encode(answer);
    assertThat(json.get("choices").get(0).get("finish_reason").asText()).isEqualTo(finish);
    assertThat(json.has("usage")).isFalse();
  }

  static Stream<ChatResponse> losslessAnswers() {
    return Stream.of(
        new ChatResponse("chatcmpl-1", "gpt-4o", 1700000000L,
            List.of(new Candidate(0, List.of(new Part.Text("Hello there!")), StopReason.END)),
            new Usage(10, 3, 0, 0, 0)),
        new ChatResponse("chatcmpl-2", "deepseek-reasoner", 1700000001L,
            List.of(new Candidate(0, List.of(new Part.Reasoning("Hmm.", null, null), new Part.Text("42"),
                new Part.ToolCall("call_a", "calc", "{\"expr\":\"6*7\"}"),
                new Part.ToolCall("call_b", "noop", "")), StopReason.TOOL_CALLS)),
            new Usage(100, 50, 64, 0, 30)),
        new ChatResponse("chatcmpl-3", "gpt-4o-mini", 1700000002L, List.of(
            new Candidate(0, List.of(new Part.Text("")), StopReason.MAX_TOKENS),
            new Candidate(1, List.of(), StopReason.CONTENT_FILTER),
            new Candidate(2, List.of(new Part.Text("ok")), StopReason.END)), null));
  }

  @ParameterizedTest
  @MethodSource("losslessAnswers")
  void encodeThenDecodeIsLossless(ChatResponse answer) {
    Buffer wire = Buffer.buffer(encoder.encode(answer).toString());
    assertThat(decoder.decode(wire)).isEqualTo(answer);
  }

  static Stream<Arguments> malformed() {
    return Stream.of(
        Arguments.of("", ""),
        Arguments.of("<html>502</html>", ""),
        Arguments.of("[1]", ""),
        Arguments.of("{\"id\":\"x\"}", "choices"),
        Arguments.of("{\"choices\":{}}", "choices"),
        Arguments.of("{\"choices\":[1]}", "choices[0]"),
        Arguments.of("{\"choices\":[{\"finish_reason\":\"stop\"}]}", "choices[0].message"),
        Arguments.of("{\"choices\":[{\"index\":\"0\",\"message\":{}}]}", "choices[0].index"),
        Arguments.of("{\"choices\":[{\"message\":{\"content\":5}}]}", "choices[0].message.content"),
        Arguments.of("{\"choices\":[{\"message\":{\"content\":[{\"type\":\"image_url\"}]}}]}",
            "choices[0].message.content[0]"),
        Arguments.of("{\"choices\":[{\"message\":{\"tool_calls\":[{\"type\":\"function\",\"function\":"
            + "{\"name\":\"f\",\"arguments\":\"{}\"}}]}}]}", "choices[0].message.tool_calls[0].id"),
        Arguments.of("{\"choices\":[{\"message\":{\"tool_calls\":[{\"id\":\"a\"}]}}]}",
            "choices[0].message.tool_calls[0].function"),
        Arguments.of("{\"choices\":[{\"message\":{\"tool_calls\":[{\"id\":\"a\",\"function\":{\"name\":\"f\","
            + "\"arguments\":7}}]}}]}", "choices[0].message.tool_calls[0].function.arguments"),
        Arguments.of("{\"choices\":[{\"message\":{\"tool_calls\":[{\"id\":\"a\",\"type\":\"custom\"}]}}]}",
            "choices[0].message.tool_calls[0].type"),
        Arguments.of("{\"choices\":[{\"message\":{\"content\":null,\"audio\":{\"id\":\"audio_1\"}}}]}",
            "choices[0].message.audio"),
        Arguments.of("{\"choices\":[{\"message\":{\"function_call\":{\"name\":\"f\"}}}]}",
            "choices[0].message.function_call"),
        Arguments.of("{\"created\":\"now\",\"choices\":[]}", "created"),
        Arguments.of("{\"choices\":[],\"usage\":3}", "usage"),
        Arguments.of("{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}", "error"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("malformed")
  void refusesAnswersThatAreNotTheFormat(String body, String field) {
    assertThatThrownBy(() -> decoder.decode(Buffer.buffer(body)))
        .isInstanceOfSatisfying(TranslationException.class, e -> assertThat(e.field()).isEqualTo(field));
  }
}
