package dev.tollgate.metering.wal;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * A live segment file: its durable size, last durable sequence number and a sparse seq-to-offset
 * index so that replaying from the middle does not scan from the start.
 *
 * <p>Not thread-safe: every mutable field is guarded by the lock of the {@link LiveSegments} that
 * holds the segment.
 */
final class Segment {
  /** One index entry per this many records. */
  static final int INDEX_EVERY = 128;

  final Path path;
  final long firstSeq;
  private long durableBytes;
  private long lastSeq;
  private long[] indexSeqs = new long[8];
  private long[] indexOffsets = new long[8];
  private int indexCount;
  private long recordsSinceIndex = INDEX_EVERY; // index the first record

  Segment(Path path, long firstSeq, long durableBytes, long lastSeq) {
    this.path = path;
    this.firstSeq = firstSeq;
    this.durableBytes = durableBytes;
    this.lastSeq = lastSeq;
  }

  long durableBytes() {
    return durableBytes;
  }

  long lastSeq() {
    return lastSeq;
  }

  void durable(long bytes, long lastSeq) {
    this.durableBytes = bytes;
    this.lastSeq = lastSeq;
  }

  /** Notes a record's offset; called for every record in order, keeps one in {@link #INDEX_EVERY}. */
  void noteRecord(long seq, long offset) {
    if (recordsSinceIndex++ < INDEX_EVERY) {
      return;
    }
    recordsSinceIndex = 1;
    if (indexCount == indexSeqs.length) {
      indexSeqs = Arrays.copyOf(indexSeqs, indexCount * 2);
      indexOffsets = Arrays.copyOf(indexOffsets, indexCount * 2);
    }
    indexSeqs[indexCount] = seq;
    indexOffsets[indexCount] = offset;
    indexCount++;
  }

  /** Offset of an indexed record at or before {@code seq}, where a scan for {@code seq} may start. */
  long scanStartFor(long seq) {
    int i = Arrays.binarySearch(indexSeqs, 0, indexCount, seq);
    if (i >= 0) {
      return indexOffsets[i];
    }
    int before = -i - 2;
    return before >= 0 ? indexOffsets[before] : Frames.HEADER_BYTES;
  }
}
