package dev.tollgate.provider.bedrock;

import static dev.tollgate.provider.bedrock.EventStreamWriter.Header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.protocol.canonical.TranslationException;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** AWS event-stream framing: whole messages out, checksums verified, however the bytes were cut. */
class EventStreamFramesTest {

  private static List<EventStreamFrames.Frame> feedAll(EventStreamFrames frames, List<byte[]> chunks) {
    List<EventStreamFrames.Frame> out = new ArrayList<>();
    for (byte[] chunk : chunks) {
      out.addAll(frames.feed(Buffer.buffer(chunk)));
    }
    return out;
  }

  @Test
  void decodesTheEmptyMessageVectorOfAwsEventStreamTests() {
    // aws-c-event-stream encoded/positive/empty_message
    byte[] bytes = HexFormat.of().parseHex("000000100000000005c248eb7d98c8ff");
    EventStreamFrames frames = new EventStreamFrames();
    List<EventStreamFrames.Frame> out = frames.feed(Buffer.buffer(bytes));
    assertThat(out).hasSize(1);
    assertThat(out.getFirst().headers()).isEmpty();
    assertThat(out.getFirst().payload().length()).isZero();
    assertThat(frames.pendingBytes()).isZero();
  }

  @Test
  void decodesTheInt32HeaderVectorOfAwsEventStreamTests() {
    // aws-c-event-stream encoded/positive/int32_header
    byte[] bytes = HexFormat.of().parseHex(
        "0000002d0000001041c424b80a6576656e742d74797065040000a00c7b27666f6f273a27626172277d36f480a0");
    List<EventStreamFrames.Frame> out = new EventStreamFrames().feed(Buffer.buffer(bytes));
    assertThat(out).hasSize(1);
    assertThat(out.getFirst().headers()).containsExactly(java.util.Map.entry("event-type", 40972));
    assertThat(out.getFirst().payload().toString(StandardCharsets.UTF_8)).isEqualTo("{'foo':'bar'}");
  }

  @Test
  void readsEveryHeaderType() {
    UUID uuid = UUID.fromString("01234567-89ab-cdef-0123-456789abcdef");
    byte[] bytes = EventStreamWriter.message(List.of(
        new Header("t", 0, new byte[0]),
        new Header("f", 1, new byte[0]),
        new Header("b", 2, new byte[] {-7}),
        new Header("s", 3, ByteBuffer.allocate(2).putShort((short) -300).array()),
        new Header("i", 4, ByteBuffer.allocate(4).putInt(123_456).array()),
        new Header("l", 5, ByteBuffer.allocate(8).putLong(-9_000_000_000L).array()),
        new Header("bytes", 6, new byte[] {0, 3, 1, 2, 3}),
        Header.string("str", "héllo"),
        new Header("ts", 8, ByteBuffer.allocate(8).putLong(1_700_000_000_123L).array()),
        new Header("id", 9, ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
            .putLong(uuid.getLeastSignificantBits()).array())), "payload".getBytes(StandardCharsets.UTF_8));

    EventStreamFrames.Frame frame = new EventStreamFrames().feed(Buffer.buffer(bytes)).getFirst();

    assertThat(frame.headers()).containsOnlyKeys("t", "f", "b", "s", "i", "l", "bytes", "str", "ts", "id");
    assertThat(frame.headers().get("t")).isEqualTo(true);
    assertThat(frame.headers().get("f")).isEqualTo(false);
    assertThat(frame.headers().get("b")).isEqualTo((byte) -7);
    assertThat(frame.headers().get("s")).isEqualTo((short) -300);
    assertThat(frame.headers().get("i")).isEqualTo(123_456);
    assertThat(frame.headers().get("l")).isEqualTo(-9_000_000_000L);
    assertThat((byte[]) frame.headers().get("bytes")).containsExactly(1, 2, 3);
    assertThat(frame.stringHeader("str")).isEqualTo("héllo");
    assertThat(frame.stringHeader("i")).isNull();
    assertThat(frame.headers().get("ts")).isEqualTo(Instant.ofEpochMilli(1_700_000_000_123L));
    assertThat(frame.headers().get("id")).isEqualTo(uuid);
    assertThat(frame.payload().toString(StandardCharsets.UTF_8)).isEqualTo("payload");
  }

