package dev.tollgate.routing;

import java.time.Duration;

/** What a request does next: call a deployment (after a wait), or stop with the reason. */
public sealed interface RouteStep {

  /** Make {@code attempt} after {@code delay} (zero for the first call and for fallbacks). */
  record Go(Attempt attempt, Duration delay) implements RouteStep {}

  /**
   * No further attempt: {@code summary} names every attempt made and how it failed, or why none
   * could be made (e.g. every deployment's breaker is open).
   *
   * @param noneAvailable true when no attempt was made because no deployment could take one
   * @param rateLimited when none was available: true if they are all cooling down after 429s
   *     (the caller should see 429), false if their breakers are open (503)
   * @param retryAfterMillis when none was available: until the first one should be back, else -1
   */
  record Stop(String summary, boolean noneAvailable, boolean rateLimited, long retryAfterMillis)
      implements RouteStep {

    public Stop(String summary, boolean noneAvailable) {
      this(summary, noneAvailable, false, -1);
    }
  }
}
