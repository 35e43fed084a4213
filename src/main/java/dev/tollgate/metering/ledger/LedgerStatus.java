package dev.tollgate.metering.ledger;

import java.time.Duration;

/**
 * Where the usage ledger stands.
 *
 * @param lagEvents usage events in the local log and not yet in the database
 * @param lagAge how long the oldest of them has waited (zero when none waits)
 * @param flushed events written to the database since start
 * @param interrupted calls of a previous run billed as interrupted at this start
 * @param failedBatches database writes that failed and were retried
 * @param unreadable records skipped because they could not be decoded (should stay 0)
 * @param diskBytes bytes of log on disk
 * @param maxDiskBytes the cap: near it new calls are refused (503)
 * @param databaseHealthy false while the last database write failed
 * @param failed the local log failed (disk error): no call can be admitted
 */
public record LedgerStatus(long lagEvents, Duration lagAge, long flushed, long interrupted, long failedBatches,
    long unreadable, long diskBytes, long maxDiskBytes, boolean databaseHealthy, boolean failed) {}
