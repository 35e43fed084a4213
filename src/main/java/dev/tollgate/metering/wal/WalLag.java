package dev.tollgate.metering.wal;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How far the committed position trails the durable records.
 *
 * @param events durable records not yet marked committed
 * @param oldestUncommitted when the oldest of them was appended; empty when there are none
 */
public record WalLag(long events, Optional<Instant> oldestUncommitted) {

  /** Age of the oldest uncommitted record at {@code now}; zero when there is none. */
  public Duration age(Instant now) {
    return oldestUncommitted.map(t -> Duration.between(t, now)).filter(d -> !d.isNegative()).orElse(Duration.ZERO);
  }
}
