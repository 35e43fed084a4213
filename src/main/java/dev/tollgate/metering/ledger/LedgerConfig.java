package dev.tollgate.metering.ledger;

import dev.tollgate.config.ConfigException;
import dev.tollgate.metering.wal.WalConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The usage ledger, YAML {@code ledger}: where its write-ahead log lives and how its events move on to
 * the database.
 *
 * @param wal {@code ledger.wal}: the local log every usage event is forced to before it counts
 * @param flushBatch {@code ledger.flush_batch}: most log records read for one database transaction (a call
 *     is two: its intent and its event)
 * @param flushInterval {@code ledger.flush_interval}: longest an event waits in the log before the
 *     flusher looks for it (it moves on at once when a batch is full)
 * @param fsyncIntents {@code ledger.fsync_intents}: a call waits for its intent's fsync before it goes
 *     upstream (it then survives a power cut as well as a crash of the gateway); off, it does not wait: the
 *     intent is stored in the log's memory-mapped intake and forced within {@code commit_interval}
 */
public record LedgerConfig(WalConfig wal, int flushBatch, Duration flushInterval, boolean fsyncIntents) {
  public static final int DEFAULT_FLUSH_BATCH = 4000;
  public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMillis(100);

  public LedgerConfig {
    List<String> problems = new ArrayList<>();
    if (flushBatch < 1 || flushBatch > 100_000) {
      problems.add("ledger.flush_batch: " + flushBatch + " (expected: 1..100000)");
    }
    if (flushInterval == null || !flushInterval.isPositive() || flushInterval.compareTo(Duration.ofMinutes(1)) > 0) {
      problems.add("ledger.flush_interval: " + flushInterval + " (expected: > 0 and <= 1m)");
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
  }

  /** Intents stored in the log's intake, not forced, before a call goes upstream. */
  public LedgerConfig(WalConfig wal, int flushBatch, Duration flushInterval) {
    this(wal, flushBatch, flushInterval, false);
  }

  /** Default flushing over the default log in {@code wal}'s directory. */
  public static LedgerConfig defaults(WalConfig wal) {
    return new LedgerConfig(wal, DEFAULT_FLUSH_BATCH, DEFAULT_FLUSH_INTERVAL, false);
  }
}
