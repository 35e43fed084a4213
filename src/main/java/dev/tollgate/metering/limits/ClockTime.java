package dev.tollgate.metering.limits;

import com.github.benmanes.caffeine.cache.Ticker;
import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Instant;

/** The injected clock, as Bucket4j's time meter and Caffeine's ticker, so that tests move both by moving one clock. */
final class ClockTime implements TimeMeter, Ticker {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final Clock clock;

  ClockTime(Clock clock) {
    this.clock = clock;
  }

  @Override
  public long currentTimeNanos() {
    Instant now = clock.instant();
    return now.getEpochSecond() * NANOS_PER_SECOND + now.getNano();
  }

  @Override
  public boolean isWallClockBased() {
    return true;
  }

  @Override
  public long read() {
    return currentTimeNanos();
  }
}
