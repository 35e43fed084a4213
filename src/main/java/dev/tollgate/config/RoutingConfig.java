package dev.tollgate.config;

import java.time.Duration;

/**
 * Routing defaults for every model (each model may override strategy, attempts, timeout and hedging).
 *
 * @param maxAttempts upstream calls per request at most, across retries and fallbacks
 * @param backoffBase first retry waits up to this (full jitter), doubling per attempt
 * @param backoffMax cap on one retry wait (a longer Retry-After still wins for the same deployment)
 * @param requestTimeout budget for all attempts of one request; no retry starts past it
 * @param cooldown how long a deployment answering 429 without Retry-After is left alone
 */
public record RoutingConfig(RoutingStrategy strategy, int maxAttempts, Duration backoffBase, Duration backoffMax,
    Duration requestTimeout, Duration cooldown, BreakerConfig breaker) {

  public static final RoutingConfig DEFAULTS = new RoutingConfig(RoutingStrategy.WEIGHTED, 3,
      Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofMinutes(10), Duration.ofSeconds(30),
      BreakerConfig.DEFAULTS);
}
