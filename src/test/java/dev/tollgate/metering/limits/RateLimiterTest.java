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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.metering.limits.Admission.Admitted;
import dev.tollgate.metering.limits.Admission.Limited;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Admission against rpm, tpm and concurrency of every scope of a caller, on a clock the test moves. */
class RateLimiterTest {
  private final ManualClock clock = new ManualClock();

  // ---------------------------------------------------------------- requests per minute

  @ParameterizedTest
  @ValueSource(longs = {1, 7, 60, 600, 1000})
  void admitsExactlyRpmCallsThenRefusesUntilTheNextRequestRefills(long rpm) {
    RateLimiter limiter = new RateLimiter(keyDefault(rpm(rpm)), clock);

    assertThat(drain(limiter, KEY_A, 0)).isEqualTo(rpm);

    Limited refused = limited(limiter.admit(KEY_A, 0));
    assertThat(refused.scope()).isEqualTo(Scope.key("k-a"));
    assertThat(refused.limit()).isEqualTo(Limit.REQUESTS_PER_MINUTE);
    assertThat(refused.allowed()).isEqualTo(rpm);
    // The time one request takes to refill, rounded up to whole milliseconds.
    long perRequestNanos = Duration.ofMinutes(1).toNanos() / rpm;
    assertThat(refused.retryAfter().toNanos()).isBetween(perRequestNanos, perRequestNanos + 1_000_000);
    assertThat(refused.retryAfter().toNanos() % 1_000_000).isZero();

    clock.advance(refused.retryAfter().minusMillis(1));
    assertThat(limiter.admit(KEY_A, 0)).isInstanceOf(Limited.class);
    clock.advance(Duration.ofMillis(1));
    admitted(limiter.admit(KEY_A, 0)).permit().close();
    assertThat(limiter.admit(KEY_A, 0)).isInstanceOf(Limited.class);
  }

  @Test
  void theLargestRatesTheConfigurationAcceptsWork() {
    // Bucket4j refuses more than a token per nanosecond at the first request, not at configuration.
    LimitSpec max = LimitSpec.NONE.withRpm(LimitSpec.MAX_RATE).withTpm(LimitSpec.MAX_RATE);
    RateLimiter limiter = new RateLimiter(LimitsConfig.ofDefaults(Map.of(ScopeKind.KEY, max)), clock);
    assertThat(limiter.admit(KEY_A, LimitSpec.MAX_RATE)).isInstanceOf(Admission.Admitted.class);
  }

  @Test
  void aFullMinuteRefillsTheWholeBucketAndNoMore() {
    RateLimiter limiter = new RateLimiter(keyDefault(rpm(60)), clock);
    drain(limiter, KEY_A, 0);

    clock.advance(Duration.ofMinutes(5));

    assertThat(drain(limiter, KEY_A, 0)).isEqualTo(60);
  }

  @Test
  void keysAreCountedSeparately() {
    RateLimiter limiter = new RateLimiter(keyDefault(rpm(3)), clock);

    assertThat(drain(limiter, KEY_A, 0)).isEqualTo(3);
    assertThat(drain(limiter, KEY_B, 0)).isEqualTo(3);
  }

  // ---------------------------------------------------------------- tokens per minute

  @Test
  void reservesTheEstimateAndSettlingBelowItRefundsTheDifference() {
    RateLimiter limiter = new RateLimiter(keyDefault(tpm(1000)), clock);
    Admitted first = admitted(limiter.admit(KEY_A, 800));
    assertThat(first.status().tokens().orElseThrow().remaining()).isEqualTo(200);
    assertThat(limiter.admit(KEY_A, 201)).isInstanceOf(Limited.class);

    first.permit().settle(300);

    Admitted second = admitted(limiter.admit(KEY_A, 700));
    assertThat(second.status().tokens().orElseThrow().remaining()).isZero();
    assertThat(limited(limiter.admit(KEY_A, 1)).limit()).isEqualTo(Limit.TOKENS_PER_MINUTE);
  }

