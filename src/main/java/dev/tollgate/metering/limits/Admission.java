package dev.tollgate.metering.limits;

import java.time.Duration;
import java.util.Objects;

/** What {@link RateLimiter#admit} decided for one call. */
public sealed interface Admission {

  /** Where the caller stands, for the response headers. */
  RateLimitStatus status();

  /**
   * The call may proceed. Its {@link Permit} must be settled or closed when the call ends, on every
   * path, or the caller's concurrency slots leak.
   */
  record Admitted(Permit permit, RateLimitStatus status) implements Admission {
    public Admitted {
      Objects.requireNonNull(permit, "permit");
      Objects.requireNonNull(status, "status");
    }
  }

  /**
   * The call is refused (HTTP 429) because {@code scope} has used up its {@code limit} of
   * {@code allowed}; nothing was taken from any scope. When several limits refused it, this is the
   * one that frees up last, so that retrying after {@code retryAfter} has a chance.
   */
  record Limited(Scope scope, Limit limit, long allowed, Duration retryAfter, RateLimitStatus status)
      implements Admission {
    public Limited {
      Objects.requireNonNull(scope, "scope");
      Objects.requireNonNull(limit, "limit");
      Objects.requireNonNull(retryAfter, "retryAfter");
      Objects.requireNonNull(status, "status");
    }

    /** For the error body: names the scope and the limit, e.g. {@code Rate limit reached for key 'k1': 60 requests per minute. Retry after 1s.} */
    public String message() {
      return "Rate limit reached for " + scope + ": " + limit.describe(allowed) + ". Retry after "
          + RateLimitHeaders.duration(retryAfter) + ".";
    }
  }
}
