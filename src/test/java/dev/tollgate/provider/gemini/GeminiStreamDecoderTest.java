package dev.tollgate.provider.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocol.canonical.StopReason;
import dev.tollgate.protocol.canonical.StreamDecoder;
import dev.tollgate.protocol.canonical.StreamEvent;
import dev.tollgate.protocol.canonical.TranslationException;
import dev.tollgate.protocol.canonical.Usage;
import dev.tollgate.provider.ErrorClass;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code streamGenerateContent?alt=sse} streams, whole and split at every byte, read into canonical events. */
class GeminiStreamDecoderTest {
  private final GeminiCodec codec = new GeminiCodec(new ObjectMapper(), new GeminiPaths.GoogleAi());

  /** Google's SSE framing: one JSON chunk per data line, events ended by CRLF CRLF. */
  private static String sse(String... chunks) {
    StringBuilder s = new StringBuilder();
    for (String c : chunks) {
      s.append("data: ").append(c.replace("\n", "")).append("\r\n\r\n");
    }
    return s.toString();
  }

  static final String TEXT_STREAM = sse(
      """
      {"candidates": [{"content": {"parts": [{"text": "The"}], "role": "model"}, "index": 0}],
       "usageMetadata": {"promptTokenCount": 8, "totalTokenCount": 8, "promptTokensDetails": [{"modality": "TEXT",
       "tokenCount": 8}]}, "modelVersion": "gemini-2.0-flash", "responseId": "Y0CtaMWqI4adz7IP8M6Q-Ak"}""",
      """
      {"candidates": [{"content": {"parts": [{"text": " quick brown fox jumps — naïve 日本"}], "role": "model"},
       "index": 0}], "usageMetadata": {"promptTokenCount": 8, "totalTokenCount": 8},
       "modelVersion": "gemini-2.0-flash", "responseId": "Y0CtaMWqI4adz7IP8M6Q-Ak"}""",
      """
      {"candidates": [{"content": {"parts": [{"text": " over the lazy dog."}], "role": "model"},
       "finishReason": "STOP", "index": 0}], "usageMetadata": {"promptTokenCount": 8, "candidatesTokenCount": 14,
       "totalTokenCount": 22, "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 8}],
       "candidatesTokensDetails": [{"modality": "TEXT", "tokenCount": 14}]}, "modelVersion": "gemini-2.0-flash",
       "responseId": "Y0CtaMWqI4adz7IP8M6Q-Ak"}""");

  static final List<StreamEvent> TEXT_EVENTS = List.of(
      new StreamEvent.Start("Y0CtaMWqI4adz7IP8M6Q-Ak", "gemini-2.0-flash", 0),
      new StreamEvent.TextDelta(0, "The"),
      new StreamEvent.TextDelta(0, " quick brown fox jumps — naïve 日本"),
      new StreamEvent.TextDelta(0, " over the lazy dog."),
      new StreamEvent.Finish(0, StopReason.END),
      new StreamEvent.UsageReport(new Usage(8, 14, 0, 0, 0)),
      new StreamEvent.End());

  static final String THINKING_TOOL_STREAM = sse(
      """
      {"candidates": [{"content": {"parts": [{"text": "**Checking the flight**\\nI should call check_flight.",
       "thought": true, "thoughtSignature": "EiYKJGE0"}], "role": "model"}, "index": 0}], "usageMetadata": {"promptTokenCount": 72,
       "totalTokenCount": 150, "thoughtsTokenCount": 78}, "modelVersion": "gemini-2.5-flash", "responseId": "r-9"}""",
      """
      {"candidates": [{"content": {"parts": [{"functionCall": {"name": "check_flight", "args": {"flight": "AA100"}},
       "thoughtSignature": "CpwFAdHtim9"}, {"functionCall": {"name": "book_taxi", "args": {"time": "10 AM"}}}],
       "role": "model"}, "finishReason": "STOP", "index": 0}], "usageMetadata": {"promptTokenCount": 72,
       "candidatesTokenCount": 31, "totalTokenCount": 181, "cachedContentTokenCount": 64, "thoughtsTokenCount": 78},
       "modelVersion": "gemini-2.5-flash", "responseId": "r-9"}""");

