package dev.tollgate.protocol.openai.translate;

import static dev.tollgate.protocol.openai.translate.JsonTrees.JSON;
import static dev.tollgate.protocol.openai.translate.Sse.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.protocol.canonical.StopReason;
import dev.tollgate.protocol.canonical.StreamEvent;
import dev.tollgate.protocol.canonical.TranslationException;
import dev.tollgate.protocol.canonical.Usage;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** OpenAI-compatible provider streams into canonical events, however the bytes arrive. */
class OpenAiStreamDecoderTest {

  private static final String HEAD = "{\"id\":\"chatcmpl-AIjy5\",\"object\":\"chat.completion.chunk\","
      + "\"created\":1729081577,\"model\":\"gpt-4o-2024-08-06\",\"system_fingerprint\":\"fp_a7d06e42a7\",";

  private static String chunk(String rest) {
    return "data: " + HEAD + rest + "}\n\n";
  }

  private static String choice(String delta, String finish) {
    return "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"logprobs\":null,\"finish_reason\":" + finish
        + "}],\"usage\":null";
  }

  /**
   * Parallel tool calls streamed the way OpenAI's API reference shows them: id, type and name on
   * each call's first chunk, then argument fragments, then the finish chunk, the usage chunk, [DONE].
   */
  static final String TOOL_CALL_STREAM =
      chunk(choice("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\"call_DdmO9pD3xa9XTPNJ32zg2hcA\","
          + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}],\"refusal\":null}", "null"))
      + chunk(choice("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"\"}}]}", "null"))
      + chunk(choice("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"location\"}}]}", "null"))
      + chunk(choice("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\":\\\"\"}}]}", "null"))
      + chunk(choice("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"Paris\"}}]}", "null"))
      + chunk(choice("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\", France\\\"}\"}}]}", "null"))
      + chunk(choice("{\"tool_calls\":[{\"index\":1,\"id\":\"call_ABC123\",\"type\":\"function\","
          + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}", "null"))
      + chunk(choice("{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"{\\\"location\\\":\"}}]}", "null"))
      + chunk(choice("{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"\\\"Bogotá, Colombia\\\"}\"}}]}",
          "null"))
      + chunk(choice("{}", "\"tool_calls\""))
      + chunk("\"choices\":[],\"usage\":{\"prompt_tokens\":83,\"completion_tokens\":48,\"total_tokens\":131,"
          + "\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},\"completion_tokens_details\":"
          + "{\"reasoning_tokens\":0,\"audio_tokens\":0,\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}")
      + "data: [DONE]\n\n";

  static final List<StreamEvent> TOOL_CALL_EVENTS = List.of(
      new StreamEvent.Start("chatcmpl-AIjy5", "gpt-4o-2024-08-06", 1729081577L),
      new StreamEvent.ToolCallStart(0, 0, "call_DdmO9pD3xa9XTPNJ32zg2hcA", "get_weather"),
      new StreamEvent.ToolCallDelta(0, 0, "{\""),
      new StreamEvent.ToolCallDelta(0, 0, "location"),
      new StreamEvent.ToolCallDelta(0, 0, "\":\""),
      new StreamEvent.ToolCallDelta(0, 0, "Paris"),
      new StreamEvent.ToolCallDelta(0, 0, ", France\"}"),
      new StreamEvent.ToolCallStart(0, 1, "call_ABC123", "get_weather"),
      new StreamEvent.ToolCallDelta(0, 1, "{\"location\":"),
      new StreamEvent.ToolCallDelta(0, 1, "\"Bogotá, Colombia\"}"),
      new StreamEvent.Finish(0, StopReason.TOOL_CALLS),
      new StreamEvent.UsageReport(new Usage(83, 48, 0, 0, 0)),
      new StreamEvent.End());

  /** A text answer with OpenAI's role chunk and usage chunk, with multi-byte characters to cut through. */
  static final String TEXT_STREAM =
      chunk(choice("{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}", "null"))
      + chunk(choice("{\"content\":\"Café\"}", "null"))
      + chunk(choice("{\"content\":\" ☀️ 你好\"}", "null"))
      + chunk(choice("{}", "\"stop\""))
      + chunk("\"choices\":[],\"usage\":{\"prompt_tokens\":19,\"completion_tokens\":10,\"total_tokens\":29,"
          + "\"prompt_tokens_details\":{\"cached_tokens\":3},\"completion_tokens_details\":{\"reasoning_tokens\":0}}")
      + "data: [DONE]\n\n";

  static final List<StreamEvent> TEXT_EVENTS = List.of(
      new StreamEvent.Start("chatcmpl-AIjy5", "gpt-4o-2024-08-06", 1729081577L),
      new StreamEvent.TextDelta(0, "Café"),
      new StreamEvent.TextDelta(0, " ☀️ 你好"),
      new StreamEvent.Finish(0, StopReason.END),
      new StreamEvent.UsageReport(new Usage(19, 10, 3, 0, 0)),
      new StreamEvent.End());

  private static List<StreamEvent> decode(String sse, int... cuts) {
    return Sse.decode(new OpenAiStreamDecoder(JSON), utf8(sse), cuts);
  }

  @Test
  void decodesParallelToolCallsSplitOverManyChunks() {
    assertThat(decode(TOOL_CALL_STREAM)).isEqualTo(TOOL_CALL_EVENTS);
  }

  @Test
  void decodesATextAnswer() {
    assertThat(decode(TEXT_STREAM)).isEqualTo(TEXT_EVENTS);
  }

  static Stream<Arguments> fixtures() {
    return Stream.of(Arguments.of("tool calls", TOOL_CALL_STREAM, TOOL_CALL_EVENTS),
        Arguments.of("text", TEXT_STREAM, TEXT_EVENTS));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void givesTheSameEventsWhereverTheBytesAreCut(String name, String sse, List<StreamEvent> expected) {
    int length = utf8(sse).length;
    for (int cut = 0; cut <= length; cut++) {
      assertThat(decode(sse, cut)).as("cut at byte %d", cut).isEqualTo(expected);
    }
    int[] everyByte = IntStream.range(1, length).toArray();
    assertThat(decode(sse, everyByte)).as("one byte at a time").isEqualTo(expected);
    Random random = new Random(20261126L);
    for (int round = 0; round < 200; round++) {
      int[] cuts = random.ints(1 + random.nextInt(12), 0, length + 1).sorted().toArray();
      assertThat(decode(sse, cuts)).as("cuts %s", Arrays.toString(cuts)).isEqualTo(expected);
    }
  }

  @Test
  void toleratesCompatibleServersQuirks() {
    // No role chunk, ": keep-alive" comments, CRLF line ends, DeepSeek's reasoning_content, usage on
    // every chunk and finally on the last content chunk, an event with a name but no data.
    String sse = ": keep-alive\r\n\r\n"
        + "data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":5,\"model\":\"deepseek-reasoner\","
        + "\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"Think\"}}],\"usage\":{\"prompt_tokens\":4,"
        + "\"completion_tokens\":1,\"total_tokens\":5}}\r\n\r\n"
        + ": OPENROUTER PROCESSING\n\n"
        + "event: ping\n\n"
        + "data: {\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\"ing.\",\"content\":null}}]}\n\n"
        + "data: {\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":\"stop\"}],"
        + "\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":9,\"total_tokens\":13,"
        + "\"completion_tokens_details\":{\"reasoning_tokens\":7}}}\n\n"
        + "data:[DONE]\n\n";
    assertThat(decode(sse)).containsExactly(
        new StreamEvent.Start("x", "deepseek-reasoner", 5),
        new StreamEvent.ReasoningDelta(0, "Think", null),
        new StreamEvent.ReasoningDelta(0, "ing.", null),
        new StreamEvent.TextDelta(0, "Hi"),
        new StreamEvent.Finish(0, StopReason.END),
        new StreamEvent.UsageReport(new Usage(4, 9, 0, 0, 7)),
        new StreamEvent.End());
  }

  @Test
  void aUsageChunkWithNullChoicesIsUsage() {
    String sse = "data: {\"id\":\"v\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"},"
        + "\"finish_reason\":\"stop\"}]}\n\n"
        + "data: {\"id\":\"v\",\"choices\":null,\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}\n\n"
        + "data: [DONE]\n\n";
    assertThat(decode(sse)).containsExactly(new StreamEvent.Start("v", "", 0), new StreamEvent.TextDelta(0, "a"),
        new StreamEvent.Finish(0, StopReason.END), new StreamEvent.UsageReport(new Usage(3, 1, 0, 0, 0)),
        new StreamEvent.End());
  }

  @Test
  void toleratesWholeToolCallsAndReusedOrMissingIndexes() {
    String sse = "data: {\"id\":\"y\",\"model\":\"llama3.1\",\"created\":1,\"choices\":[{\"index\":0,\"delta\":{"
        + "\"role\":\"assistant\",\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
        + "\"function\":{\"name\":\"a\",\"arguments\":\"{\\\"x\\\":1}\"}}]}}]}\n\n"
        // the next whole call reuses index 0 with a new id
        + "data: {\"id\":\"y\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_2\","
        + "\"type\":\"function\",\"function\":{\"name\":\"b\",\"arguments\":{\"y\":2}}}]}}]}\n\n"
        // no index at all: a new id begins a call, no id continues the last one
        + "data: {\"id\":\"y\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"id\":\"call_3\","
        + "\"function\":{\"name\":\"c\",\"arguments\":\"{\"}}]}}]}\n\n"
        + "data: {\"id\":\"y\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{"
        + "\"function\":{\"arguments\":\"}\"}}]}}]}\n\n"
        + "data: {\"id\":\"y\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_2\","
        + "\"function\":{\"arguments\":\"\"}}]},\"finish_reason\":\"tool_calls\"}]}\n\n"
        + "data: [DONE]\n\n";
    assertThat(decode(sse)).containsExactly(
        new StreamEvent.Start("y", "llama3.1", 1),
        new StreamEvent.ToolCallStart(0, 0, "call_1", "a"),
        new StreamEvent.ToolCallDelta(0, 0, "{\"x\":1}"),
        new StreamEvent.ToolCallStart(0, 1, "call_2", "b"),
        new StreamEvent.ToolCallDelta(0, 1, "{\"y\":2}"),
        new StreamEvent.ToolCallStart(0, 2, "call_3", "c"),
        new StreamEvent.ToolCallDelta(0, 2, "{"),
        new StreamEvent.ToolCallDelta(0, 2, "}"),
        new StreamEvent.Finish(0, StopReason.TOOL_CALLS),
        new StreamEvent.End());
  }

  @Test
  void skipsAzuresContentFilterChunks() {
    String filters = "{\"hate\":{\"filtered\":false,\"severity\":\"safe\"},"
        + "\"self_harm\":{\"filtered\":false,\"severity\":\"safe\"}}";
    String sse = "data: {\"choices\":[],\"created\":0,\"id\":\"\",\"model\":\"\",\"object\":\"\","
        + "\"prompt_filter_results\":[{\"prompt_index\":0,\"content_filter_results\":" + filters + "}]}\n\n"
        + "data: {\"choices\":[{\"content_filter_results\":{},\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
        + "\"finish_reason\":null,\"index\":0,\"logprobs\":null}],\"created\":1736407895,"
        + "\"id\":\"chatcmpl-AnhIt2rw8vL8czymkCwEOKKTg7HPc\",\"model\":\"gpt-4o-mini-2024-07-18\","
        + "\"object\":\"chat.completion.chunk\",\"system_fingerprint\":\"fp_5154047bf2\"}\n\n"
        + "data: {\"choices\":[{\"content_filter_results\":" + filters + ",\"delta\":{\"content\":\"Start\"},"
        + "\"finish_reason\":null,\"index\":0,\"logprobs\":null}],\"created\":1736407895,"
        + "\"id\":\"chatcmpl-AnhIt2rw8vL8czymkCwEOKKTg7HPc\",\"model\":\"gpt-4o-mini-2024-07-18\","
        + "\"object\":\"chat.completion.chunk\"}\n\n"
        + "data: {\"choices\":[{\"content_filter_results\":{},\"delta\":{},\"finish_reason\":\"stop\",\"index\":0,"
        + "\"logprobs\":null}],\"created\":1736407895,\"id\":\"chatcmpl-AnhIt2rw8vL8czymkCwEOKKTg7HPc\","
        + "\"model\":\"gpt-4o-mini-2024-07-18\",\"object\":\"chat.completion.chunk\"}\n\n"
        + "data: {\"id\":\"\",\"object\":\"\",\"created\":0,\"model\":\"\",\"choices\":[{\"finish_reason\":null,"
        + "\"index\":0,\"content_filter_results\":" + filters + ",\"content_filter_offsets\":{\"check_offset\":5,"
        + "\"start_offset\":5,\"end_offset\":10}}]}\n\n"
        + "data: [DONE]\n\n";
    assertThat(decode(sse)).containsExactly(
        new StreamEvent.Start("chatcmpl-AnhIt2rw8vL8czymkCwEOKKTg7HPc", "gpt-4o-mini-2024-07-18", 1736407895L),
        new StreamEvent.TextDelta(0, "Start"),
        new StreamEvent.Finish(0, StopReason.END),
        new StreamEvent.End());
  }

  @Test
  void anAnswerWithoutIdsStillStartsBeforeItsFirstEventAndItsEnd() {
    assertThat(decode("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: [DONE]\n\n"))
        .containsExactly(new StreamEvent.Start("", "", 0), new StreamEvent.TextDelta(0, "a"), new StreamEvent.End());
    assertThat(decode("data: {\"choices\":[]}\n\ndata: [DONE]\n\n"))
        .containsExactly(new StreamEvent.Start("", "", 0), new StreamEvent.End());
  }

  @Test
  void decodesSeveralChoicesAndARefusal() {
    String sse = "data: {\"id\":\"z\",\"created\":2,\"model\":\"gpt-4o\",\"choices\":["
        + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}},"
        + "{\"index\":1,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n"
        + "data: {\"id\":\"z\",\"choices\":[{\"index\":1,\"delta\":{\"content\":\"B\"}}]}\n\n"
        + "data: {\"id\":\"z\",\"choices\":[{\"index\":0,\"delta\":{\"refusal\":\"I can't\"}}]}\n\n"
        + "data: {\"id\":\"z\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"},"
        + "{\"index\":1,\"delta\":{},\"finish_reason\":\"length\"}]}\n\n"
        + "data: {\"id\":\"z\",\"choices\":[{\"index\":1,\"delta\":{},\"finish_reason\":\"length\"}]}\n\n"
        + "data: [DONE]\n\n";
    assertThat(decode(sse)).containsExactly(
        new StreamEvent.Start("z", "gpt-4o", 2),
        new StreamEvent.TextDelta(1, "B"),
        new StreamEvent.TextDelta(0, "I can't"),
        new StreamEvent.Finish(0, StopReason.CONTENT_FILTER),
        new StreamEvent.Finish(1, StopReason.MAX_TOKENS),
        new StreamEvent.End());
  }

  @Test
  void anErrorInTheStreamIsAFailureAfterTheUsageSoFar() {
    String sse = chunk(choice("{\"role\":\"assistant\",\"content\":\"Par\"}", "null")).replace("\"usage\":null",
        "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1,\"total_tokens\":6}")
        + "data: {\"error\":{\"message\":\"The server had an error while processing your request.\","
        + "\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n"
        + "data: {\"id\":\"ignored\",\"choices\":[]}\n\n";
    assertThat(decode(sse)).containsExactly(
        new StreamEvent.Start("chatcmpl-AIjy5", "gpt-4o-2024-08-06", 1729081577L),
        new StreamEvent.TextDelta(0, "Par"),
        new StreamEvent.UsageReport(new Usage(5, 1, 0, 0, 0)),
        new StreamEvent.Failure("server_error", "The server had an error while processing your request."));
  }

  @Test
  void errorsInLooserShapesAreFailuresToo() {
    assertThat(decode("data: {\"error\":\"model overloaded\"}\n\n"))
        .containsExactly(new StreamEvent.Failure("error", "model overloaded"));
    assertThat(decode("data: {\"error\":{\"message\":\"m\",\"code\":\"rate_limit_exceeded\"}}\n\n"))
        .containsExactly(new StreamEvent.Failure("rate_limit_exceeded", "m"));
  }

  @Test
  void bytesAfterDoneAreIgnored() {
    OpenAiStreamDecoder decoder = new OpenAiStreamDecoder(JSON);
    assertThat(decoder.feed(Buffer.buffer(TEXT_STREAM + "data: {\"id\":\"late\"}\n\n"))).isEqualTo(TEXT_EVENTS);
    assertThat(decoder.feed(Buffer.buffer("data: not json\n\n"))).isEmpty();
    assertThat(decoder.end()).isEmpty();
  }

  @Test
  void eventsBeforeABrokenChunkAreTheSameWhereverTheBytesAreCut() {
    String sse = chunk(choice("{\"role\":\"assistant\",\"content\":\"\"}", "null"))
        + chunk(choice("{\"content\":\"Café\"}", "null"))
        + "data: {oops}\n\n"
        + chunk(choice("{\"content\":\"after\"}", "null"))
        + "data: [DONE]\n\n";
    byte[] bytes = utf8(sse);
    List<StreamEvent> before = List.of(new StreamEvent.Start("chatcmpl-AIjy5", "gpt-4o-2024-08-06", 1729081577L),
        new StreamEvent.TextDelta(0, "Café"));
    for (int cut = 0; cut <= bytes.length; cut++) {
      OpenAiStreamDecoder decoder = new OpenAiStreamDecoder(JSON);
      List<StreamEvent> seen = new ArrayList<>();
      TranslationException thrown = null;
      try {
        seen.addAll(decoder.feed(Buffer.buffer(Arrays.copyOfRange(bytes, 0, cut))));
        seen.addAll(decoder.feed(Buffer.buffer(Arrays.copyOfRange(bytes, cut, bytes.length))));
        seen.addAll(decoder.end());
      } catch (TranslationException e) {
        thrown = e;
      }
      assertThat(seen).as("cut at byte %d", cut).isEqualTo(before);
      assertThat(thrown).as("cut at byte %d", cut).isNotNull();
      assertThat(thrown.getMessage()).contains("not JSON");
      assertThat(decoder.feed(Buffer.buffer("data: [DONE]\n\n"))).as("nothing is trusted after the error").isEmpty();
    }
  }

  static Stream<Arguments> broken() {
    String start = chunk(choice("{\"role\":\"assistant\",\"content\":\"a\"}", "null"));
    return Stream.of(
        Arguments.of("no [DONE]", start, "stream", "[DONE]"),
        Arguments.of("cut mid-event", start + "data: {\"id\":", "stream", "[DONE]"),
        Arguments.of("nothing at all", "", "stream", "[DONE]"),
        Arguments.of("data that is not JSON", start + "data: {oops}\n\n", "stream", "not JSON"),
        Arguments.of("data that is not an object", "data: [1,2]\n\n", "stream", "not a JSON object"),
        Arguments.of("choices not an array", "data: {\"choices\":{}}\n\n", "choices", "array"),
        Arguments.of("content not a string", "data: {\"choices\":[{\"delta\":{\"content\":1}}]}\n\n",
            "choices[0].delta.content", "string"),
        Arguments.of("a tool call without an id",
            "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"name\":\"f\"}}]}}]}\n\n",
            "choices[0].delta.tool_calls[0].id", "no id"),
        Arguments.of("a tool call without a name",
            "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\"}]}}]}\n\n",
            "choices[0].delta.tool_calls[0].function.name", "no name"),
        Arguments.of("arguments that are a number", "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,"
            + "\"id\":\"c\",\"function\":{\"name\":\"f\",\"arguments\":3}}]}}]}\n\n",
            "choices[0].delta.tool_calls[0].function.arguments", "string"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("broken")
  void aBrokenStreamThrowsNamingWhere(String name, String sse, String field, String messagePart) {
    assertThatThrownBy(() -> decode(sse))
        .isInstanceOfSatisfying(TranslationException.class, e -> {
          assertThat(e.field()).isEqualTo(field);
          assertThat(e.getMessage()).contains(messagePart);
        });
  }
}
