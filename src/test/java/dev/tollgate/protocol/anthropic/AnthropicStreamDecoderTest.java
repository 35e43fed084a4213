package dev.tollgate.protocol.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocol.canonical.StopReason;
import dev.tollgate.protocol.canonical.StreamDecoder;
import dev.tollgate.protocol.canonical.StreamEvent;
import dev.tollgate.protocol.canonical.StreamEvent.End;
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
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Anthropic's event streams to canonical events, however the bytes were cut. */
class AnthropicStreamDecoderTest {
  static final long NOW = 1_764_000_000L;
  private final ObjectMapper json = new ObjectMapper();
  private final AnthropicProviderCodec codec = new AnthropicProviderCodec(json, 4096,
      Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC));

  static List<StreamEvent> decodeWhole(StreamDecoder decoder, String stream) {
    List<StreamEvent> out = new ArrayList<>(decoder.feed(Buffer.buffer(stream.getBytes(StandardCharsets.UTF_8))));
    out.addAll(decoder.end());
    return out;
  }

  private List<StreamEvent> decode(String stream) {
    return decodeWhole(codec.streamDecoder(), stream);
  }

  static Stream<Arguments> fixtures() {
    return Stream.of(
        Arguments.of("text", StreamFixtures.TEXT, List.of(
            new Start("msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", "claude-opus-4-6", NOW),
            new TextDelta(0, "Hello"), new TextDelta(0, "!"),
            new Finish(0, StopReason.END),
            new UsageReport(new Usage(25, 15, 0, 0, 0)),
            new End())),
        Arguments.of("tool use", StreamFixtures.TOOL_USE, List.of(
            new Start("msg_014p7gG3wDgGV9EUtLvnow3U", "claude-sonnet-4-5", NOW),
            new TextDelta(0, "Okay"), new TextDelta(0, ", let's check the weather for San Francisco, CA:"),
            new ToolCallStart(0, 0, "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "get_weather"),
            new ToolCallDelta(0, 0, ""), new ToolCallDelta(0, 0, "{\"location\":"),
            new ToolCallDelta(0, 0, " \"San Fra"), new ToolCallDelta(0, 0, "ncisco, CA\""),
            new ToolCallDelta(0, 0, ", \"unit\": \"fahrenheit\"}"),
            new ToolCallStart(0, 1, "toolu_01PQ8pM1n8cX7Y2aVZ3FHsKw", "get_time"),
            new ToolCallDelta(0, 1, "{\"tz\": \"America/Los_Angeles\"}"),
            new Finish(0, StopReason.TOOL_CALLS),
            new UsageReport(new Usage(472 + 128, 89, 128, 0, 0)),
            new End())),
        Arguments.of("thinking", StreamFixtures.THINKING, List.of(
            new Start("msg_01BH7wYNzmV8d4d2kVrZfyEx", "claude-sonnet-4-5", NOW),
            new ReasoningDelta(0, "I need to find the GCD of 1071 and 462 using the Euclidean algorithm.\n\n"
                + "1071 = 2 × 462 + 147", null),
            new ReasoningDelta(0, "\n462 = 3 × 147 + 21\n147 = 7 × 21 + 0\n\nSo GCD(1071, 462) = 21", null),
            new ReasoningDelta(0, "", "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds..."),
            new TextDelta(0, "The greatest common divisor of 1071 and 462 is **21**."),
            new Finish(0, StopReason.END),
            new UsageReport(new Usage(52 + 1024, 121, 0, 1024, 0)),
            new End())),
        Arguments.of("overloaded", StreamFixtures.OVERLOADED, List.of(
            new Start("msg_01Xb", "claude-haiku-4-5", NOW),
            new TextDelta(0, "Par"),
            new StreamEvent.Failure("overloaded_error", "Overloaded"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void decodesTheDocumentedStreams(String name, String stream, List<StreamEvent> expected) {
    assertThat(decode(stream)).containsExactlyElementsOf(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void givesTheSameEventsWhereverTheBytesAreCut(String name, String stream, List<StreamEvent> expected) {
    byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
    for (int cut = 0; cut <= bytes.length; cut++) {
      StreamDecoder decoder = codec.streamDecoder();
      List<StreamEvent> out = new ArrayList<>(decoder.feed(Buffer.buffer().appendBytes(bytes, 0, cut)));
      out.addAll(decoder.feed(Buffer.buffer().appendBytes(bytes, cut, bytes.length - cut)));
      out.addAll(decoder.end());
      assertThat(out).as("cut at byte %d", cut).containsExactlyElementsOf(expected);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void givesTheSameEventsForRandomChunksAndSingleBytes(String name, String stream, List<StreamEvent> expected) {
    byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
    Random random = new Random(42);
    for (int round = 0; round < 50; round++) {
      StreamDecoder decoder = codec.streamDecoder();
      List<StreamEvent> out = new ArrayList<>();
      int max = round == 0 ? 1 : 1 + random.nextInt(64);
      for (int at = 0; at < bytes.length; ) {
        int n = Math.min(bytes.length - at, round == 0 ? 1 : 1 + random.nextInt(max));
        out.addAll(decoder.feed(Buffer.buffer().appendBytes(bytes, at, n)));
        at += n;
      }
      out.addAll(decoder.end());
      assertThat(out).as("round %d", round).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void acceptsCrlfLineEnds() {
    assertThat(decode(StreamFixtures.TEXT.replace("\n", "\r\n")))
        .containsExactlyElementsOf(decode(StreamFixtures.TEXT));
  }

  @Test
  void takesTheLatestUsageOfEveryKind() {
    String stream = StreamFixtures.TEXT.replace("\"usage\": {\"output_tokens\": 15}",
        "\"usage\": {\"input_tokens\": 30, \"cache_read_input_tokens\": 5, \"output_tokens\": 15}");
    assertThat(decode(stream)).contains(new UsageReport(new Usage(35, 15, 5, 0, 0)));
  }

  @Test
  void skipsUnknownEventsAndUnknownDeltasAndKeepsRedactedThinking() {
    String stream = StreamFixtures.TEXT
        .replace("event: ping\n", """
            event: content_block_stop
            data: {"type": "content_block_stop", "index": 0}

            event: content_block_start
            data: {"type": "content_block_start", "index": 1, "content_block": {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix"}}

            event: future_event
            data: {"type": "future_event", "anything": [1, 2]}

            event: ping
            """)
        .replace("\"index\": 0, \"delta\": {\"type\": \"text_delta\", \"text\": \"!\"}",
            "\"index\": 0, \"delta\": {\"type\": \"citations_delta\", \"citation\": {}}");
    assertThat(decode(stream)).containsExactly(
        new Start("msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", "claude-opus-4-6", NOW),
        new StreamEvent.ReasoningDelta(0, "", null, "EmwKAhgBEgy3va3pzix"),
        new TextDelta(0, "Hello"),
        new Finish(0, StopReason.END), new UsageReport(new Usage(25, 15, 0, 0, 0)), new End());
  }

  @Test
  void aMessageStopWithoutStopReasonStillFinishes() {
    String stream = StreamFixtures.TEXT.replace("\"stop_reason\": \"end_turn\"", "\"stop_reason\": null");
    assertThat(decode(stream)).contains(new Finish(0, StopReason.OTHER));
  }

  @Test
  void mapsPauseTurnAndRefusal() {
    assertThat(decode(StreamFixtures.TEXT.replace("\"end_turn\"", "\"pause_turn\"")))
        .contains(new Finish(0, StopReason.OTHER));
    assertThat(decode(StreamFixtures.TEXT.replace("\"end_turn\"", "\"refusal\"")))
        .contains(new Finish(0, StopReason.CONTENT_FILTER));
  }

  @Test
  void anErrorEventEndsTheStreamWithoutComplaint() {
    StreamDecoder decoder = codec.streamDecoder();
    decoder.feed(Buffer.buffer(StreamFixtures.OVERLOADED));
    assertThat(decoder.feed(Buffer.buffer("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"))).isEmpty();
    assertThat(decoder.end()).isEmpty();
  }

  static Stream<Arguments> malformed() {
    String start = StreamFixtures.TEXT.substring(0, StreamFixtures.TEXT.indexOf("event: content_block_start"));
    return Stream.of(
        Arguments.of("cut before message_stop", StreamFixtures.TEXT.substring(0,
            StreamFixtures.TEXT.indexOf("event: message_stop")), "ended before message_stop"),
        Arguments.of("empty", "", "ended before message_start"),
        Arguments.of("cut mid-event", StreamFixtures.TEXT.substring(0, StreamFixtures.TEXT.length() - 10),
            "ended before message_stop"),
        Arguments.of("data is not JSON", start + "event: content_block_delta\ndata: {nope\n\n", "not valid JSON"),
        Arguments.of("data is not an object", start + "data: [1]\n\n", "not a JSON object"),
        Arguments.of("delta before message_start",
            "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}\n\n",
            "before message_start"),
        Arguments.of("delta for a block never started", start
            + "data: {\"type\":\"content_block_delta\",\"index\":3,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}\n\n",
            "content block 3 was never started"),
        Arguments.of("index is not an integer", start
            + "data: {\"type\":\"content_block_start\",\"index\":\"0\",\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
            "integer index"),
        Arguments.of("wrong delta for the block", start
            + "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
            + "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\"}}\n\n",
            "input_json_delta in a text block"),
        Arguments.of("block started twice", start
            + "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
            + "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
            "started twice"),
        Arguments.of("block with no canonical form", start
            + "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"server_tool_use\"}}\n\n",
            "'server_tool_use' has no canonical form"),
        Arguments.of("two message_starts", start + start, "a second message_start"),
        Arguments.of("an event without a type", start + "data: {\"index\": 0}\n\n", "no type"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void refusesBytesThatBreakTheProtocol(String name, String stream, String message) {
    assertThatThrownBy(() -> decode(stream)).isInstanceOfSatisfying(TranslationException.class, e -> {
      assertThat(e.field()).isEqualTo("stream");
      assertThat(e.getMessage()).contains(message);
    });
  }

  @Test
  void refusesAnOversizedEventInsteadOfBufferingForever() {
    StreamDecoder decoder = new AnthropicStreamDecoder(json, 256, NOW);
    assertThatThrownBy(() -> decoder.feed(Buffer.buffer("data: " + "x".repeat(300))))
        .isInstanceOfSatisfying(TranslationException.class, e -> assertThat(e.getMessage()).contains("256"));
  }
}
