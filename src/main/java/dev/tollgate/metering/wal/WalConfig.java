package dev.tollgate.metering.wal;

import dev.tollgate.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The write-ahead log's place and bounds, as configured under {@code ledger.wal}.
 *
 * @param directory where segments, the intake ring, the checkpoint and quarantined files live (one WAL per directory)
 * @param segmentBytes a segment is sealed and a new one started before it would grow past this
 * @param commitInterval group commit: at most one fsync per interval (zero: fsync every batch at once)
 * @param commitBytes group commit: fsync earlier once this many bytes wait, whatever the interval; the intake
 *     ring is twice this size (1 to 64 MiB)
 * @param maxDiskBytes cap on the live segments; an append that would pass it is refused
 * @param admissionHeadroomBytes {@link Wal#hasRoom} answers false this far below the cap, so that calls
 *     admitted just before the cap can still append their usage (size it as concurrent calls x event size)
 */
public record WalConfig(Path directory, long segmentBytes, Duration commitInterval, long commitBytes,
    long maxDiskBytes, long admissionHeadroomBytes) {

  /** YAML prefix of every problem reported, so a message points at the line to fix. */
  public static final String PATH = "ledger.wal";
  public static final long MIN_SEGMENT_BYTES = 1024;
  // Recovery and replay map a segment as one ByteBuffer; 1 GiB keeps far away from the 2 GiB index limit.
  public static final long MAX_SEGMENT_BYTES = 1L << 30;
  public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;
  // Calls do not wait for their intent's force (it is stored in the intake; unless ledger.fsync_intents): the
  // interval bounds what a power cut can take (a crash of the process takes nothing). Each group commit costs a
  // wake-up, a write, an fdatasync and its device interrupts whatever the load: at 10 ms rather than 5 the WAL
  // writer's CPU fell from 4-7 to 3-4 us a call at ~10k calls/s on two vCPUs (bench/RESULTS.md, 2026-11-27).
  public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(10);
  public static final long DEFAULT_COMMIT_BYTES = 1L << 20;
  public static final long DEFAULT_MAX_DISK_BYTES = 1L << 30;
  public static final long DEFAULT_ADMISSION_HEADROOM_BYTES = 4L << 20;

  public WalConfig {
    List<String> problems = new ArrayList<>();
    if (directory == null) {
      problems.add(PATH + ".directory: missing (expected: a directory path)");
    }
    if (segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES) {
      problems.add("%s.segment_size: %d (expected: %d..%d)".formatted(PATH, segmentBytes, MIN_SEGMENT_BYTES,
          MAX_SEGMENT_BYTES));
    }
    if (commitInterval == null || commitInterval.isNegative() || commitInterval.compareTo(Duration.ofSeconds(1)) > 0) {
      problems.add("%s.commit_interval: %s (expected: 0ms..1s)".formatted(PATH, commitInterval));
    }
    if (commitBytes < 1) {
      problems.add("%s.commit_size: %d (expected: > 0)".formatted(PATH, commitBytes));
    }
    // Two segments: the active one is never deleted, so a smaller cap could refuse appends for good.
    if (maxDiskBytes < 2 * segmentBytes) {
      problems.add("%s.max_disk: %d (expected: >= 2 x segment_size = %d)".formatted(PATH, maxDiskBytes,
          2 * segmentBytes));
    }
    if (admissionHeadroomBytes < 0 || admissionHeadroomBytes >= maxDiskBytes) {
      problems.add("%s.admission_headroom: %d (expected: 0..max_disk - 1)".formatted(PATH,
          admissionHeadroomBytes));
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
  }

  /** The defaults (64 MiB segments, 5 ms / 1 MiB group commit, 1 GiB cap, 4 MiB headroom) in {@code directory}. */
  public static WalConfig defaults(Path directory) {
    return new WalConfig(directory, DEFAULT_SEGMENT_BYTES, DEFAULT_COMMIT_INTERVAL, DEFAULT_COMMIT_BYTES,
        DEFAULT_MAX_DISK_BYTES, DEFAULT_ADMISSION_HEADROOM_BYTES);
  }
}
