package dev.tollgate.provider.bedrock;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Test helper: writes AWS event-stream messages the way Bedrock does (prelude with its CRC32,
 * typed headers, payload, message CRC32), and whole ConverseStream answers from them.
 */
final class EventStreamWriter {
  private EventStreamWriter() {}

  /** One header: its name, wire type and the value bytes exactly as they follow the type byte. */
  record Header(String name, int type, byte[] value) {
    static Header string(String name, String value) {
      byte[] v = value.getBytes(StandardCharsets.UTF_8);
      return new Header(name, 7, ByteBuffer.allocate(2 + v.length).putShort((short) v.length).put(v).array());
    }
  }

  static byte[] message(List<Header> headers, byte[] payload) {
    ByteArrayOutputStream h = new ByteArrayOutputStream();
    for (Header header : headers) {
      byte[] name = header.name().getBytes(StandardCharsets.UTF_8);
      h.write(name.length);
      h.writeBytes(name);
      h.write(header.type());
      h.writeBytes(header.value());
    }
    byte[] headerBytes = h.toByteArray();
    int total = 12 + headerBytes.length + payload.length + 4;
    ByteBuffer out = ByteBuffer.allocate(total);
    out.putInt(total).putInt(headerBytes.length);
    out.putInt((int) crc(out.array(), 0, 8));
    out.put(headerBytes).put(payload);
    out.putInt((int) crc(out.array(), 0, total - 4));
    return out.array();
  }

  /** A ConverseStream event frame, with the headers Bedrock sends. */
  static byte[] event(String eventType, String json) {
    return message(List.of(
        Header.string(":event-type", eventType),
        Header.string(":content-type", "application/json"),
        Header.string(":message-type", "event")), json.getBytes(StandardCharsets.UTF_8));
  }

  /** A ConverseStream exception frame. */
  static byte[] exception(String exceptionType, String json) {
    return message(List.of(
        Header.string(":exception-type", exceptionType),
        Header.string(":content-type", "application/json"),
        Header.string(":message-type", "exception")), json.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] concat(byte[]... frames) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] f : frames) {
      out.writeBytes(f);
    }
    return out.toByteArray();
  }

  /** {@code bytes} cut into pieces at each of {@code cuts} (ascending offsets). */
  static List<byte[]> split(byte[] bytes, int... cuts) {
    List<byte[]> pieces = new ArrayList<>();
    int from = 0;
    for (int cut : cuts) {
      pieces.add(java.util.Arrays.copyOfRange(bytes, from, cut));
      from = cut;
    }
    pieces.add(java.util.Arrays.copyOfRange(bytes, from, bytes.length));
    return pieces;
  }

  static long crc(byte[] bytes, int from, int to) {
    CRC32 crc = new CRC32();
    crc.update(bytes, from, to - from);
    return crc.getValue();
  }
}
