package dev.tollgate.metering.wal;

/**
 * Sequence numbers and append times of the durable, uncommitted records, oldest first: 16 bytes per
 * record, bounded by the disk cap. Not thread-safe (guarded by {@link LiveSegments}).
 */
final class TimeRing {
  private long[] seqs = new long[64];
  private long[] times = new long[64];
  private int head;
  private int size;

  void add(long seq, long appendedAtMillis) {
    if (size == seqs.length) {
      grow();
    }
    int i = (head + size) % seqs.length;
    seqs[i] = seq;
    times[i] = appendedAtMillis;
    size++;
  }

  /** Forgets every record with a sequence number up to {@code seq}. */
  void dropThrough(long seq) {
    while (size > 0 && seqs[head] <= seq) {
      head = (head + 1) % seqs.length;
      size--;
    }
  }

  int size() {
    return size;
  }

  /** Append time of the oldest record; only when {@link #size()} is positive. */
  long oldestTime() {
    return times[head];
  }

  private void grow() {
    long[] s = new long[seqs.length * 2];
    long[] t = new long[seqs.length * 2];
    for (int k = 0; k < size; k++) {
      s[k] = seqs[(head + k) % seqs.length];
      t[k] = times[(head + k) % seqs.length];
    }
    seqs = s;
    times = t;
    head = 0;
  }
}
