package dev.tollgate.metering.wal;

import java.util.List;

/**
 * What {@link Wal#open} found on disk.
 *
 * @param damages every problem found and repaired, in segment order, then the intake ring's; empty after a
 *     clean shutdown or a crash of the process
 * @param uncommittedRecords intact records after the committed position, ready to replay (those taken from
 *     the intake ring included)
 * @param committedSeq the committed position read from the checkpoint
 * @param nextSeq the sequence number the next append gets
 * @param intakeRecords records the intake ring held that no segment had: appended to the log at open
 * @param intakeRecordsInSegments records the intake ring still held that a segment had already (the process
 *     died between writing them and moving the ring's tail): left out, so that none is in the log twice
 */
public record RecoveryReport(List<Damage> damages, long uncommittedRecords, long committedSeq, long nextSeq,
    long intakeRecords, long intakeRecordsInSegments) {

  public RecoveryReport {
    damages = List.copyOf(damages);
  }

  /** True when nothing needed repair. */
  public boolean clean() {
    return damages.isEmpty();
  }
}
