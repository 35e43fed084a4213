package dev.tollgate.metering.wal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The live segments, oldest first (the last one is the active segment the writer appends to), with
 * the durable and committed positions and the disk budget.
 *
 * <p>Thread-safe. The writer publishes durable records, the flusher marks them committed, and any
 * thread takes replay snapshots; all of that happens under {@link #lock}, which is only ever held
 * for in-memory work (file deletion and reads happen outside it). The disk budget is a separate
 * atomic counter so that appenders never touch the lock.
 */
final class LiveSegments {
  private final ReentrantLock lock = new ReentrantLock();
  // @GuardedBy("lock")
  private final List<Segment> segments;
  // @GuardedBy("lock")
  private final TimeRing uncommitted;
  // @GuardedBy("lock")
  private long durableSeq;
  // @GuardedBy("lock")
  private long committedSeq;

  /** Bytes of every live segment plus the frames reserved by appends not yet written. */
  private final AtomicLong usedBytes;
  private final long maxBytes;

  LiveSegments(List<Segment> recovered, TimeRing uncommitted, long durableSeq, long committedSeq, long maxBytes) {
    this.segments = new ArrayList<>(recovered);
    this.uncommitted = uncommitted;
    this.durableSeq = durableSeq;
    this.committedSeq = committedSeq;
    this.maxBytes = maxBytes;
    this.usedBytes = new AtomicLong(recovered.stream().mapToLong(Segment::durableBytes).sum());
  }

  // ---------------------------------------------------------------- disk budget

  /** Takes {@code bytes} from the budget if they fit under the cap; never blocks. */
  boolean tryReserve(long bytes) {
    long used;
    do {
      used = usedBytes.get();
      if (used + bytes > maxBytes) {
        return false;
      }
    } while (!usedBytes.compareAndSet(used, used + bytes));
    return true;
  }

  /**
   * Counts bytes that are not refused: segment headers written at rotation. They may take the total
   * past the cap by one header while it is nearly full; appends are then refused until space is freed.
   */
  void charge(long bytes) {
    usedBytes.addAndGet(bytes);
  }

  long usedBytes() {
    return usedBytes.get();
  }

  long maxBytes() {
    return maxBytes;
  }

  // ---------------------------------------------------------------- writer side

  /**
   * Adds a new active segment and returns the sealed segments that became deletable: those whose
   * records (all below the new segment's first) are committed. The caller deletes their files.
   */
  List<Segment> addActive(Segment segment) {
    lock.lock();
    try {
      segments.add(segment);
      return removeCommitted();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Publishes records made durable by one fsync round: the new sizes of the segments touched and the
   * append times of the records {@code firstSeq .. firstSeq + times.length - 1}.
   */
  void publish(List<Written> written, long firstSeq, long[] times) {
    lock.lock();
    try {
      for (Written w : written) {
        w.segment.durable(w.bytes, w.lastSeq);
        for (int i = 0; i < w.offsets.length; i++) {
          w.segment.noteRecord(w.firstSeq + i, w.offsets[i]);
        }
      }
      for (int i = 0; i < times.length; i++) {
        uncommitted.add(firstSeq + i, times[i]);
      }
      durableSeq = firstSeq + times.length - 1;
    } finally {
      lock.unlock();
    }
  }

  /** What one fsync round did to one segment: its durable size and the offsets of its new records. */
  record Written(Segment segment, long bytes, long firstSeq, long lastSeq, long[] offsets) {}

  // ---------------------------------------------------------------- flusher side

  /**
   * Moves the committed position up to {@code seq} (never down) and returns the segments that became
   * deletable. Called after the checkpoint file holds {@code seq}.
   */
  List<Segment> commit(long seq) {
    lock.lock();
    try {
      if (seq <= committedSeq) {
        return List.of();
      }
      committedSeq = seq;
      uncommitted.dropThrough(seq);
      return removeCommitted();
    } finally {
      lock.unlock();
    }
  }

  /** Whether committing through {@code seq} would let a segment go (the position must be persisted first). */
  boolean wouldFree(long seq) {
    lock.lock();
    try {
      return segments.size() > 1 && segments.get(1).firstSeq - 1 <= seq;
    } finally {
      lock.unlock();
    }
  }

  /**
   * A sealed segment is deletable once the record before its successor's first is committed. The
   * successor's name is the bound, not the segment's published last seq: records the writer put in a
   * segment just before rotating are not published yet, and must not be deleted with it.
   */
  private List<Segment> removeCommitted() {
    List<Segment> removed = new ArrayList<>();
    while (segments.size() > 1 && segments.get(1).firstSeq - 1 <= committedSeq) {
      Segment s = segments.removeFirst();
      usedBytes.addAndGet(-s.durableBytes());
      removed.add(s);
    }
    return removed;
  }

  long committedSeq() {
    lock.lock();
    try {
      return committedSeq;
    } finally {
      lock.unlock();
    }
  }

  long durableSeq() {
    lock.lock();
    try {
      return durableSeq;
    } finally {
      lock.unlock();
    }
  }

  WalLag lag() {
    lock.lock();
    try {
      return new WalLag(uncommitted.size(), uncommitted.size() == 0
          ? Optional.empty()
          : Optional.of(Instant.ofEpochMilli(uncommitted.oldestTime())));
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- readers

  /** The durable part of each segment that may hold a record after {@code afterSeq}, in order. */
  Snapshot snapshot(long afterSeq) {
    lock.lock();
    try {
      List<View> views = new ArrayList<>();
      for (int i = 0; i < segments.size(); i++) {
        Segment s = segments.get(i);
        boolean hasLater = i + 1 < segments.size() ? segments.get(i + 1).firstSeq - 1 > afterSeq : true;
        if (hasLater && s.lastSeq() > afterSeq && s.durableBytes() > Frames.HEADER_BYTES) {
          views.add(new View(s.path, s.scanStartFor(afterSeq + 1), s.durableBytes()));
        }
      }
      return new Snapshot(views, durableSeq);
    } finally {
      lock.unlock();
    }
  }

  /** Segments to read for a replay, and the last durable sequence number when it was taken. */
  record Snapshot(List<View> views, long durableSeq) {}

  /** The bytes {@code [start, limit)} of one segment, starting at a record boundary. */
  record View(java.nio.file.Path path, long start, long limit) {}
}