  @Test
  void givesTheSameMessagesWhereverTheBytesAreCut() {
    byte[] stream = EventStreamWriter.concat(
        EventStreamWriter.event("messageStart", "{\"role\":\"assistant\"}"),
        EventStreamWriter.event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hi\"}}"),
        EventStreamWriter.event("messageStop", "{\"stopReason\":\"end_turn\"}"));
    List<String> expected = List.of("messageStart", "contentBlockDelta", "messageStop");
    for (int a = 0; a <= stream.length; a++) {
      for (int b = a; b <= stream.length; b += 7) {
        EventStreamFrames frames = new EventStreamFrames();
        List<EventStreamFrames.Frame> out = feedAll(frames, EventStreamWriter.split(stream, a, b));
        assertThat(out).extracting(f -> f.stringHeader(":event-type")).as("cut at %d and %d", a, b)
            .isEqualTo(expected);
        assertThat(frames.pendingBytes()).isZero();
      }
    }
    EventStreamFrames oneByOne = new EventStreamFrames();
    List<byte[]> bytes = new ArrayList<>();
    for (byte x : stream) {
      bytes.add(new byte[] {x});
    }
    assertThat(feedAll(oneByOne, bytes)).extracting(f -> f.stringHeader(":event-type")).isEqualTo(expected);
  }

  @Test
  void holdsAPartialMessageAndCountsItsBytes() {
    byte[] message = EventStreamWriter.event("messageStart", "{\"role\":\"assistant\"}");
    EventStreamFrames frames = new EventStreamFrames();
    assertThat(frames.feed(Buffer.buffer(java.util.Arrays.copyOf(message, 20)))).isEmpty();
    assertThat(frames.pendingBytes()).isEqualTo(20);
    assertThat(frames.feed(Buffer.buffer(java.util.Arrays.copyOfRange(message, 20, message.length)))).hasSize(1);
    assertThat(frames.pendingBytes()).isZero();
  }

  @ParameterizedTest(name = "flipping a bit of byte {0} is detected")
  @ValueSource(ints = {0, 3, 5, 7, 8, 11, 12, 20, 40, 60, -5, -1})
  void rejectsACorruptedByteAnywhereInTheMessage(int at) {
    byte[] message = EventStreamWriter.event("contentBlockDelta",
        "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hello\"}}");
    int index = at < 0 ? message.length + at : at;
    message[index] ^= 0x10;
    EventStreamFrames frames = new EventStreamFrames();
    assertThatThrownBy(() -> frames.feed(Buffer.buffer(message)))
        .isInstanceOf(TranslationException.class)
        .hasMessageContaining("checksum mismatch");
  }

  @Test
  void rejectsACorruptedPreludeBeforeWaitingForTheLengthItClaims() {
    byte[] message = EventStreamWriter.event("messageStart", "{}");
    message[1] = 0x7f; // total length now claims ~2 GB, prelude CRC no longer matches
    EventStreamFrames frames = new EventStreamFrames();
    assertThatThrownBy(() -> frames.feed(Buffer.buffer(java.util.Arrays.copyOf(message, 12))))
        .isInstanceOf(TranslationException.class)
        .hasMessageContaining("prelude checksum mismatch");
  }

  @Test
  void rejectsLengthsTheFormatForbidsEvenWithValidChecksums() {
    assertThatThrownBy(() -> new EventStreamFrames().feed(Buffer.buffer(prelude(15, 0))))
        .hasMessageContaining("message length 15");
    assertThatThrownBy(() -> new EventStreamFrames().feed(Buffer.buffer(prelude(EventStreamFrames.MAX_MESSAGE_BYTES + 1, 0))))
        .hasMessageContaining("outside");
    assertThatThrownBy(() -> new EventStreamFrames().feed(Buffer.buffer(prelude(100, 90))))
        .hasMessageContaining("headers length 90");
  }

  @Test
  void rejectsHeadersThatOverrunTheirSectionOrHaveAnUnknownType() {
    byte[] overrun = EventStreamWriter.message(List.of(new Header("x", 7, new byte[] {0, 50, 'a'})), new byte[0]);
    assertThatThrownBy(() -> new EventStreamFrames().feed(Buffer.buffer(overrun)))
        .isInstanceOf(TranslationException.class)
        .hasMessageContaining("runs past");
    byte[] unknown = EventStreamWriter.message(List.of(new Header("x", 10, new byte[0])), new byte[0]);
    assertThatThrownBy(() -> new EventStreamFrames().feed(Buffer.buffer(unknown)))
        .isInstanceOf(TranslationException.class)
        .hasMessageContaining("unknown type 10");
  }

  private static byte[] prelude(int total, int headersLength) {
    ByteBuffer b = ByteBuffer.allocate(12).putInt(total).putInt(headersLength);
    b.putInt((int) EventStreamWriter.crc(b.array(), 0, 8));
    return b.array();
  }
}
