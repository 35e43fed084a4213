package dev.tollgate.metering.wal;

import dev.tollgate.metering.wal.Frames.Frame;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads the records of one segment view in order, checking every checksum again.
 *
 * <p>Reads with {@code pread} into a heap buffer rather than mapping the segment: the flusher reads many
 * times a second, and an arena's mapping would both cost an mmap and munmap a read and put a session check
 * into the JIT's code for every direct buffer of the process (see {@link IntakeRing}); a plain mapping
 * would keep a deleted segment's blocks allocated until the collector unmaps it.
 */
final class SegmentReader {
  /** Bytes read at a time; a record larger than this is read whole into a buffer of its size. */
  static final int CHUNK_BYTES = 64 * 1024;

  private SegmentReader() {}

  /**
   * Passes the records with {@code afterSeq < seq <= uptoSeq} to {@code consumer}, at most {@code max} of
   * them, and returns how many it passed.
   */
  static long read(LiveSegments.View view, long afterSeq, long uptoSeq, long max, Consumer<WalRecord> consumer,
      ChannelOpener opener) throws IOException {
    if (view.limit() <= view.start() || max <= 0) {
      return 0;
    }
    long passed = 0;
    try (FileChannel ch = opener.open(view.path(), Set.of(StandardOpenOption.READ))) {
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, view.limit() - view.start()));
      long bufAt = view.start(); // the file offset of buf's first byte
      int filled = 0;
      int pos = 0;
      while (bufAt + pos < view.limit() && passed < max) {
        Frame f = Frames.decode(buf, pos, filled);
        if (f == null) {
          // Not whole in the buffer yet, or damaged: damaged when the bytes it needs are there, or not in the view.
          int need = neededFor(buf, pos, filled, view.limit() - bufAt - pos);
          if (need < 0 || need <= filled - pos) {
            throw new WalCorruptionException(view.path(), bufAt + pos);
          }
          int kept = filled - pos;
          ByteBuffer next = need > buf.capacity() ? ByteBuffer.allocate(need) : buf;
          System.arraycopy(buf.array(), pos, next.array(), 0, kept);
          buf = next;
          bufAt += pos;
          pos = 0;
          int toRead = (int) Math.min(buf.capacity() - kept, view.limit() - bufAt - kept);
          readFully(ch, buf.clear().position(kept).limit(kept + toRead), bufAt + kept);
          filled = kept + toRead;
          continue;
        }
        if (f.seq() > uptoSeq) {
          break;
        }
        if (f.seq() > afterSeq && !f.gap()) {
          consumer.accept(new WalRecord(f.seq(), f.appendedAtMillis(), f.payload(buf)));
          passed++;
        }
        pos = f.end();
      }
    }
    return passed;
  }

  /**
   * The bytes the frame at {@code pos} takes by its length field (the fixed fields alone while the length is
   * not read yet), given {@code inFile} bytes from it to the view's end; -1 when that is more than the view
   * holds (damage).
   */
  private static int neededFor(ByteBuffer buf, int pos, int filled, long inFile) {
    long frame = filled - pos < 4 ? Frames.OVERHEAD : Frames.frameBytes(Math.max(buf.getInt(pos), 0));
    return frame > inFile ? -1 : (int) frame;
  }

  /** Reads {@code into}'s remaining bytes from {@code position} on; EOF first is an error. */
  static void readFully(FileChannel ch, ByteBuffer into, long position) throws IOException {
    long at = position;
    while (into.hasRemaining()) {
      int n = ch.read(into, at);
      if (n < 0) {
        throw new EOFException("end of file at " + at + " with " + into.remaining() + " bytes still to read");
      }
      at += n;
    }
  }
}
