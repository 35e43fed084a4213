package dev.tollgate.metering.budget;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A call that a budget cannot afford: the gateway answers 429 with type {@code budget_exceeded}.
 *
 * @param budget the first budget (by id) that could not hold the worst case
 * @param neededMicros the worst case that was asked for
 * @param remainingMicros what the budget could still hold
 * @param resetsAt when its window ends; empty for a lifetime budget (it never resets)
 */
public record Refused(Budget budget, long neededMicros, long remainingMicros, Optional<Instant> resetsAt)
    implements ReserveResult {

  /** Seconds until the window resets, rounded up, for {@code Retry-After}; empty when it never does. */
  public Optional<Duration> retryAfter(Instant now) {
    return resetsAt.map(r -> {
      long millis = Math.max(0, Duration.between(now, r).toMillis());
      return Duration.ofSeconds((millis + 999) / 1000);
    });
  }

  /** The error message for the caller: which budget, what the call needed, when it resets. */
  public String message() {
    return "budget '" + budget.id() + "' (" + budget.period().wireName() + ", " + budget.scope() + ") cannot cover "
        + "this request: it needs up to " + usd(neededMicros) + ", " + usd(remainingMicros) + " of "
        + usd(budget.amountMicros()) + " remain; "
        + resetsAt.map(r -> "it resets at " + r).orElse("it never resets");
  }

  private static String usd(long micros) {
    return "$" + java.math.BigDecimal.valueOf(micros, 6).stripTrailingZeros().toPlainString();
  }
}
