package dev.tollgate.provider.bedrock;

import dev.tollgate.protocol.canonical.TranslationException;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.CRC32;

/**
 * Cuts an AWS event stream ({@code application/vnd.amazon.eventstream}) into whole messages, however
 * the network split the bytes. Each message is a prelude (total length, headers length, CRC32 of those
 * 8 bytes), typed headers, a payload and a CRC32 of everything before it. Both checksums are verified;
 * a mismatch, an impossible length or a header of unknown type is a {@link TranslationException}.
 *
 * <p>The prelude checksum is verified before its lengths are trusted, so a corrupted length cannot
 * make the decoder wait for (and buffer) bytes that will never come. Not thread-safe: one per stream.
 */
public final class EventStreamFrames {
  /** The format's own limits: 16 MiB per message, 128 KiB of headers. */
  static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
  static final int MAX_HEADER_BYTES = 128 * 1024;
  private static final int PRELUDE_BYTES = 12;
  private static final int MIN_MESSAGE_BYTES = PRELUDE_BYTES + 4;

  private Buffer pending = Buffer.buffer();
  private int consumed;
  private long messages;

  /** One decoded message: its headers by name (values typed per the header's wire type) and its payload. */
  public record Frame(Map<String, Object> headers, Buffer payload) {
    public Frame {
      headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** The value of a string header, or null when absent or of another type. */
    public String stringHeader(String name) {
      return headers.get(name) instanceof String s ? s : null;
    }
  }

  /** Whole messages completed by {@code chunk}, in order. */
  public List<Frame> feed(Buffer chunk) {
    pending.appendBuffer(chunk);
    List<Frame> frames = new ArrayList<>(2);
    while (pending.length() - consumed >= PRELUDE_BYTES) {
      int start = consumed;
      long total = Integer.toUnsignedLong(pending.getInt(start));
      long headersLength = Integer.toUnsignedLong(pending.getInt(start + 4));
      long preludeCrc = Integer.toUnsignedLong(pending.getInt(start + 8));
      if (crc(start, start + 8) != preludeCrc) {
        throw malformed("prelude checksum mismatch");
      }
      if (total < MIN_MESSAGE_BYTES || total > MAX_MESSAGE_BYTES) {
        throw malformed("message length " + total + " outside " + MIN_MESSAGE_BYTES + ".." + MAX_MESSAGE_BYTES);
      }
      if (headersLength > MAX_HEADER_BYTES || headersLength > total - MIN_MESSAGE_BYTES) {
        throw malformed("headers length " + headersLength + " does not fit a message of " + total + " bytes");
      }
      if (pending.length() - start < total) {
        break;
      }
      int end = start + (int) total;
      long messageCrc = Integer.toUnsignedLong(pending.getInt(end - 4));
      if (crc(start, end - 4) != messageCrc) {
        throw malformed("message checksum mismatch");
      }
      int headersStart = start + PRELUDE_BYTES;
      int payloadStart = headersStart + (int) headersLength;
      frames.add(new Frame(headers(headersStart, payloadStart), pending.getBuffer(payloadStart, end - 4)));
      consumed = end;
      messages++;
    }
    if (consumed > 0) {
      pending = pending.getBuffer(consumed, pending.length());
      consumed = 0;
    }
    return frames;
  }

  /** Bytes received that do not yet form a whole message; non-zero at the end of a stream means it was cut. */
  public int pendingBytes() {
    return pending.length() - consumed;
  }

  private Map<String, Object> headers(int from, int to) {
    Map<String, Object> headers = new LinkedHashMap<>();
    int at = from;
    while (at < to) {
      int nameLength = pending.getUnsignedByte(at++);
      need(at, nameLength + 1, to);
      String name = pending.getString(at, at + nameLength, StandardCharsets.UTF_8.name());
      at += nameLength;
      int type = pending.getUnsignedByte(at++);
      Object value;
      switch (type) {
        case 0 -> value = Boolean.TRUE;
        case 1 -> value = Boolean.FALSE;
        case 2 -> {
          need(at, 1, to);
          value = pending.getByte(at);
          at += 1;
        }
        case 3 -> {
          need(at, 2, to);
          value = pending.getShort(at);
          at += 2;
        }
        case 4 -> {
          need(at, 4, to);
          value = pending.getInt(at);
          at += 4;
        }
        case 5 -> {
          need(at, 8, to);
          value = pending.getLong(at);
          at += 8;
        }
        case 6, 7 -> {
          need(at, 2, to);
          int length = pending.getUnsignedShort(at);
          at += 2;
          need(at, length, to);
          value = type == 6
              ? pending.getBytes(at, at + length)
              : pending.getString(at, at + length, StandardCharsets.UTF_8.name());
          at += length;
        }
        case 8 -> {
          need(at, 8, to);
          value = Instant.ofEpochMilli(pending.getLong(at));
          at += 8;
        }
        case 9 -> {
          need(at, 16, to);
          value = new UUID(pending.getLong(at), pending.getLong(at + 8));
          at += 16;
        }
        default -> throw malformed("header '" + name + "' has unknown type " + type);
      }
      headers.put(name, value);
    }
    return headers;
  }

  private void need(int at, int bytes, int to) {
    if (at + bytes > to) {
      throw malformed("a header runs past the end of the headers section");
    }
  }

  private long crc(int from, int to) {
    CRC32 crc = new CRC32();
    crc.update(pending.getBytes(from, to));
    return crc.getValue();
  }

  private TranslationException malformed(String detail) {
    return new TranslationException("stream", "malformed event stream at message " + messages + ": " + detail);
  }
}
