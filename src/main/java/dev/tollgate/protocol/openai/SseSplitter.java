package dev.tollgate.protocol.openai;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a server-sent-events byte stream into whole events (each ending with its blank line), however
 * the network split it. Events are returned as the original bytes, so relaying them re-encodes
 * nothing. Accepts LF, CRLF and CR line ends. Not thread-safe: one per stream.
 */
public final class SseSplitter {
  private final int maxEventBytes;
  private Buffer pending = Buffer.buffer();
  private int scan;
  private int lineStart;
  private boolean lastEndWasLoneCr;

  /** @param maxEventBytes an event larger than this is a protocol error, not a reason to buffer forever */
  public SseSplitter(int maxEventBytes) {
    this.maxEventBytes = maxEventBytes;
  }

  /** Whole events completed by {@code chunk}; throws {@link IllegalStateException} on an oversized event. */
  public List<Buffer> feed(Buffer chunk) {
    pending.appendBuffer(chunk);
    List<Buffer> events = new ArrayList<>(2);
    int eventStart = 0;
    int len = pending.length();
    while (scan < len) {
      byte b = pending.getByte(scan);
      if (b != '\n' && b != '\r') {
        scan++;
        continue;
      }
      int lineEnd = scan;
      int next = scan + 1;
      boolean blank = lineEnd == lineStart;
      if (b == '\r') {
        if (next == len && !(blank && lastEndWasLoneCr)) {
          // Wait to see whether LF follows. Only a blank line in a CR-only stream cannot wait: the
          // stream may end right there, and that line end is what releases the event.
          break;
        }
        if (next < len && pending.getByte(next) == '\n') {
          next++;
        }
      }
      lastEndWasLoneCr = next == lineEnd + 1 && b == '\r';
      scan = next;
      lineStart = next;
      if (blank) {
        if (next - eventStart > maxEventBytes) {
          throw new IllegalStateException("an event exceeds " + maxEventBytes + " bytes");
        }
        if (next - eventStart > 0 && !onlyLineEnds(eventStart, next)) {
          events.add(pending.getBuffer(eventStart, next));
        }
        eventStart = next;
      }
    }
    if (eventStart > 0) {
      pending = pending.getBuffer(eventStart, len);
      scan -= eventStart;
      lineStart -= eventStart;
    }
    if (pending.length() > maxEventBytes) {
      throw new IllegalStateException("an event exceeds " + maxEventBytes + " bytes");
    }
    return events;
  }

  /** Bytes received that do not yet form a whole event. */
  public int pendingBytes() {
    return onlyLineEnds(0, pending.length()) ? 0 : pending.length();
  }

  private boolean onlyLineEnds(int from, int to) {
    for (int i = from; i < to; i++) {
      byte b = pending.getByte(i);
      if (b != '\n' && b != '\r') {
        return false;
      }
    }
    return true;
  }
}
