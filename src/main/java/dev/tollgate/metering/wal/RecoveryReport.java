package dev.tollgate.metering.wal;

import java.util.List;

/**
 * What {@link Wal#open} found on disk.
 *
 * @param damages every problem found and repaired, in segment order; empty after a clean shutdown or crash
 * @param uncommittedRecords intact records after the committed position, ready to replay
 * @param committedSeq the committed position read from the checkpoint
 * @param nextSeq the sequence number the next append gets
 */
public record RecoveryReport(List<Damage> damages, long uncommittedRecords, long committedSeq, long nextSeq) {

  public RecoveryReport {
    damages = List.copyOf(damages);
  }

  /** True when nothing needed repair. */
  public boolean clean() {
    return damages.isEmpty();
  }
}
