package dev.tollgate.metering.limits;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a caller stands against its tightest request and token limits, as of its admission; what the
 * {@code x-ratelimit-*} response headers report. Each window is empty when no scope of the call has
 * that kind of limit.
 */
public record RateLimitStatus(Optional<Window> requests, Optional<Window> tokens) {
  public static final RateLimitStatus UNLIMITED = new RateLimitStatus(Optional.empty(), Optional.empty());

  public RateLimitStatus {
    Objects.requireNonNull(requests, "requests");
    Objects.requireNonNull(tokens, "tokens");
  }

  /**
   * One per-minute limit of one scope.
   *
   * @param scope whose limit it is
   * @param limit the limit per minute
   * @param remaining what can still be taken now
   * @param reset until the bucket is full again if nothing more is taken
   */
  public record Window(Scope scope, long limit, long remaining, Duration reset) {
    /** Whether this window runs out before {@code other}: less remaining, or as much and a longer reset. */
    boolean tighterThan(Window other) {
      return remaining < other.remaining || (remaining == other.remaining && reset.compareTo(other.reset) > 0);
    }
  }
}
