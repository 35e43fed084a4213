package dev.tollgate.protocol.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.metering.TokenUsage;
import dev.tollgate.protocol.openai.StreamTap.Kind;
import dev.tollgate.protocol.openai.StreamTap.MalformedStreamException;
import io.vertx.core.buffer.Buffer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What the relay learns from each event of an OpenAI stream, without changing it. */
class StreamTapTest {
  private final StreamTap tap = new StreamTap(new ObjectMapper());

  private Kind inspect(String event) {
    return tap.inspect(Buffer.buffer(event));
  }

  private static String chunk(String deltaJson) {
    return "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":"
        + deltaJson + ",\"finish_reason\":null}]}\n\n";
  }

  static Stream<Arguments> classifications() {
    return Stream.of(
        argumentSet("content chunk", chunk("{\"content\":\"Hi\"}"), Kind.DATA),
        argumentSet("data without a space after the colon", "data:{\"choices\":[]}\n\n", Kind.DATA),
        argumentSet("CRLF line ends", "data: {\"choices\":[]}\r\n\r\n", Kind.DATA),
        argumentSet("usage-only chunk", "data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,"
            + "\"completion_tokens\":4,\"total_tokens\":7}}\n\n", Kind.USAGE_ONLY),
        argumentSet("usage riding on a content chunk", "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}],"
            + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}\n\n", Kind.DATA),
        argumentSet("null usage", "data: {\"choices\":[],\"usage\":null}\n\n", Kind.DATA),
        argumentSet("done", "data: [DONE]\n\n", Kind.DONE),
        argumentSet("done without a space", "data:[DONE]\n\n", Kind.DONE),
        argumentSet("error object", "data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}\n\n",
            Kind.ERROR),
        argumentSet("named error event", "event: error\ndata: {\"error\":{\"message\":\"boom\"}}\n\n", Kind.ERROR),
        argumentSet("null error is no error", "data: {\"error\":null,\"choices\":[]}\n\n", Kind.DATA),
        argumentSet("comment", ": keep-alive\n\n", Kind.OTHER),
        argumentSet("empty comment", ":\n\n", Kind.OTHER),
        argumentSet("event without data", "event: ping\n\n", Kind.OTHER),
        argumentSet("id and retry only", "id: 5\nretry: 3000\n\n", Kind.OTHER),
        argumentSet("a field merely starting with data", "datax: {}\n\n", Kind.OTHER));
  }

  @ParameterizedTest
  @MethodSource("classifications")
  void classifiesEvents(String event, Kind expected) {
    assertThat(inspect(event)).isEqualTo(expected);
  }

  @Test
  void usageOnlyChunkIsReadWithCachedAndReasoningTokens() {
    assertThat(tap.usage()).isEmpty();
    assertThat(inspect("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1200,\"completion_tokens\":340,"
        + "\"total_tokens\":1540,\"prompt_tokens_details\":{\"cached_tokens\":1024,\"audio_tokens\":0},"
        + "\"completion_tokens_details\":{\"reasoning_tokens\":128}}}\n\n")).isEqualTo(Kind.USAGE_ONLY);
    assertThat(tap.usage()).contains(new TokenUsage(1200, 340, 1024, 128, false));
  }