  static final List<StreamEvent> THINKING_TOOL_EVENTS = List.of(
      new StreamEvent.Start("r-9", "gemini-2.5-flash", 0),
      new StreamEvent.ReasoningDelta(0, "**Checking the flight**\nI should call check_flight.", null),
      new StreamEvent.ReasoningDelta(0, "", "gemini:EiYKJGE0"),
      new StreamEvent.ReasoningDelta(0, "", "gemini:CpwFAdHtim9"),
      new StreamEvent.ToolCallStart(0, 0, "call_0", "check_flight"),
      new StreamEvent.ToolCallDelta(0, 0, "{\"flight\":\"AA100\"}"),
      new StreamEvent.ToolCallStart(0, 1, "call_1", "book_taxi"),
      new StreamEvent.ToolCallDelta(0, 1, "{\"time\":\"10 AM\"}"),
      new StreamEvent.Finish(0, StopReason.TOOL_CALLS),
      new StreamEvent.UsageReport(new Usage(72, 109, 64, 0, 78)),
      new StreamEvent.End());

  static final String SAFETY_STREAM = sse(
      """
      {"candidates": [{"content": {"parts": [{"text": "Here is how"}], "role": "model"}, "index": 0}],
       "usageMetadata": {"promptTokenCount": 9, "totalTokenCount": 9}, "modelVersion": "gemini-2.0-flash"}""",
      """
      {"candidates": [{"finishReason": "SAFETY", "index": 0, "safetyRatings": [{"category":
       "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": true}]}],
       "usageMetadata": {"promptTokenCount": 9, "candidatesTokenCount": 3, "totalTokenCount": 12},
       "modelVersion": "gemini-2.0-flash"}""");

  static final List<StreamEvent> SAFETY_EVENTS = List.of(
      new StreamEvent.Start("", "gemini-2.0-flash", 0),
      new StreamEvent.TextDelta(0, "Here is how"),
      new StreamEvent.Finish(0, StopReason.CONTENT_FILTER),
      new StreamEvent.UsageReport(new Usage(9, 3, 0, 0, 0)),
      new StreamEvent.End());

  static final String SIGNATURE_LAST_STREAM = sse(
      """
      {"candidates": [{"content": {"parts": [{"text": "Paris."}], "role": "model"}, "index": 0}],
       "modelVersion": "gemini-3-pro-preview", "responseId": "s"}""",
      """
      {"candidates": [{"content": {"parts": [{"text": "", "thoughtSignature": "Q2lRQg=="}], "role": "model"},
       "finishReason": "STOP", "index": 0}], "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 2,
       "thoughtsTokenCount": 40, "totalTokenCount": 47}, "modelVersion": "gemini-3-pro-preview", "responseId": "s"}""")
      + ": keep-alive comment\r\n\r\n";

  static final List<StreamEvent> SIGNATURE_LAST_EVENTS = List.of(
      new StreamEvent.Start("s", "gemini-3-pro-preview", 0),
      new StreamEvent.TextDelta(0, "Paris."),
      new StreamEvent.ReasoningDelta(0, "", "gemini:Q2lRQg=="),
      new StreamEvent.Finish(0, StopReason.END),
      new StreamEvent.UsageReport(new Usage(5, 42, 0, 0, 40)),
      new StreamEvent.End());

  static final String TWO_CANDIDATES_STREAM = sse(
      """
      {"candidates": [{"content": {"parts": [{"text": "A"}], "role": "model"}, "index": 0},
       {"content": {"parts": [{"functionCall": {"name": "f", "args": {"x": 1}}}], "role": "model"}, "index": 1}]}""",
      """
      {"candidates": [{"content": {"parts": [{"text": "B"}], "role": "model"}, "finishReason": "MAX_TOKENS", "index": 0},
       {"finishReason": "STOP", "index": 1}], "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 4}}""");

  static final List<StreamEvent> TWO_CANDIDATES_EVENTS = List.of(
      new StreamEvent.Start("", "", 0),
      new StreamEvent.TextDelta(0, "A"),
      new StreamEvent.ToolCallStart(1, 0, "call_0", "f"),
      new StreamEvent.ToolCallDelta(1, 0, "{\"x\":1}"),
      new StreamEvent.TextDelta(0, "B"),
      new StreamEvent.Finish(0, StopReason.MAX_TOKENS),
      new StreamEvent.Finish(1, StopReason.TOOL_CALLS),
      new StreamEvent.UsageReport(new Usage(3, 4, 0, 0, 0)),
      new StreamEvent.End());

