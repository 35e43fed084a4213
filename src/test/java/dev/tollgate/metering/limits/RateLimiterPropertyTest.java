package dev.tollgate.metering.limits;

import dev.tollgate.testing.ManualClock;
import static dev.tollgate.metering.limits.Limits.KEY_A;
import static dev.tollgate.metering.limits.Limits.keyDefault;
import static dev.tollgate.metering.limits.Limits.rpm;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.metering.limits.Admission.Admitted;
import dev.tollgate.metering.limits.Admission.Limited;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random sequences of admissions, releases and clock moves (seeded) decide exactly like a reference
 * token bucket in exact integer arithmetic: greedy refill of rpm per minute, capped at rpm, plus a
 * count of calls in flight.
 */
class RateLimiterPropertyTest {
  private static final long MINUTE_NANOS = Duration.ofMinutes(1).toNanos();

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 5, 8, 13, 21, 34, 55, 89})
  void decidesLikeAReferenceTokenBucket(long seed) {
    Random random = new Random(seed);
    long rpm = 1 + random.nextInt(50);
    int maxConcurrent = 1 + random.nextInt(5);
    ManualClock clock = new ManualClock();
    RateLimiter limiter = new RateLimiter(keyDefault(rpm(rpm).withMaxConcurrent(maxConcurrent)), clock);
    // The reference bucket holds level / MINUTE_NANOS tokens.
    long level = rpm * MINUTE_NANOS;
    List<Admitted> held = new ArrayList<>();
    int admissions = 0;
    int refusals = 0;

    for (int step = 0; step < 3000; step++) {
      int op = random.nextInt(10);
      if (op < 5) {
        Admission admission = limiter.admit(KEY_A, 0);
        String context = "seed " + seed + " step " + step + " rpm " + rpm + " max " + maxConcurrent;
        long waitNanos = ceilDiv(MINUTE_NANOS - level, rpm);
        if (held.size() >= maxConcurrent) {
          // When the bucket is empty too, the refusal names whichever frees up last.
          Limit expected = level < MINUTE_NANOS && waitNanos > ScopeState.CONCURRENCY_RETRY.toNanos()
              ? Limit.REQUESTS_PER_MINUTE : Limit.CONCURRENT_REQUESTS;
          assertThat(admission).as(context).isInstanceOf(Limited.class);
          assertThat(((Limited) admission).limit()).as(context).isEqualTo(expected);
          refusals++;
        } else if (level >= MINUTE_NANOS) {
          assertThat(admission).as(context).isInstanceOf(Admitted.class);
          level -= MINUTE_NANOS;
          held.add((Admitted) admission);
          admissions++;
        } else {
          assertThat(admission).as(context).isInstanceOf(Limited.class);
          Limited limited = (Limited) admission;
          assertThat(limited.limit()).as(context).isEqualTo(Limit.REQUESTS_PER_MINUTE);
          assertThat(limited.retryAfter().toNanos()).as(context).isBetween(waitNanos, waitNanos + 1_000_000);
          refusals++;
        }
      } else if (op < 8 && !held.isEmpty()) {
        held.remove(random.nextInt(held.size())).permit().close();
      } else {
        long nanos = random.nextInt(3000) * 1_000_000L;
        clock.advance(Duration.ofNanos(nanos));
        level = Math.min(rpm * MINUTE_NANOS, level + nanos * rpm);
      }
    }
    assertThat(admissions).isPositive();
    assertThat(refusals).isPositive();
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
