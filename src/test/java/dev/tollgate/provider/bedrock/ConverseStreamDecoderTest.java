package dev.tollgate.provider.bedrock;

import static dev.tollgate.provider.bedrock.EventStreamWriter.concat;
import static dev.tollgate.provider.bedrock.EventStreamWriter.event;
import static dev.tollgate.provider.bedrock.EventStreamWriter.exception;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocol.canonical.StopReason;
import dev.tollgate.protocol.canonical.StreamDecoder;
import dev.tollgate.protocol.canonical.StreamEvent;
import dev.tollgate.protocol.canonical.StreamEvent.End;
import dev.tollgate.protocol.canonical.StreamEvent.Failure;
import dev.tollgate.protocol.canonical.StreamEvent.Finish;
import dev.tollgate.protocol.canonical.StreamEvent.ReasoningDelta;
import dev.tollgate.protocol.canonical.StreamEvent.Start;
import dev.tollgate.protocol.canonical.StreamEvent.TextDelta;
import dev.tollgate.protocol.canonical.StreamEvent.ToolCallDelta;
import dev.tollgate.protocol.canonical.StreamEvent.ToolCallStart;
import dev.tollgate.protocol.canonical.StreamEvent.UsageReport;
import dev.tollgate.protocol.canonical.TranslationException;
import dev.tollgate.protocol.canonical.Usage;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** ConverseStream answers, frame by frame, in canonical events. */
class ConverseStreamDecoderTest {
  private final BedrockConverseCodec codec = new BedrockConverseCodec(new ObjectMapper());

