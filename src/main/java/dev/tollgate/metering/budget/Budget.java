package dev.tollgate.metering.budget;

import java.util.List;
import java.util.Objects;

/**
 * A hard cap on what one entity may spend per period, with the percentages of it at which alerts fire.
 *
 * @param id stable identifier; spend is stored under it
 * @param amountMicros the cap in micro-dollars, 0 to {@link #MAX_AMOUNT_MICROS}
 * @param thresholdsPercent ascending, distinct, 1 to 100; each fires one event per window when settled
 *     spend reaches it
 */
public record Budget(String id, BudgetScope scope, long amountMicros, BudgetPeriod period,
    List<Integer> thresholdsPercent) {

  /** Alerts at half, four fifths and all of the budget. */
  public static final List<Integer> DEFAULT_THRESHOLDS = List.of(50, 80, 100);
  /** USD 1 billion: keeps {@code amount * percent} far from overflowing a long. */
  public static final long MAX_AMOUNT_MICROS = 1_000_000_000L * 1_000_000L;
  /** Thresholds are tracked as bits of a long. */
  public static final int MAX_THRESHOLDS = 16;

  public Budget {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("budget id: '" + id + "' (expected: non-blank)");
    }
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(period, "period");
    if (amountMicros < 0 || amountMicros > MAX_AMOUNT_MICROS) {
      throw new IllegalArgumentException("budget " + id + " amount: " + amountMicros + " micros (expected: 0 to "
          + MAX_AMOUNT_MICROS + ")");
    }
    thresholdsPercent = List.copyOf(thresholdsPercent);
    String problem = thresholdProblem(thresholdsPercent);
    if (problem != null) {
      throw new IllegalArgumentException("budget " + id + " thresholds: " + thresholdsPercent + " (" + problem + ")");
    }
  }

  /** A budget alerting at the default thresholds. */
  public Budget(String id, BudgetScope scope, long amountMicros, BudgetPeriod period) {
    this(id, scope, amountMicros, period, DEFAULT_THRESHOLDS);
  }

  public BudgetRef ref() {
    return new BudgetRef(id);
  }

  /** Why {@code thresholds} is not a valid list, or null when it is. */
  static String thresholdProblem(List<Integer> thresholds) {
    if (thresholds.size() > MAX_THRESHOLDS) {
      return "expected: at most " + MAX_THRESHOLDS;
    }
    int previous = 0;
    for (Integer t : thresholds) {
      if (t == null || t < 1 || t > 100) {
        return "expected: percentages from 1 to 100";
      }
      if (t <= previous) {
        return "expected: ascending, each once";
      }
      previous = t;
    }
    return null;
  }

  /** True when {@code spentMicros} has reached {@code percent} of the amount (never for zero spend). */
  boolean reached(long spentMicros, int percent) {
    // Exact integer comparison; MAX_AMOUNT_MICROS * 100 and realistic spend * 100 fit in a long.
    return spentMicros > 0 && Math.multiplyExact(spentMicros, 100L) >= amountMicros * percent;
  }
}
