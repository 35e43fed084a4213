package dev.tollgate.metering.wal;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/** The byte layout of segment headers and record frames (described in package-info). */
final class Frames {
  static final int SEGMENT_MAGIC = 0x5447_5746; // "TGWF"
  static final short VERSION = 1;
  static final int HEADER_BYTES = 16;
  /** length 4 + crc 4 + seq 8 + appendedAt 8. */
  static final int OVERHEAD = 24;
  private static final Pattern SEGMENT_NAME = Pattern.compile("(\\d{20})\\.wal");

  private Frames() {}

  static String segmentName(long firstSeq) {
    return "%020d.wal".formatted(firstSeq);
  }

  /** The first sequence number a segment file is named by, or -1 when the name is not a segment's. */
  static long firstSeqOf(Path file) {
    Matcher m = SEGMENT_NAME.matcher(file.getFileName().toString());
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  static long frameBytes(int payloadLength) {
    return OVERHEAD + (long) payloadLength;
  }

  static void putHeader(ByteBuffer buf, long firstSeq) {
    buf.putInt(SEGMENT_MAGIC).putShort(VERSION).putShort((short) 0).putLong(firstSeq);
  }

  static void putFrame(ByteBuffer buf, long seq, long appendedAtMillis, byte[] payload) {
    int start = buf.position();
    buf.putInt(payload.length).putInt(0).putLong(seq).putLong(appendedAtMillis).put(payload);
    buf.putInt(start + 4, crc(buf, start, payload.length));
  }

  /** CRC32C over the frame without its own checksum field: length, seq, appendedAt and payload. */
  private static int crc(ByteBuffer buf, int start, int payloadLength) {
    CRC32C crc = new CRC32C();
    crc.update(buf.slice(start, 4));
    crc.update(buf.slice(start + 8, OVERHEAD - 8 + payloadLength));
    return (int) crc.getValue();
  }

  /**
   * The intact frame starting at {@code pos}, or null when the bytes from there to {@code limit} do
   * not hold one (too short, a length running past the limit, or a checksum mismatch).
   */
  static Frame decode(ByteBuffer buf, int pos, int limit) {
    if (limit - pos < OVERHEAD) {
      return null;
    }
    int length = buf.getInt(pos);
    if (length < 0 || length > limit - pos - OVERHEAD) {
      return null;
    }
    if (buf.getInt(pos + 4) != crc(buf, pos, length)) {
      return null;
    }
    return new Frame(pos, length, buf.getLong(pos + 8), buf.getLong(pos + 16));
  }

  /** An intact frame found in a mapped segment. */
  record Frame(int offset, int payloadLength, long seq, long appendedAtMillis) {
    int end() {
      return offset + OVERHEAD + payloadLength;
    }

    byte[] payload(ByteBuffer buf) {
      byte[] out = new byte[payloadLength];
      buf.get(offset + OVERHEAD, out);
      return out;
    }
  }
}