  @Test
  void settlingAboveTheEstimateChargesTheRestButNeverBelowZero() {
    RateLimiter limiter = new RateLimiter(keyDefault(tpm(6000)), clock);
    admitted(limiter.admit(KEY_A, 100)).permit().settle(2100);
    Admitted probe = admitted(limiter.admit(KEY_A, 1));
    assertThat(probe.status().tokens().orElseThrow().remaining()).isEqualTo(6000 - 2100 - 1);
    probe.permit().settle(0);

    // Overrun by far more than is left: the bucket empties and stays at zero, no debt.
    admitted(limiter.admit(KEY_A, 100)).permit().settle(1_000_000);
    assertThat(limiter.admit(KEY_A, 1)).isInstanceOf(Limited.class);
    clock.advance(Duration.ofSeconds(1)); // 6000 per minute: 100 per second
    assertThat(admitted(limiter.admit(KEY_A, 100)).status().tokens().orElseThrow().remaining()).isZero();
  }

  @Test
  void anEstimateAboveTheWholeTpmIsCutToItAndAdmittedWhenTheBucketIsFull() {
    RateLimiter limiter = new RateLimiter(keyDefault(tpm(1000)), clock);
    Admitted huge = admitted(limiter.admit(KEY_A, 50_000));
    assertThat(limiter.admit(KEY_A, 1)).isInstanceOf(Limited.class);

    huge.permit().settle(400);

    assertThat(admitted(limiter.admit(KEY_A, 600)).status().tokens().orElseThrow().remaining()).isZero();
  }

  @Test
  void tokenRefusalWaitsUntilEnoughTokensRefill() {
    RateLimiter limiter = new RateLimiter(keyDefault(tpm(6000)), clock);
    admitted(limiter.admit(KEY_A, 5000)).permit().close();

    Limited refused = limited(limiter.admit(KEY_A, 1500)); // 1000 left, 500 missing at 100 per second
    assertThat(refused.retryAfter()).isEqualTo(Duration.ofSeconds(5));
    assertThat(refused.message()).isEqualTo(
        "Rate limit reached for key 'k-a': 6000 tokens per minute. Retry after 5s.");
  }

  @Test
  void closeKeepsTheReservationAndLaterSettlesDoNothing() {
    RateLimiter limiter = new RateLimiter(keyDefault(tpm(1000).withMaxConcurrent(1)), clock);
    Admitted call = admitted(limiter.admit(KEY_A, 600));

    call.permit().close();
    call.permit().settle(0);
    call.permit().close();

    assertThat(call.permit().isFinished()).isTrue();
    assertThat(limiter.admit(KEY_A, 401)).isInstanceOf(Limited.class);
    assertThat(limiter.admit(KEY_A, 400)).isInstanceOf(Admitted.class);
  }

  @Test
  void aCallNoLimitAppliesToHoldsNothingAndCostsNoCounters() {
    // Key k-b is limited, k-a (same team) is not: k-a's calls share the one empty permit.
    RateLimiter limiter = new RateLimiter(new LimitsConfig(Map.of(), Map.of("k-b", rpm(1)), Map.of(), Map.of(),
        LimitsConfig.DEFAULT_MAX_TRACKED_SCOPES), clock);

    Admitted first = admitted(limiter.admit(KEY_A, 500));
    Admitted second = admitted(limiter.admit(KEY_A, 500));
    first.permit().settle(10_000);
    first.permit().close();

    assertThat(first.permit()).isSameAs(second.permit()).isSameAs(Permit.UNLIMITED);
    assertThat(first.status()).isEqualTo(RateLimitStatus.UNLIMITED);
    assertThat(second.permit().isFinished()).isFalse();
    assertThat(limiter.trackedScopes()).isZero();
    assertThatThrownBy(() -> first.permit().settle(-1)).isInstanceOf(IllegalArgumentException.class);
    // A limited caller still gets a permit of its own.
    Admitted limited = admitted(limiter.admit(KEY_B, 0));
    assertThat(limited.permit()).isNotSameAs(Permit.UNLIMITED);
    limited.permit().settle(0);
    assertThat(limited.permit().isFinished()).isTrue();
  }

