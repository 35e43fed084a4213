package dev.tollgate.metering.limits;

import dev.tollgate.testing.ManualClock;
import static dev.tollgate.metering.limits.Limits.KEY_A;
import static dev.tollgate.metering.limits.Limits.KEY_B;
import static dev.tollgate.metering.limits.Limits.admitted;
import static dev.tollgate.metering.limits.Limits.concurrent;
import static dev.tollgate.metering.limits.Limits.drain;
import static dev.tollgate.metering.limits.Limits.keyDefault;
import static dev.tollgate.metering.limits.Limits.limited;
import static dev.tollgate.metering.limits.Limits.rpm;
import static dev.tollgate.metering.limits.Limits.tpm;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.metering.limits.Admission.Admitted;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A limit change applies to the next call, without a restart, and leaves calls in flight alone. */
class RateLimiterUpdateTest {
  private final ManualClock clock = new ManualClock();

  @Test
  void loosenedLimitsApplyAtOnceAndWhatWasUsedStillCounts() {
    RateLimiter limiter = new RateLimiter(keyDefault(rpm(5)), clock);
    assertThat(drain(limiter, KEY_A, 0)).isEqualTo(5);

    limiter.update(keyDefault(rpm(12)));

    assertThat(drain(limiter, KEY_A, 0)).isEqualTo(7);
    assertThat(limited(limiter.admit(KEY_A, 0)).allowed()).isEqualTo(12);
  }

  @Test
  void tightenedLimitsCapWhatIsLeftAtTheNewLimit() {
    RateLimiter limiter = new RateLimiter(keyDefault(rpm(10)), clock);
    for (int i = 0; i < 4; i++) {
      admitted(limiter.admit(KEY_A, 0)).permit().close();
    }

    limiter.update(keyDefault(rpm(3)));

    // 6 were left; ADDITIVE keeps at most the new capacity.
    assertThat(drain(limiter, KEY_A, 0)).isEqualTo(3);
    assertThat(limited(limiter.admit(KEY_A, 0)).allowed()).isEqualTo(3);
  }

  @Test
  void aLimitAddedToAScopeWithoutOneStartsFull() {
    RateLimiter limiter = new RateLimiter(keyDefault(tpm(1000)), clock);
    admitted(limiter.admit(KEY_A, 900)).permit().close();

    limiter.update(keyDefault(tpm(1000).withRpm(2)));

    assertThat(drain(limiter, KEY_A, 0)).isEqualTo(2);
    assertThat(limiter.admit(KEY_A, 101)).isInstanceOf(Admission.Limited.class); // tokens kept their count
  }

  @Test
  void aScopeWhoseLimitsAreRemovedIsDroppedAndItsPermitsStillSettle() {
    RateLimiter limiter = new RateLimiter(keyDefault(rpm(1).withTpm(100).withMaxConcurrent(1)), clock);
    Admitted inFlight = admitted(limiter.admit(KEY_A, 50));
    assertThat(limiter.trackedScopes()).isEqualTo(1);

    limiter.update(LimitsConfig.NONE);

    assertThat(limiter.trackedScopes()).isZero();
    for (int i = 0; i < 10; i++) {
      assertThat(limiter.admit(KEY_A, 1000)).isInstanceOf(Admitted.class); // not even concurrency is capped
    }
    inFlight.permit().settle(70);
    assertThat(limiter.trackedScopes()).isZero();
  }

  @Test
  void callsInFlightKeepTheirSlotsThroughAnUpdate() {
    RateLimiter limiter = new RateLimiter(keyDefault(concurrent(2).withRpm(100)), clock);
    Admitted one = admitted(limiter.admit(KEY_A, 0));
    Admitted two = admitted(limiter.admit(KEY_A, 0));

    limiter.update(keyDefault(concurrent(2).withRpm(50)));
    assertThat(limited(limiter.admit(KEY_A, 0)).limit()).isEqualTo(Limit.CONCURRENT_REQUESTS);

    one.permit().settle(0);
    Admitted three = admitted(limiter.admit(KEY_A, 0));
    two.permit().close();
    three.permit().close();
  }

  @Test
  void aConcurrencyCapAddedLaterCountsCallsAlreadyInFlight() {
    RateLimiter limiter = new RateLimiter(keyDefault(rpm(100)), clock);
    List<Admitted> inFlight = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      inFlight.add(admitted(limiter.admit(KEY_A, 0)));
    }

    limiter.update(keyDefault(rpm(100).withMaxConcurrent(2)));

    assertThat(limiter.admit(KEY_A, 0)).isInstanceOf(Admission.Limited.class);
    inFlight.get(0).permit().close();
    assertThat(limiter.admit(KEY_A, 0)).isInstanceOf(Admission.Limited.class);
    inFlight.get(1).permit().close();
    assertThat(limiter.admit(KEY_A, 0)).isInstanceOf(Admitted.class);
  }

  @Test
  void overridesByIdComeAndGo() {
    RateLimiter limiter = new RateLimiter(keyDefault(rpm(2)), clock);
    assertThat(drain(limiter, KEY_A, 0)).isEqualTo(2);

    limiter.update(new LimitsConfig(Map.of(ScopeKind.KEY, rpm(2)), Map.of("k-a", rpm(6)), Map.of(), Map.of(),
        LimitsConfig.DEFAULT_MAX_TRACKED_SCOPES));
    assertThat(drain(limiter, KEY_A, 0)).isEqualTo(4);
    assertThat(drain(limiter, KEY_B, 0)).isEqualTo(2);

    limiter.update(new LimitsConfig(Map.of(), Map.of("k-b", rpm(1)), Map.of(), Map.of(),
        LimitsConfig.DEFAULT_MAX_TRACKED_SCOPES));
    assertThat(limiter.trackedScopes()).isEqualTo(1);
    assertThat(limiter.admit(KEY_A, 0)).isInstanceOf(Admitted.class);
  }

  @Test
  void loosenAndTightenWhileCallsAreAdmittedBetween() {
    RateLimiter limiter = new RateLimiter(keyDefault(rpm(4)), clock);
    int admitted = 0;
    admitted += drain(limiter, KEY_A, 0); // 4
    limiter.update(keyDefault(rpm(8)));    // +4
    admitted += drain(limiter, KEY_A, 0);
    limiter.update(keyDefault(rpm(2)));    // 0 left, stays 0
    admitted += drain(limiter, KEY_A, 0);
    clock.advance(java.time.Duration.ofSeconds(30)); // 2 per minute: one back
    admitted += drain(limiter, KEY_A, 0);

    assertThat(admitted).isEqualTo(4 + 4 + 0 + 1);
  }
}