  @Test
  void usageWithoutDetailsHasZeroCachedAndReasoning() {
    inspect("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":6}}\n\n");
    assertThat(tap.usage()).contains(new TokenUsage(5, 6, 0, 0, false));
  }

  @Test
  void theLastUsageReportWins() {
    inspect("data: {\"choices\":[{\"index\":0,\"delta\":{}}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}}\n\n");
    inspect("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":9}}\n\n");
    assertThat(tap.usage()).contains(new TokenUsage(5, 9, 0, 0, false));
  }

  @Test
  void accumulatesAnswerTextAcrossChunks() {
    inspect(chunk("{\"role\":\"assistant\",\"content\":\"\"}"));
    inspect(chunk("{\"content\":\"Hel\"}"));
    inspect(": keep-alive\n\n");
    inspect(chunk("{\"content\":\"lo, \"}"));
    inspect(chunk("{\"content\":\"wörld\"}"));
    inspect(chunk("{\"content\":null}"));
    inspect("data: [DONE]\n\n");
    assertThat(tap.text()).isEqualTo("Hello, wörld");
    assertThat(tap.done()).isTrue();
  }

  @Test
  void accumulatesToolCallNamesAndArguments() {
    inspect(chunk("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\"call_1\","
        + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}"));
    inspect(chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]}"));
    inspect(chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Paris\\\"}\"}}]}"));
    assertThat(tap.text()).isEqualTo("get_weather{\"city\":\"Paris\"}");
  }

  @Test
  void accumulatesReasoningContentAndCompletionText() {
    inspect(chunk("{\"reasoning_content\":\"thinking... \"}"));
    inspect(chunk("{\"content\":\"answer\"}"));
    inspect("data: {\"choices\":[{\"index\":0,\"text\":\" legacy\",\"finish_reason\":null}]}\n\n");
    assertThat(tap.text()).isEqualTo("thinking... answer legacy");
  }

  @Test
  void accumulatesEveryChoice() {
    inspect("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"A\"}},{\"index\":1,\"delta\":{\"content\":\"B\"}}]}\n\n");
    assertThat(tap.text()).isEqualTo("AB");
  }

  @Test
  void joinsMultiLineDataWithNewlines() {
    assertThat(inspect("data: {\"choices\":[{\"index\":0,\n" + "data: \"delta\":{\"content\":\"x\"}}]}\n\n"))
        .isEqualTo(Kind.DATA);
    assertThat(tap.text()).isEqualTo("x");
  }

  @Test
  void recordsTheErrorMessage() {
    assertThat(tap.error()).isEmpty();
    inspect("data: {\"error\":{\"message\":\"The server is overloaded\",\"type\":\"server_error\"}}\n\n");
    assertThat(tap.error()).contains("The server is overloaded");
    assertThat(tap.done()).isFalse();
  }

  @Test
  void anErrorWithoutAMessageIsRecordedWhole() {
    inspect("data: {\"error\":{\"code\":500}}\n\n");
    assertThat(tap.error()).contains("{\"code\":500}");
  }

  @Test
  void freshTapHasSeenNothing() {
    assertThat(tap.usage()).isEmpty();
    assertThat(tap.done()).isFalse();
    assertThat(tap.error()).isEmpty();
    assertThat(tap.text()).isEmpty();
  }

  @Test
  void aCommentMentioningDoneIsNotDone() {
    assertThat(inspect(": data: [DONE]\n\n")).isEqualTo(Kind.OTHER);
    assertThat(tap.done()).isFalse();
  }

  @Test
  void keepsAtMostTheTextLimit() {
    String big = "x".repeat(StreamTap.TEXT_LIMIT - 3);
    inspect(chunk("{\"content\":\"" + big + "\"}"));
    inspect(chunk("{\"content\":\"abcdef\"}"));
    inspect(chunk("{\"content\":\"more\"}"));
    assertThat(tap.text()).hasSize(StreamTap.TEXT_LIMIT).endsWith("xabc");
  }

  static Stream<Arguments> malformed() {
    return Stream.of(
        argumentSet("truncated JSON", "data: {\"choices\":[{\"delta\":\n\n"),
        argumentSet("not JSON at all", "data: hello\n\n"),
        argumentSet("a JSON array", "data: [1,2]\n\n"),
        argumentSet("a JSON number", "data: 42\n\n"),
        argumentSet("a JSON string", "data: \"DONE\"\n\n"),
        argumentSet("empty data", "data:\n\n"),
        argumentSet("lowercase done", "data: [done]\n\n"));
  }

  @ParameterizedTest
  @MethodSource("malformed")
  void malformedDataThrows(String event) {
    assertThatThrownBy(() -> inspect(event)).isInstanceOf(MalformedStreamException.class);
    assertThat(tap.done()).isFalse();
    assertThat(tap.usage()).isEmpty();
  }

  // ---------------------------------------------------------------- the Responses API's events

  @Test
  void responsesApiEventsEndTheStreamAtCompletedWithItsUsage() {
    assertThat(inspect("event: response.created\ndata: {\"type\":\"response.created\",\"response\":"
        + "{\"id\":\"r\",\"usage\":null}}\n\n")).isEqualTo(Kind.DATA);
    assertThat(inspect("event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\","
        + "\"delta\":\"Hi\"}\n\n")).isEqualTo(Kind.DATA);
    assertThat(tap.done()).isFalse();
    assertThat(inspect("event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"r\","
        + "\"usage\":{\"input_tokens\":9,\"input_tokens_details\":{\"cached_tokens\":2},\"output_tokens\":4,"
        + "\"output_tokens_details\":{\"reasoning_tokens\":1}}}}\n\n")).isEqualTo(Kind.DONE);
    assertThat(tap.done()).isTrue();
    assertThat(tap.usage()).contains(new dev.tollgate.metering.TokenUsage(9, 4, 2, 1, false));
  }

  @Test
  void aFailedResponseIsAnErrorThatEndsTheStream() {
    assertThat(inspect("event: response.failed\ndata: {\"type\":\"response.failed\",\"response\":{\"id\":\"r\","
        + "\"error\":{\"code\":\"server_error\",\"message\":\"model crashed\"},\"usage\":null}}\n\n"))
        .isEqualTo(Kind.ERROR);
    assertThat(tap.error()).contains("model crashed");
    assertThat(tap.done()).isTrue();
  }
}