  static Stream<Arguments> streams() {
    return Stream.of(
        Arguments.of("text", TEXT_STREAM, TEXT_EVENTS),
        Arguments.of("thinking and tools", THINKING_TOOL_STREAM, THINKING_TOOL_EVENTS),
        Arguments.of("safety mid-stream", SAFETY_STREAM, SAFETY_EVENTS),
        Arguments.of("signature last", SIGNATURE_LAST_STREAM, SIGNATURE_LAST_EVENTS),
        Arguments.of("two candidates", TWO_CANDIDATES_STREAM, TWO_CANDIDATES_EVENTS),
        Arguments.of("LF line ends", TEXT_STREAM.replace("\r\n", "\n"), TEXT_EVENTS));
  }

  private List<StreamEvent> decode(List<byte[]> pieces) {
    StreamDecoder decoder = codec.streamDecoder();
    List<StreamEvent> events = new ArrayList<>();
    for (byte[] piece : pieces) {
      events.addAll(decoder.feed(Buffer.buffer(piece)));
    }
    events.addAll(decoder.end());
    return events;
  }

  private List<StreamEvent> decode(String stream) {
    return decode(List.of(stream.getBytes(StandardCharsets.UTF_8)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("streams")
  void wholeStream(String name, String stream, List<StreamEvent> expected) {
    assertThat(decode(stream)).containsExactlyElementsOf(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("streams")
  void sameEventsHoweverTheBytesAreSplitInTwo(String name, String stream, List<StreamEvent> expected) {
    byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
    for (int cut = 0; cut <= bytes.length; cut++) {
      byte[] head = java.util.Arrays.copyOfRange(bytes, 0, cut);
      byte[] tail = java.util.Arrays.copyOfRange(bytes, cut, bytes.length);
      assertThat(decode(List.of(head, tail))).as("cut at byte %d", cut).containsExactlyElementsOf(expected);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("streams")
  void sameEventsFedOneByteAtATime(String name, String stream, List<StreamEvent> expected) {
    byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
    List<byte[]> single = new ArrayList<>();
    for (byte b : bytes) {
      single.add(new byte[] {b});
    }
    assertThat(decode(single)).containsExactlyElementsOf(expected);
  }

  @Test
  void eventsArriveAsSoonAsTheirChunkIsComplete() {
    StreamDecoder decoder = codec.streamDecoder();
    String first = TEXT_STREAM.substring(0, TEXT_STREAM.indexOf("\r\n\r\n") + 4);

    assertThat(decoder.feed(Buffer.buffer(first.substring(0, first.length() - 1)))).isEmpty();
    assertThat(decoder.feed(Buffer.buffer("\n"))).containsExactlyElementsOf(TEXT_EVENTS.subList(0, 2));
  }

  @Test
  void aPromptBlockedBeforeTheAnswerBeganThrowsSoTheRouterCanFallBack() {
    StreamDecoder decoder = codec.streamDecoder();
    Buffer blocked = Buffer.buffer(sse("""
        {"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"}, "usageMetadata": {"promptTokenCount": 12559,
         "totalTokenCount": 12559}, "modelVersion": "gemini-1.5-flash-002"}"""));

    assertThatThrownBy(() -> decoder.feed(blocked))
        .isInstanceOfSatisfying(GeminiBlockedException.class, e -> {
          assertThat(e.error().errorClass()).isEqualTo(ErrorClass.CONTENT_FILTERED);
          assertThat(e.error().type()).isEqualTo("PROHIBITED_CONTENT");
          assertThat(e.usage().input()).isEqualTo(12559);
        });
  }

  @Test
  void aBlockAfterTheAnswerBeganFinishesItWithContentFilter() {
    List<StreamEvent> events = decode(sse(
        "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Sure\"}], \"role\": \"model\"}, \"index\": 0}]}",
        "{\"promptFeedback\": {\"blockReason\": \"OTHER\"}}"));

    assertThat(events).containsExactly(
        new StreamEvent.Start("", "", 0),
        new StreamEvent.TextDelta(0, "Sure"),
        new StreamEvent.Finish(0, StopReason.CONTENT_FILTER),
        new StreamEvent.End());
  }

  @Test
  void anErrorInTheStreamBecomesAFailureAndEndsIt() {
    StreamDecoder decoder = codec.streamDecoder();
    List<StreamEvent> events = new ArrayList<>(decoder.feed(Buffer.buffer(sse(
        "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Par\"}], \"role\": \"model\"}, \"index\": 0}]}",
        "{\"error\": {\"code\": 503, \"message\": \"The model is overloaded. Please try again later.\","
            + " \"status\": \"UNAVAILABLE\"}}",
        "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"ignored\"}]}, \"finishReason\": \"STOP\"}]}"))));
    events.addAll(decoder.feed(Buffer.buffer("data: not even json\r\n\r\n")));
    events.addAll(decoder.end());

    assertThat(events).containsExactly(
        new StreamEvent.Start("", "", 0),
        new StreamEvent.TextDelta(0, "Par"),
        new StreamEvent.Failure("UNAVAILABLE", "The model is overloaded. Please try again later."));
  }

  @Test
  void aStreamThatEndsWithoutAFinishReasonIsATranslationError() {
    StreamDecoder decoder = codec.streamDecoder();
    decoder.feed(Buffer.buffer(TEXT_STREAM.substring(0, TEXT_STREAM.lastIndexOf("data:"))));

    assertThatThrownBy(decoder::end).isInstanceOf(TranslationException.class)
        .hasMessageContaining("before Gemini gave a finish reason");
  }

  @Test
  void anEmptyStreamIsATranslationError() {
    assertThatThrownBy(() -> codec.streamDecoder().end()).isInstanceOf(TranslationException.class);
  }

  @Test
  void aStreamCutInsideAnEventIsATranslationError() {
    StreamDecoder decoder = codec.streamDecoder();
    decoder.feed(Buffer.buffer(TEXT_STREAM.substring(0, TEXT_STREAM.length() - 10)));

    assertThatThrownBy(decoder::end).isInstanceOf(TranslationException.class)
        .hasMessageContaining("middle of an event");
  }

  @Test
  void everyCandidateMustFinish() {
    StreamDecoder decoder = codec.streamDecoder();
    decoder.feed(Buffer.buffer(sse("""
        {"candidates": [{"content": {"parts": [{"text": "A"}]}, "finishReason": "STOP", "index": 0},
         {"content": {"parts": [{"text": "B"}]}, "index": 1}]}""")));

    assertThatThrownBy(decoder::end).isInstanceOf(TranslationException.class);
  }

  @ParameterizedTest
  @MethodSource
  void malformedChunksAreTranslationErrors(String stream, String field) {
    StreamDecoder decoder = codec.streamDecoder();
    assertThatThrownBy(() -> decoder.feed(Buffer.buffer(stream)))
        .isInstanceOfSatisfying(TranslationException.class, e -> assertThat(e.field()).isEqualTo(field));
  }

  static Stream<Arguments> malformedChunksAreTranslationErrors() {
    String ok = "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"A\"}]}, \"finishReason\": \"STOP\"}]}";
    return Stream.of(
        Arguments.of("data: {\"candidates\": [\r\n\r\n", "stream[0]"),
        Arguments.of("data: [1]\r\n\r\n", "stream[0]"),
        Arguments.of(sse(ok, "{\"candidates\": 3}"), "stream[1].candidates"),
        Arguments.of(sse(ok, ok), "stream[1].candidates[0]"),
        Arguments.of(sse("{\"candidates\": [{\"content\": {\"parts\": [{\"inlineData\": {\"mimeType\": \"image/png\","
            + " \"data\": \"iVBO\"}}]}}]}"), "stream[0].candidates[0].content.parts[0]"));
  }

  @Test
  void anOversizedEventIsATranslationError() {
    StreamDecoder decoder = codec.streamDecoder();
    Buffer huge = Buffer.buffer("data: \"" + "x".repeat(GeminiStreamDecoder.MAX_EVENT_BYTES) + "\"");

    assertThatThrownBy(() -> decoder.feed(huge)).isInstanceOf(TranslationException.class);
  }

  @Test
  void bytesAfterTheEndAreATranslationError() {
    StreamDecoder decoder = codec.streamDecoder();
    decoder.feed(Buffer.buffer(TEXT_STREAM));
    decoder.end();

    assertThatThrownBy(() -> decoder.feed(Buffer.buffer("data: {}\r\n\r\n"))).isInstanceOf(TranslationException.class);
  }
}
