package dev.tollgate.metering.ledger;

import dev.tollgate.metering.UsageEvent;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The ledger's records as bytes: a format version, a kind, then the fields in a fixed order (strings as
 * length-prefixed UTF-8). Binary rather than JSON: a record is written, forced to disk and
 * read back once per call, and this is several times cheaper to make and half the size. The version
 * lets a newer gateway read the logs an older one left behind. Stateless.
 */
final class LedgerCodec {
  private static final byte VERSION = 1;
  private static final byte BEGUN = 1;
  private static final byte ENDED = 2;
  private static final byte ABANDONED = 3;
  private static final byte OUTCOME = 4;

  private LedgerCodec() {}

  static byte[] encode(LedgerRecord record) {
    Writer out = new Writer(sizeOf(record));
    out.put(VERSION);
    switch (record) {
      case LedgerRecord.Begun(CallIntent i) -> {
        out.put(BEGUN);
        out.str(i.id());
        out.str(i.requestId());
        out.str(i.keyId());
        out.str(i.teamId());
        out.str(i.userId());
        out.str(i.endpoint());
        out.str(i.model());
        out.str(i.deployment());
        out.str(i.provider());
        out.str(i.upstreamModel());
        out.bool(i.streamed());
        out.putLong(i.promptTokens());
        out.putLong(i.promptCostMicros());
        out.putLong(i.createdAt());
        out.putInt(i.attempt());
        out.str(i.route());
      }
      case LedgerRecord.Abandoned(String id) -> {
        out.put(ABANDONED);
        out.str(id);
      }
      case LedgerRecord.Outcome o -> {
        out.put(OUTCOME);
        out.str(o.eventId());
        out.putLong(o.inputTokens());
        out.putLong(o.outputTokens());
        out.putLong(o.cachedTokens());
        out.putLong(o.reasoningTokens());
        out.bool(o.estimated());
        out.putLong(o.costMicros());
        out.str(o.status());
        out.putInt(o.httpStatus());
        out.putLong(o.latencyMs());
        out.putLong(o.ttftMs());
        out.bool(o.streamed());
        out.str(o.error());
        out.putLong(o.createdAt());
      }
      case LedgerRecord.Ended(UsageEvent e) -> {
        out.put(ENDED);
        out.str(e.id());
        out.str(e.requestId());
        out.str(e.keyId());
        out.str(e.endpoint());
        out.str(e.model());
        out.str(e.deployment());
        out.str(e.provider());
        out.str(e.upstreamModel());
        out.putLong(e.inputTokens());
        out.putLong(e.outputTokens());
        out.putLong(e.cachedTokens());
        out.putLong(e.reasoningTokens());
        out.bool(e.estimated());
        out.putLong(e.costMicros());
        out.str(e.status());
        out.putInt(e.httpStatus());
        out.putLong(e.latencyMs());
        out.putLong(e.ttftMs());
        out.bool(e.streamed());
        out.str(e.error());
        out.putLong(e.createdAt());
        out.putInt(e.attempt());
        out.str(e.route());
        out.str(e.teamId());
        out.str(e.userId());
      }
    }
    return out.bytes();
  }

  /**
   * The record's size when its strings are ASCII, as ids, names and routes are: the array is made once at
   * that size and handed over as it is (a string with other characters grows it, then it is trimmed).
   */
  static int sizeOf(LedgerRecord record) {
    return switch (record) {
      case LedgerRecord.Begun(CallIntent i) -> 2 + 11 * Integer.BYTES + 1 + 3 * Long.BYTES + Integer.BYTES
          + chars(i.id()) + chars(i.requestId()) + chars(i.keyId()) + chars(i.teamId()) + chars(i.userId())
          + chars(i.endpoint()) + chars(i.model()) + chars(i.deployment()) + chars(i.provider())
          + chars(i.upstreamModel()) + chars(i.route());
      case LedgerRecord.Abandoned(String id) -> 2 + Integer.BYTES + chars(id);
      case LedgerRecord.Outcome o -> 2 + 4 * Integer.BYTES + 8 * Long.BYTES + 2 + chars(o.eventId())
          + chars(o.status()) + chars(o.error());
      case LedgerRecord.Ended(UsageEvent e) -> 2 + 13 * Integer.BYTES + 8 * Long.BYTES + 2 + 2 * Integer.BYTES
          + chars(e.id()) + chars(e.requestId()) + chars(e.keyId()) + chars(e.endpoint()) + chars(e.model())
          + chars(e.deployment()) + chars(e.provider()) + chars(e.upstreamModel()) + chars(e.status())
          + chars(e.error()) + chars(e.route()) + chars(e.teamId()) + chars(e.userId());
    };
  }

