package dev.tollgate.metering.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testing.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** The limiter's time: an injected clock is followed exactly, the system clock read monotonically from an anchor. */
class ClockTimeTest {
  private static long nanos(Instant instant) {
    return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }

  @Test
  void followsAnInjectedClockToTheNanosecond() {
    ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00.123456789Z"));
    ClockTime time = ClockTime.of(clock);

    assertThat(time.currentTimeNanos()).isEqualTo(nanos(clock.instant()));
    clock.advance(Duration.ofMillis(1500));
    assertThat(time.currentTimeNanos()).isEqualTo(nanos(clock.instant()));
    assertThat(time.read()).isEqualTo(time.currentTimeNanos());
  }

  @Test
  void theSystemClockInAnyZoneIsAnchoredAndMovesWithTheMonotonicClock() throws InterruptedException {
    for (Clock clock : new Clock[] {Clock.systemUTC(), Clock.system(ZoneId.of("Asia/Tokyo"))}) {
      long before = nanos(Instant.now());
      ClockTime time = ClockTime.of(clock);
      long first = time.currentTimeNanos();
      long after = nanos(Instant.now());
      // Anchored on the wall clock: within the reads around it (a generous margin for a slow machine).
      assertThat(first).isBetween(before - 50_000_000L, after + 50_000_000L);

      Thread.sleep(20);
      long second = time.currentTimeNanos();
      assertThat(second - first).isBetween(Duration.ofMillis(20).toNanos(), Duration.ofSeconds(5).toNanos());
      long previous = second;
      for (int i = 0; i < 10_000; i++) {
        long now = time.currentTimeNanos();
        assertThat(now).isGreaterThanOrEqualTo(previous);
        previous = now;
      }
    }
  }

  @Test
  void aClockThatOnlyLooksLikeTheSystemClockIsReadAsInjected() {
    Clock offset = Clock.offset(Clock.systemUTC(), Duration.ofDays(-400));
    ClockTime time = ClockTime.of(offset);

    assertThat(time.currentTimeNanos()).isLessThan(nanos(Instant.now().minus(Duration.ofDays(399))));
  }
}
