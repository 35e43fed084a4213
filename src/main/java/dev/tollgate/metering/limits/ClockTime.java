package dev.tollgate.metering.limits;

import com.github.benmanes.caffeine.cache.Ticker;
import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Instant;

/**
 * The injected clock, as Bucket4j's time meter and Caffeine's ticker, so that tests move both by moving one clock.
 * Read several times a call (every bucket operation, every cache read): the system clock is read as
 * {@link System#nanoTime} from an anchor taken once, an intrinsic, where {@code Clock.instant()} is a native
 * call (~1% of the event loops' time under load, most of it in {@code Clock.currentInstant}). Monotonic, which
 * suits buckets better than a wall clock that can step back.
 */
abstract sealed class ClockTime implements TimeMeter, Ticker {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  private static final Class<? extends Clock> SYSTEM = Clock.systemUTC().getClass();

  /** Time as {@code clock} tells it; a system clock (any zone) is read monotonically from an anchor. */
  static ClockTime of(Clock clock) {
    return SYSTEM.isInstance(clock) ? new Anchored(nanos(clock.instant())) : new Injected(clock);
  }

  private static long nanos(Instant instant) {
    return instant.getEpochSecond() * NANOS_PER_SECOND + instant.getNano();
  }

  @Override
  public boolean isWallClockBased() {
    return true;
  }

  @Override
  public long read() {
    return currentTimeNanos();
  }

  /** The system clock: its reading at construction, advanced by the monotonic clock. */
  private static final class Anchored extends ClockTime {
    private final long epochNanos;
    private final long startNanos = System.nanoTime();

    Anchored(long epochNanos) {
      this.epochNanos = epochNanos;
    }

    @Override
    public long currentTimeNanos() {
      return epochNanos + (System.nanoTime() - startNanos);
    }
  }

  /** Any other clock (tests move it by hand): read at every call. */
  private static final class Injected extends ClockTime {
    private final Clock clock;

    Injected(Clock clock) {
      this.clock = clock;
    }

    @Override
    public long currentTimeNanos() {
      return nanos(clock.instant());
    }
  }
}
