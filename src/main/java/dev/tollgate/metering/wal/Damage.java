package dev.tollgate.metering.wal;

import java.nio.file.Path;

/** Something recovery found wrong on disk and what it did about it; never silent. */
public sealed interface Damage {

  /** The file concerned. */
  Path file();

  /**
   * The last segment ended in a partly written record (a crash mid-write): it was cut off. The
   * record was never acknowledged, because its fsync never returned.
   *
   * @param offset where the torn record began; the segment now ends there
   * @param bytesDiscarded bytes removed from the end of the segment
   */
  record TornTail(Path file, long offset, long bytesDiscarded) implements Damage {}

  /**
   * Bytes that are no intact record, followed by intact ones (or ending a sealed segment). The
   * records before and after were kept; the segment was rewritten with a gap marker in place of the bad
   * bytes after its original was copied to {@code quarantined} for inspection.
   *
   * @param offset where the bad bytes begin in the original (the quarantined copy)
   * @param bytesSkipped how many bytes were left out
   * @param seqsLost sequence numbers that had no intact record there (acknowledged records lost)
   */
  record CorruptRecord(Path file, long offset, long bytesSkipped, long seqsLost, Path quarantined)
      implements Damage {}

  /**
   * A segment whose header is not ours (wrong magic, or a first sequence number that does not match its
   * name): moved whole to {@code quarantined}, none of its records replayed; a gap marker takes its place
   * so that its sequence numbers are not given again.
   */
  record CorruptHeader(Path file, long bytes, Path quarantined) implements Damage {}

  /**
   * The checkpoint did not check out: the committed position is taken as zero (and written back), so
   * every live record is replayed again (the database deduplicates by event id).
   */
  record CorruptCheckpoint(Path file) implements Damage {}

  /**
   * Records in the intake ring from {@code offset} on did not check out, so they and everything stored
   * after them in the ring were discarded. A crash of the process leaves none (the ring's head moves only
   * after a record is complete); a power cut can, because the ring is never forced: what the device held
   * of it may be pages of different ages. Records older than one group commit were in a segment already.
   *
   * @param offset where in the file the first record that did not check out lies
   * @param bytesDiscarded ring bytes from there to the ring's head
   */
  record IntakeTail(Path file, long offset, long bytesDiscarded) implements Damage {}

  /**
   * The intake file was not a ring of ours (wrong magic or version, a size that does not match its
   * header, positions that cannot be): moved whole to {@code quarantined}, none of its records replayed,
   * and an empty ring created in its place.
   */
  record CorruptIntake(Path file, long bytes, Path quarantined) implements Damage {}
}