  private static int chars(String s) {
    return s == null ? 0 : s.length();
  }

  /**
   * Big-endian fields into one array (the layout DataOutputStream wrote, without its stream layers: records
   * are encoded on the event loop, two per call), made at the size {@link #sizeOf} expects and grown only for
   * a string that is not ASCII. Strings are length-prefixed UTF-8, -1 for null.
   */
  private static final class Writer {
    private byte[] buf;
    private int pos;

    Writer(int expectedSize) {
      buf = new byte[expectedSize];
    }

    private void ensure(int more) {
      if (pos + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
      }
    }

    void put(byte b) {
      ensure(1);
      buf[pos++] = b;
    }

    void bool(boolean b) {
      put((byte) (b ? 1 : 0));
    }

    void putInt(int v) {
      ensure(4);
      for (int shift = 24; shift >= 0; shift -= 8) {
        buf[pos++] = (byte) (v >>> shift);
      }
    }

    void putLong(long v) {
      ensure(8);
      for (int shift = 56; shift >= 0; shift -= 8) {
        buf[pos++] = (byte) (v >>> shift);
      }
    }

    void str(String s) {
      if (s == null) {
        putInt(-1);
        return;
      }
      // An intrinsic: an ASCII string is one vectorised check and one array copy (a loop over charAt cost
      // ~1.5 us a call under load, two records a call).
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      putInt(utf8.length);
      ensure(utf8.length);
      System.arraycopy(utf8, 0, buf, pos, utf8.length);
      pos += utf8.length;
    }

    byte[] bytes() {
      return pos == buf.length ? buf : Arrays.copyOf(buf, pos);
    }
  }

  /** The record in {@code payload}; an {@link IllegalArgumentException} names what is wrong with it. */
  static LedgerRecord decode(byte[] payload) {
    // Straight off the array: the flusher decodes every record once, and stream wrappers cost a third of it.
    ByteBuffer in = ByteBuffer.wrap(payload);
    try {
      byte version = in.get();
      if (version != VERSION) {
        throw new IllegalArgumentException("unknown ledger record version " + version);
      }
      byte kind = in.get();
      LedgerRecord record = switch (kind) {
        case BEGUN -> new LedgerRecord.Begun(new CallIntent(str(in), str(in), str(in), str(in), str(in), str(in),
            str(in), str(in), str(in), str(in), bool(in), in.getLong(), in.getLong(), in.getLong(), in.getInt(),
            str(in)));
        case ENDED -> new LedgerRecord.Ended(new UsageEvent(str(in), str(in), str(in), str(in), str(in), str(in),
            str(in), str(in), in.getLong(), in.getLong(), in.getLong(), in.getLong(), bool(in), in.getLong(),
            str(in), in.getInt(), in.getLong(), in.getLong(), bool(in), str(in), in.getLong(), in.getInt(), str(in),
            str(in), str(in)));
        case ABANDONED -> new LedgerRecord.Abandoned(str(in));
        case OUTCOME -> new LedgerRecord.Outcome(str(in), in.getLong(), in.getLong(), in.getLong(), in.getLong(),
            bool(in), in.getLong(), str(in), in.getInt(), in.getLong(), in.getLong(), bool(in), str(in), in.getLong());
        default -> throw new IllegalArgumentException("unknown ledger record kind " + kind);
      };
      if (in.hasRemaining()) {
        throw new IllegalArgumentException(in.remaining() + " bytes after the end of a ledger record");
      }
      return record;
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated ledger record", e);
    }
  }

  private static boolean bool(ByteBuffer in) {
    return in.get() != 0;
  }

  private static String str(ByteBuffer in) {
    int length = in.getInt();
    if (length < -1 || length > in.remaining()) {
      throw new IllegalArgumentException("bad string length " + length + " in a ledger record");
    }
    if (length < 0) {
      return null;
    }
    String s = new String(in.array(), in.arrayOffset() + in.position(), length, StandardCharsets.UTF_8);
    in.position(in.position() + length);
    return s;
  }
}
