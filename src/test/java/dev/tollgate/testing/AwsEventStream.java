package dev.tollgate.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/** Writes AWS event-stream frames (as Bedrock's ConverseStream sends them) for fake upstreams. */
public final class AwsEventStream {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  /** Appends one {@code event} frame of type {@code eventType} with a JSON payload. */
  public AwsEventStream event(String eventType, String json) {
    byte[] headers = concat(header(":event-type", eventType), header(":content-type", "application/json"),
        header(":message-type", "event"));
    byte[] payload = json.getBytes(StandardCharsets.UTF_8);
    int total = 12 + headers.length + payload.length + 4;
    ByteBuffer b = ByteBuffer.allocate(total);
    b.putInt(total).putInt(headers.length);
    b.putInt((int) crc(b.array(), 0, 8));
    b.put(headers).put(payload);
    b.putInt((int) crc(b.array(), 0, total - 4));
    out.writeBytes(b.array());
    return this;
  }

  public byte[] bytes() {
    return out.toByteArray();
  }

  private static byte[] header(String name, String value) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    byte[] v = value.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(1 + n.length + 1 + 2 + v.length);
    b.put((byte) n.length).put(n).put((byte) 7).putShort((short) v.length).put(v);
    return b.array();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      o.writeBytes(p);
    }
    return o.toByteArray();
  }

  private static long crc(byte[] bytes, int from, int to) {
    CRC32 crc = new CRC32();
    crc.update(bytes, from, to - from);
    return crc.getValue();
  }
}