  // The text answer of the ConverseStream example in the Bedrock user guide, with the "p" padding
  // field Bedrock adds to every event payload.
  private static final byte[] TEXT_STREAM = concat(
      event("messageStart", "{\"p\":\"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0\",\"role\":\"assistant\"}"),
      event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"\"},\"p\":\"abcdefghijklm\"}"),
      event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Here is a short song\"},\"p\":\"ab\"}"),
      event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\" about Paris.\"},\"p\":\"abcd\"}"),
      event("contentBlockStop", "{\"contentBlockIndex\":0,\"p\":\"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN\"}"),
      event("messageStop", "{\"p\":\"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQR\",\"stopReason\":\"end_turn\"}"),
      event("metadata", "{\"metrics\":{\"latencyMs\":1131},\"p\":\"abcdefghijklmnopqrstu\","
          + "\"usage\":{\"inputTokens\":47,\"outputTokens\":20,\"totalTokens\":67}}"));

  private static final List<StreamEvent> TEXT_EVENTS = List.of(
      new Start(null, null, 0),
      new TextDelta(0, ""),
      new TextDelta(0, "Here is a short song"),
      new TextDelta(0, " about Paris."),
      new Finish(0, StopReason.END),
      new UsageReport(new Usage(47, 20, 0, 0, 0)),
      new End());

  // Tool use as the user guide's streaming tool example shows it: text, then a toolUse block whose
  // input arrives in fragments; a second tool call follows.
  private static final byte[] TOOL_STREAM = concat(
      event("messageStart", "{\"role\":\"assistant\"}"),
      event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"I'll look up the top song.\"}}"),
      event("contentBlockStop", "{\"contentBlockIndex\":0}"),
      event("contentBlockStart", "{\"contentBlockIndex\":1,\"start\":{\"toolUse\":"
          + "{\"toolUseId\":\"tooluse_kZJMlvQmRJ6eAyJE5GIl7Q\",\"name\":\"top_song\"}}}"),
      event("contentBlockDelta", "{\"contentBlockIndex\":1,\"delta\":{\"toolUse\":{\"input\":\"\"}}}"),
      event("contentBlockDelta", "{\"contentBlockIndex\":1,\"delta\":{\"toolUse\":{\"input\":\"{\\\"sign\\\": \"}}}"),
      event("contentBlockDelta", "{\"contentBlockIndex\":1,\"delta\":{\"toolUse\":{\"input\":\"\\\"WZPZ\\\"}\"}}}"),
      event("contentBlockStop", "{\"contentBlockIndex\":1}"),
      event("contentBlockStart", "{\"contentBlockIndex\":2,\"start\":{\"toolUse\":"
          + "{\"toolUseId\":\"tooluse_2\",\"name\":\"weather\"}}}"),
      event("contentBlockDelta", "{\"contentBlockIndex\":2,\"delta\":{\"toolUse\":{\"input\":\"{}\"}}}"),
      event("contentBlockStop", "{\"contentBlockIndex\":2}"),
      event("messageStop", "{\"stopReason\":\"tool_use\"}"),
      event("metadata", "{\"usage\":{\"inputTokens\":375,\"outputTokens\":60,\"totalTokens\":435,"
          + "\"cacheReadInputTokens\":1000,\"cacheWriteInputTokens\":24},\"metrics\":{\"latencyMs\":2026}}"));

  private List<StreamEvent> decode(List<byte[]> chunks) {
    StreamDecoder decoder = codec.streamDecoder();
    List<StreamEvent> events = new ArrayList<>();
    for (byte[] chunk : chunks) {
      events.addAll(decoder.feed(Buffer.buffer(chunk)));
    }
    events.addAll(decoder.end());
    return events;
  }

  private List<StreamEvent> decode(byte[] stream) {
    return decode(List.of(stream));
  }

  @Test
  void decodesTheUserGuideTextStream() {
    assertThat(decode(TEXT_STREAM)).isEqualTo(TEXT_EVENTS);
  }

  @Test
  void givesTheSameEventsHoweverTheStreamIsSplitInTwo() {
    for (int cut = 0; cut <= TEXT_STREAM.length; cut++) {
      assertThat(decode(EventStreamWriter.split(TEXT_STREAM, cut))).as("cut at %d", cut).isEqualTo(TEXT_EVENTS);
    }
  }

  @Test
  void givesTheSameEventsFedOneByteAtATime() {
    List<byte[]> bytes = new ArrayList<>();
    for (byte b : TOOL_STREAM) {
      bytes.add(new byte[] {b});
    }
    assertThat(decode(bytes)).isEqualTo(decode(TOOL_STREAM));
  }

  @Test
  void numbersToolCallsAndRoutesTheirArgumentFragments() {
    assertThat(decode(TOOL_STREAM)).containsExactly(
        new Start(null, null, 0),
        new TextDelta(0, "I'll look up the top song."),
        new ToolCallStart(0, 0, "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", "top_song"),
        new ToolCallDelta(0, 0, ""),
        new ToolCallDelta(0, 0, "{\"sign\": "),
        new ToolCallDelta(0, 0, "\"WZPZ\"}"),
        new ToolCallStart(0, 1, "tooluse_2", "weather"),
        new ToolCallDelta(0, 1, "{}"),
        new Finish(0, StopReason.TOOL_CALLS),
        // inputTokens excludes cached tokens on Bedrock: canonical input adds them back
        new UsageReport(new Usage(375 + 1000 + 24, 60, 1000, 24, 0)),
        new End());
  }

  @Test
  void relaysReasoningTextItsSignatureAndRedactedReasoning() {
    byte[] stream = concat(
        event("messageStart", "{\"role\":\"assistant\"}"),
        event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"reasoningContent\":{\"text\":\"The user asks\"}}}"),
        event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"reasoningContent\":{\"text\":\" for 2+2.\"}}}"),
        event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"reasoningContent\":{\"signature\":\"EqoBCkgIARAB\"}}}"),
        event("contentBlockDelta", "{\"contentBlockIndex\":1,\"delta\":{\"reasoningContent\":{\"redactedContent\":\"ZW5jcnlwdGVk\"}}}"),
        event("contentBlockStop", "{\"contentBlockIndex\":0}"),
        event("contentBlockDelta", "{\"contentBlockIndex\":2,\"delta\":{\"text\":\"4\"}}"),
        event("messageStop", "{\"stopReason\":\"end_turn\"}"),
        event("metadata", "{\"usage\":{\"inputTokens\":10,\"outputTokens\":30,\"totalTokens\":40}}"));
    assertThat(decode(stream)).containsExactly(
        new Start(null, null, 0),
        new ReasoningDelta(0, "The user asks", null),
        new ReasoningDelta(0, " for 2+2.", null),
        new ReasoningDelta(0, "", "EqoBCkgIARAB"),
        new ReasoningDelta(0, "", null, "ZW5jcnlwdGVk"),
        new TextDelta(0, "4"),
        new Finish(0, StopReason.END),
        new UsageReport(new Usage(10, 30, 0, 0, 0)),
        new End());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "throttlingException, Too many requests, please wait before trying again.",
      "modelStreamErrorException, The model encountered an error processing the stream.",
      "validationException, Input is too long for requested model.",
      "serviceUnavailableException, The service is unavailable.",
      "internalServerException, An internal server error occurred."})
  void endsWithAFailureOnAnExceptionFrameAndIgnoresWhatFollows(String type, String message) {
    StreamDecoder decoder = codec.streamDecoder();
    byte[] before = concat(event("messageStart", "{\"role\":\"assistant\"}"),
        event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hel\"}}"));
    byte[] broken = concat(exception(type, "{\"message\":\"" + message + "\"}"),
        event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"lo\"}}"));
    List<StreamEvent> events = new ArrayList<>(decoder.feed(Buffer.buffer(before)));
    events.addAll(decoder.feed(Buffer.buffer(broken)));
    events.addAll(decoder.feed(Buffer.buffer(new byte[] {1, 2, 3})));
    events.addAll(decoder.end());
    assertThat(events).containsExactly(new Start(null, null, 0), new TextDelta(0, "Hel"), new Failure(type, message));
  }

  @Test
  void readsAGenericErrorMessageFromItsHeaders() {
    byte[] error = EventStreamWriter.message(List.of(
        EventStreamWriter.Header.string(":message-type", "error"),
        EventStreamWriter.Header.string(":error-code", "InternalFailure"),
        EventStreamWriter.Header.string(":error-message", "boom")), new byte[0]);
    assertThat(decode(error)).containsExactly(new Failure("InternalFailure", "boom"));
  }

  @Test
  void endsWithAFailureWhenTheStreamStopsBeforeMessageStopOrMetadata() {
    byte[] noStop = Arrays.copyOf(TEXT_STREAM, TEXT_STREAM.length
        - event("messageStop", "{\"p\":\"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQR\",\"stopReason\":\"end_turn\"}").length
        - event("metadata", "{\"metrics\":{\"latencyMs\":1131},\"p\":\"abcdefghijklmnopqrstu\","
            + "\"usage\":{\"inputTokens\":47,\"outputTokens\":20,\"totalTokens\":67}}").length);
    List<StreamEvent> events = decode(noStop);
    assertThat(events.getLast()).isEqualTo(new Failure("incomplete_stream", "the stream ended before messageStop"));
    assertThat(events).doesNotContain(new End());

    byte[] noMetadata = concat(event("messageStart", "{\"role\":\"assistant\"}"),
        event("messageStop", "{\"stopReason\":\"max_tokens\"}"));
    assertThat(decode(noMetadata)).containsExactly(new Start(null, null, 0), new Finish(0, StopReason.MAX_TOKENS),
        new Failure("incomplete_stream", "the stream ended before its metadata"));
  }

  @Test
  void rejectsAStreamCutInsideAFrame() {
    StreamDecoder decoder = codec.streamDecoder();
    decoder.feed(Buffer.buffer(Arrays.copyOf(TEXT_STREAM, TEXT_STREAM.length - 3)));
    assertThatThrownBy(decoder::end)
        .isInstanceOf(TranslationException.class)
        .hasMessageContaining("ended inside a message");
  }

  @Test
  void rejectsACorruptedFrame() {
    byte[] corrupted = TEXT_STREAM.clone();
    corrupted[corrupted.length - 30] ^= 0x01;
    StreamDecoder decoder = codec.streamDecoder();
    assertThatThrownBy(() -> decoder.feed(Buffer.buffer(corrupted)))
        .isInstanceOf(TranslationException.class)
        .hasMessageContaining("checksum mismatch");
  }

  @Test
  void rejectsEventsThatBreakConverseStreamRules() {
    assertThatThrownBy(() -> decode(event("contentBlockDelta",
        "{\"contentBlockIndex\":3,\"delta\":{\"toolUse\":{\"input\":\"{}\"}}}")))
        .isInstanceOf(TranslationException.class)
        .hasMessageContaining("did not start as a tool use");
    assertThatThrownBy(() -> decode(event("messageStop", "not json")))
        .isInstanceOf(TranslationException.class);
    assertThatThrownBy(() -> decode(event("metadata", "{\"usage\":{\"outputTokens\":1}}")))
        .isInstanceOf(TranslationException.class)
        .hasMessageContaining("inputTokens");
    byte[] untyped = EventStreamWriter.message(List.of(EventStreamWriter.Header.string(":event-type", "x")), "{}".getBytes());
    assertThatThrownBy(() -> decode(untyped)).hasMessageContaining(":message-type");
  }

  @Test
  void skipsEventTypesItDoesNotKnow() {
    byte[] stream = concat(event("messageStart", "{\"role\":\"assistant\"}"),
        event("someFutureEvent", "{\"x\":1}"),
        event("messageStop", "{\"stopReason\":\"guardrail_intervened\"}"),
        event("metadata", "{\"usage\":{\"inputTokens\":1,\"outputTokens\":0,\"totalTokens\":1},\"trace\":{}}"));
    assertThat(decode(stream)).containsExactly(new Start(null, null, 0), new Finish(0, StopReason.CONTENT_FILTER),
        new UsageReport(new Usage(1, 0, 0, 0, 0)), new End());
  }
}