  @Test
  void rejectsNegativeTokenCounts() {
    RateLimiter limiter = new RateLimiter(keyDefault(tpm(1000)), clock);
    assertThatThrownBy(() -> limiter.admit(KEY_A, -1)).isInstanceOf(IllegalArgumentException.class);
    Admitted call = admitted(limiter.admit(KEY_A, 1));
    assertThatThrownBy(() -> call.permit().settle(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("actualTokens: -1");
    assertThat(call.permit().isFinished()).isFalse();
  }

  // ---------------------------------------------------------------- concurrency

  @Test
  void capsCallsInFlightAndFreesASlotOnRelease() {
    RateLimiter limiter = new RateLimiter(keyDefault(concurrent(2)), clock);
    Admitted one = admitted(limiter.admit(KEY_A, 0));
    Admitted two = admitted(limiter.admit(KEY_A, 0));

    Limited third = limited(limiter.admit(KEY_A, 0));
    assertThat(third.limit()).isEqualTo(Limit.CONCURRENT_REQUESTS);
    assertThat(third.allowed()).isEqualTo(2);
    assertThat(third.retryAfter()).isEqualTo(Duration.ofSeconds(1));
    assertThat(third.message()).isEqualTo("Rate limit reached for key 'k-a': 2 concurrent requests. Retry after 1s.");

    one.permit().settle(10);
    Admitted again = admitted(limiter.admit(KEY_A, 0));
    two.permit().close();
    again.permit().close();
    assertThat(drainInFlight(limiter, KEY_A)).isEqualTo(2);
  }

  /** Admits without releasing until refused; returns how many were admitted. */
  private static int drainInFlight(RateLimiter limiter, CallerScopes caller) {
    int admitted = 0;
    while (limiter.admit(caller, 0) instanceof Admitted) {
      admitted++;
    }
    return admitted;
  }

  // ---------------------------------------------------------------- several scopes

  @Test
  void aRefusalByTheTeamTakesNothingFromTheKey() {
    LimitsConfig config = new LimitsConfig(
        Map.of(ScopeKind.KEY, rpm(3).withTpm(3000).withMaxConcurrent(3), ScopeKind.TEAM, rpm(2)),
        Map.of(), Map.of(), Map.of(), LimitsConfig.DEFAULT_MAX_TRACKED_SCOPES);
    RateLimiter limiter = new RateLimiter(config, clock);
    Admitted one = admitted(limiter.admit(KEY_A, 1000));
    Admitted two = admitted(limiter.admit(KEY_A, 1000));

    for (int i = 0; i < 5; i++) {
      Limited refused = limited(limiter.admit(KEY_A, 1000));
      assertThat(refused.scope()).isEqualTo(Scope.team("t-1"));
      assertThat(refused.limit()).isEqualTo(Limit.REQUESTS_PER_MINUTE);
    }

    // Lift the team's limit: the key still has exactly one request, 1000 tokens and one slot.
    limiter.update(LimitsConfig.ofDefaults(Map.of(ScopeKind.KEY, rpm(3).withTpm(3000).withMaxConcurrent(3))));
    Admitted last = admitted(limiter.admit(KEY_A, 1000));
    assertThat(last.status().requests().orElseThrow().remaining()).isZero();
    assertThat(last.status().tokens().orElseThrow().remaining()).isZero();
    assertThat(limiter.admit(KEY_A, 0)).isInstanceOf(Limited.class);
    one.permit().close();
    two.permit().close();
    last.permit().close();
  }

  @Test
  void aRefusalByALaterScopeNamesIt() {
    LimitsConfig config = LimitsConfig.ofDefaults(Map.of(ScopeKind.KEY, rpm(60), ScopeKind.TEAM, rpm(2)));
    RateLimiter limiter = new RateLimiter(config, clock);
    assertThat(drain(limiter, KEY_A, 0)).isEqualTo(2);
    assertThat(drain(limiter, KEY_B, 0)).isZero();

    Limited byTeam = limited(limiter.admit(KEY_A, 0));
    assertThat(byTeam.scope()).isEqualTo(Scope.team("t-1"));
    assertThat(byTeam.retryAfter()).isEqualTo(Duration.ofSeconds(30));
    assertThat(byTeam.message()).isEqualTo("Rate limit reached for team 't-1': 2 requests per minute. Retry after 30s.");
  }

  @Test
  void whenSeveralLimitsRefuseTheOneThatFreesUpLastIsNamed() {
    RateLimiter limiter = new RateLimiter(keyDefault(rpm(60)), clock);
    assertThat(drain(limiter, KEY_A, 0)).isEqualTo(60);
    limiter.update(LimitsConfig.ofDefaults(Map.of(ScopeKind.KEY, rpm(60), ScopeKind.TEAM, rpm(2))));
    assertThat(drain(limiter, KEY_B, 0)).isEqualTo(2);

    // The key refuses first (free again in 1 s), but the team only in 30 s.
    Limited both = limited(limiter.admit(KEY_A, 0));
    assertThat(both.scope()).isEqualTo(Scope.team("t-1"));
    assertThat(both.retryAfter()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void usersAreAScopeOfTheirOwnAcrossTheirKeys() {
    LimitsConfig config = LimitsConfig.ofDefaults(Map.of(ScopeKind.USER, rpm(3)));
    RateLimiter limiter = new RateLimiter(config, clock);
    CallerScopes laptop = new CallerScopes("k-laptop", Optional.of("u-ann"), "t-1");
    CallerScopes ci = new CallerScopes("k-ci", Optional.of("u-ann"), "t-1");
    CallerScopes service = new CallerScopes("k-svc", Optional.empty(), "t-1");

    assertThat(drain(limiter, laptop, 0)).isEqualTo(3);
    assertThat(limited(limiter.admit(ci, 0)).scope()).isEqualTo(Scope.user("u-ann"));
    assertThat(limiter.admit(service, 0)).isInstanceOf(Admitted.class);
  }

  @Test
  void anOverrideByIdReplacesOnlyTheFieldsItSets() {
    LimitsConfig config = new LimitsConfig(Map.of(ScopeKind.KEY, rpm(2).withTpm(1000)),
        Map.of("k-a", rpm(5)), Map.of(), Map.of(), LimitsConfig.DEFAULT_MAX_TRACKED_SCOPES);
    RateLimiter limiter = new RateLimiter(config, clock);

    assertThat(drain(limiter, KEY_A, 0)).isEqualTo(5);
    assertThat(drain(limiter, KEY_B, 0)).isEqualTo(2);
    clock.advance(Duration.ofMinutes(1));
    admitted(limiter.admit(KEY_A, 600)).permit().close();
    assertThat(limited(limiter.admit(KEY_A, 401)).limit()).isEqualTo(Limit.TOKENS_PER_MINUTE);
  }

  @Test
  void scopesWithoutLimitsAreNeitherCountedNorTracked() {
    RateLimiter limiter = new RateLimiter(LimitsConfig.NONE, clock);
    for (int i = 0; i < 100; i++) {
      Admitted a = admitted(limiter.admit(new CallerScopes("k-" + i, Optional.of("u"), "t"), 1_000_000));
      assertThat(a.status()).isEqualTo(RateLimitStatus.UNLIMITED);
      a.permit().settle(5);
    }
    assertThat(limiter.trackedScopes()).isZero();
  }
}
