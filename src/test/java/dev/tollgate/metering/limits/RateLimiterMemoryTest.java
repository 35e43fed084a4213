package dev.tollgate.metering.limits;

import dev.tollgate.testing.ManualClock;
import static dev.tollgate.metering.limits.Limits.KEY_A;
import static dev.tollgate.metering.limits.Limits.admitted;
import static dev.tollgate.metering.limits.Limits.concurrent;
import static dev.tollgate.metering.limits.Limits.keyDefault;
import static dev.tollgate.metering.limits.Limits.limited;
import static dev.tollgate.metering.limits.Limits.rpm;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.metering.limits.Admission.Admitted;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Counters of idle scopes are forgotten once forgetting them loses nothing, and never exceed the bound. */
class RateLimiterMemoryTest {
  private final ManualClock clock = new ManualClock();

  private static CallerScopes key(int i) {
    return new CallerScopes("k-" + i, Optional.empty(), "t-" + (i % 10));
  }

  @Test
  void aHundredThousandIdleKeysAreForgottenAfterAMinute() {
    RateLimiter limiter = new RateLimiter(new LimitsConfig(Map.of(ScopeKind.KEY, rpm(10)), Map.of(), Map.of(),
        Map.of(), 200_000), clock);
    for (int i = 0; i < 100_000; i++) {
      admitted(limiter.admit(key(i), 0)).permit().settle(0);
    }
    assertThat(limiter.trackedScopes()).isEqualTo(100_000);

    clock.advance(Duration.ofSeconds(59));
    assertThat(limiter.trackedScopes()).isEqualTo(100_000);
    // Caffeine's timer wheel removes expired entries within about a second of their expiry.
    clock.advance(Duration.ofSeconds(3));
    assertThat(limiter.trackedScopes()).isZero();
  }

  @Test
  void aScopeIsKeptUntilItsBucketsAreFullAgain() {
    RateLimiter limiter = new RateLimiter(keyDefault(rpm(2)), clock);
    admitted(limiter.admit(KEY_A, 0)).permit().close();
    admitted(limiter.admit(KEY_A, 0)).permit().close();

    clock.advance(Duration.ofSeconds(59));
    assertThat(limiter.trackedScopes()).isEqualTo(1);
    assertThat(Limits.drain(limiter, KEY_A, 0)).isEqualTo(1); // the state was not lost: 1.97 refilled
  }

  @Test
  void aScopeWithACallInFlightIsKeptWhileIdle() {
    RateLimiter limiter = new RateLimiter(keyDefault(concurrent(1)), clock);
    Admitted longCall = admitted(limiter.admit(KEY_A, 0));

    for (int minute = 0; minute < 30; minute++) {
      clock.advance(Duration.ofMinutes(1));
      assertThat(limiter.trackedScopes()).isEqualTo(1);
    }
    assertThat(limited(limiter.admit(KEY_A, 0)).limit()).isEqualTo(Limit.CONCURRENT_REQUESTS);

    longCall.permit().settle(0);
    clock.advance(Duration.ofSeconds(63));
    assertThat(limiter.trackedScopes()).isZero();
  }

  @Test
  void aScopeStaysPinnedWhileAnyOfItsOverlappingCallsIsInFlight() {
    RateLimiter limiter = new RateLimiter(keyDefault(concurrent(3)), clock);
    Admitted first = admitted(limiter.admit(KEY_A, 0));
    Admitted second = admitted(limiter.admit(KEY_A, 0));
    first.permit().settle(0); // the second is still in flight
    Admitted third = admitted(limiter.admit(KEY_A, 0));
    second.permit().close();

    for (int minute = 0; minute < 30; minute++) {
      clock.advance(Duration.ofMinutes(1));
      assertThat(limiter.trackedScopes()).isEqualTo(1);
    }
    third.permit().settle(0); // the last one out unpins the scope
    clock.advance(Duration.ofSeconds(63));
    assertThat(limiter.trackedScopes()).isZero();
  }

  @Test
  void trackedScopesNeverExceedTheBound() {
    RateLimiter limiter = new RateLimiter(new LimitsConfig(Map.of(ScopeKind.KEY, rpm(10)), Map.of(), Map.of(),
        Map.of(), 1000), clock);
    for (int i = 0; i < 20_000; i++) {
      admitted(limiter.admit(key(i), 0)).permit().close();
    }
    assertThat(limiter.trackedScopes()).isLessThanOrEqualTo(1000);

    limiter.update(new LimitsConfig(Map.of(ScopeKind.KEY, rpm(10)), Map.of(), Map.of(), Map.of(), 100));
    assertThat(limiter.trackedScopes()).isLessThanOrEqualTo(100);
  }
}
