package dev.tollgate.protocol.openai.translate;

import static dev.tollgate.protocol.openai.translate.JsonTrees.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.protocol.canonical.StopReason;
import dev.tollgate.protocol.canonical.StreamEvent;
import dev.tollgate.protocol.canonical.Usage;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What the stream encoder writes, the stream decoder reads back as the same events. */
class OpenAiStreamRoundTripTest {
  private static final StreamEvent.Start START = new StreamEvent.Start("chatcmpl-9", "gpt-4o", 1730000000L);

  static Stream<List<StreamEvent>> streams() {
    return Stream.of(
        List.of(START, new StreamEvent.TextDelta(0, "Hel"), new StreamEvent.TextDelta(0, "lo, "),
            new StreamEvent.TextDelta(0, "wörld ✓"), new StreamEvent.Finish(0, StopReason.END),
            new StreamEvent.UsageReport(new Usage(12, 4, 0, 0, 0)), new StreamEvent.End()),
        List.of(START, new StreamEvent.ReasoningDelta(0, "Plan: ", null),
            new StreamEvent.ReasoningDelta(0, "call both.", null), new StreamEvent.TextDelta(0, "On it."),
            new StreamEvent.ToolCallStart(0, 0, "call_a", "get_weather"),
            new StreamEvent.ToolCallDelta(0, 0, "{\"city\":"), new StreamEvent.ToolCallDelta(0, 0, "\"Oslo\"}"),
            new StreamEvent.ToolCallStart(0, 1, "call_b", "get_time"),
            new StreamEvent.ToolCallDelta(0, 1, "{}"), new StreamEvent.Finish(0, StopReason.TOOL_CALLS),
            new StreamEvent.UsageReport(new Usage(300, 80, 256, 0, 40)), new StreamEvent.End()),
        List.of(START, new StreamEvent.TextDelta(0, "A"), new StreamEvent.TextDelta(1, "B"),
            new StreamEvent.TextDelta(1, "b"), new StreamEvent.Finish(1, StopReason.CONTENT_FILTER),
            new StreamEvent.Finish(0, StopReason.MAX_TOKENS),
            new StreamEvent.UsageReport(new Usage(5, 3, 0, 0, 0)), new StreamEvent.End()),
        List.of(START, new StreamEvent.TextDelta(0, "partial"),
            new StreamEvent.Failure("server_error", "upstream reset")));
  }

  @ParameterizedTest
  @MethodSource("streams")
  void encodeThenDecodeGivesTheSameEvents(List<StreamEvent> events) {
    Buffer wire = Buffer.buffer();
    OpenAiStreamEncoder encoder = new OpenAiStreamEncoder(JSON, true);
    events.forEach(e -> wire.appendBuffer(encoder.encode(e)));
    byte[] bytes = wire.getBytes();
    Random random = new Random(7L);
    for (int round = 0; round < 50; round++) {
      int[] cuts = random.ints(random.nextInt(8), 0, bytes.length + 1).sorted().toArray();
      assertThat(Sse.decode(new OpenAiStreamDecoder(JSON), bytes, cuts)).isEqualTo(events);
    }
  }

  @ParameterizedTest
  @MethodSource("streams")
  void withoutIncludeUsageOnlyTheUsageIsMissing(List<StreamEvent> events) {
    Buffer wire = Buffer.buffer();
    OpenAiStreamEncoder encoder = new OpenAiStreamEncoder(JSON, false);
    events.forEach(e -> wire.appendBuffer(encoder.encode(e)));
    List<StreamEvent> expected = new ArrayList<>(events);
    expected.removeIf(e -> e instanceof StreamEvent.UsageReport);
    assertThat(Sse.decode(new OpenAiStreamDecoder(JSON), wire.getBytes())).isEqualTo(expected);
  }
}
