package dev.tollgate.metering.ledger;

import dev.tollgate.metering.UsageEvent;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

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

  private LedgerCodec() {}

  static byte[] encode(LedgerRecord record) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(384);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      switch (record) {
        case LedgerRecord.Begun(CallIntent i) -> {
          out.writeByte(BEGUN);
          str(out, i.id());
          str(out, i.requestId());
          str(out, i.keyId());
          str(out, i.teamId());
          str(out, i.userId());
          str(out, i.endpoint());
          str(out, i.model());
          str(out, i.deployment());
          str(out, i.provider());
          str(out, i.upstreamModel());
          out.writeBoolean(i.streamed());
          out.writeLong(i.promptTokens());
          out.writeLong(i.promptCostMicros());
          out.writeLong(i.createdAt());
          out.writeInt(i.attempt());
          str(out, i.route());
        }
        case LedgerRecord.Abandoned(String id) -> {
          out.writeByte(ABANDONED);
          str(out, id);
        }
        case LedgerRecord.Ended(UsageEvent e) -> {
          out.writeByte(ENDED);
          str(out, e.id());
          str(out, e.requestId());
          str(out, e.keyId());
          str(out, e.endpoint());
          str(out, e.model());
          str(out, e.deployment());
          str(out, e.provider());
          str(out, e.upstreamModel());
          out.writeLong(e.inputTokens());
          out.writeLong(e.outputTokens());
          out.writeLong(e.cachedTokens());
          out.writeLong(e.reasoningTokens());
          out.writeBoolean(e.estimated());
          out.writeLong(e.costMicros());
          str(out, e.status());
          out.writeInt(e.httpStatus());
          out.writeLong(e.latencyMs());
          out.writeLong(e.ttftMs());
          out.writeBoolean(e.streamed());
          str(out, e.error());
          out.writeLong(e.createdAt());
          out.writeInt(e.attempt());
          str(out, e.route());
          str(out, e.teamId());
          str(out, e.userId());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    return bytes.toByteArray();
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

  /** Length-prefixed UTF-8, -1 for null (writeUTF stops at 64 KiB, and an upstream error message may not). */
  private static void str(DataOutputStream out, String s) throws IOException {
    if (s == null) {
      out.writeInt(-1);
      return;
    }
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(utf8.length);
    out.write(utf8);
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
