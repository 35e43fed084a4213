package dev.tollgate.metering.wal;

import dev.tollgate.metering.wal.Frames.Frame;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.function.Consumer;

/** Reads the records of one segment view in order, checking every checksum again. */
final class SegmentReader {
  private SegmentReader() {}

  /**
   * Passes the records with {@code afterSeq < seq <= uptoSeq} to {@code consumer}, at most {@code max} of
   * them, and returns how many it passed. The mapping is released before returning (confined arena).
   */
  static long read(LiveSegments.View view, long afterSeq, long uptoSeq, long max, Consumer<WalRecord> consumer,
      ChannelOpener opener) throws IOException {
    if (view.limit() <= view.start() || max <= 0) {
      return 0;
    }
    long passed = 0;
    try (FileChannel ch = opener.open(view.path(), Set.of(StandardOpenOption.READ));
        Arena arena = Arena.ofConfined()) {
      ByteBuffer buf = ch.map(MapMode.READ_ONLY, 0, view.limit(), arena).asByteBuffer();
      int limit = (int) view.limit();
      int pos = (int) view.start();
      while (pos < limit && passed < max) {
        Frame f = Frames.decode(buf, pos, limit);
        if (f == null) {
          throw new WalCorruptionException(view.path(), pos);
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
}
