package dev.tollgate.config;

import java.time.Duration;

/**
 * When a deployment's circuit breaker opens and how it recovers.
 *
 * @param failureRatePercent share of failed calls in the window that opens the breaker
 * @param slowCallRatePercent share of slow calls that opens it (100 disables the rule in practice)
 * @param slowCall a call whose first byte takes longer than this is slow
 * @param window calls in the sliding window
 * @param minimumCalls calls needed before the rates are judged
 * @param openFor how long an open breaker refuses calls before letting probes through
 * @param halfOpenCalls probes let through while half-open; all must succeed to close
 */
public record BreakerConfig(int failureRatePercent, int slowCallRatePercent, Duration slowCall, int window,
    int minimumCalls, Duration openFor, int halfOpenCalls) {

  public static final BreakerConfig DEFAULTS =
      new BreakerConfig(50, 100, Duration.ofSeconds(30), 10, 10, Duration.ofSeconds(30), 2);
}
