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
  /** The length field of a gap marker (see {@link #putGap}). */
  static final int GAP = -1;
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
    int start = startFrame(buf, seq, appendedAtMillis, payload.length);
    buf.put(payload);
    sealFrame(buf, start, payload.length);
  }

  /**
   * Puts a frame's fields before its payload, which the caller puts next, then {@link #sealFrame}s; returns
   * where the frame starts. For payloads that are not in an array of their own (the intake ring's).
   */
  static int startFrame(ByteBuffer buf, long seq, long appendedAtMillis, int payloadLength) {
    int start = buf.position();
    buf.putInt(payloadLength).putInt(0).putLong(seq).putLong(appendedAtMillis);
    return start;
  }

  /** Fills in the checksum of the frame at {@code start} once its payload is in place. */
  static void sealFrame(ByteBuffer buf, int start, int payloadLength) {
    buf.putInt(start + 4, crc(buf, start, payloadLength));
  }

  /** CRC32C over the frame without its own checksum field: length, seq, appendedAt and payload. */
  private static int crc(ByteBuffer buf, int start, int payloadLength) {
    CRC32C crc = new CRC32C();
    crc.update(buf.slice(start, 4));
    crc.update(buf.slice(start + 8, OVERHEAD - 8 + payloadLength));
    return (int) crc.getValue();
  }

  /**
   * A gap marker, written only by recovery where it skipped bad bytes: {@code count} sequence numbers
   * from {@code firstSeq} on are known lost (and were reported), so later opens do not report them again.
   */
  static void putGap(ByteBuffer buf, long firstSeq, long count) {
    int start = buf.position();
    buf.putInt(GAP).putInt(0).putLong(firstSeq).putLong(count);
    buf.putInt(start + 4, crc(buf, start, 0));
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
    if (length < GAP || length > limit - pos - OVERHEAD) {
      return null;
    }
    int payloadLength = Math.max(length, 0);
    if (buf.getInt(pos + 4) != crc(buf, pos, payloadLength)) {
      return null;
    }
    Frame f = new Frame(pos, payloadLength, buf.getLong(pos + 8), buf.getLong(pos + 16), length == GAP);
    return f.gap() && f.lostCount() < 1 ? null : f;
  }

  /**
   * An intact frame found in a mapped segment: a record, or a gap marker whose {@code value} is the count
   * of lost sequence numbers (for a record it is the append time). Recovery also makes gap frames for
   * bytes it is about to skip; those have no offset (-1) until they are written.
   */
  record Frame(int offset, int payloadLength, long seq, long value, boolean gap) {
    long appendedAtMillis() {
      return value;
    }

    long lostCount() {
      return value;
    }

    /** The last sequence number this frame accounts for. */
    long lastSeq() {
      return gap ? seq + value - 1 : seq;
    }

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
