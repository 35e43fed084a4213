package dev.tollgate.metering.budget;

import dev.tollgate.config.ConfigException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Budget settings, YAML {@code budgets}. The constructor validates every field and throws a
 * {@link ConfigException} listing each problem with its YAML path.
 *
 * @param reservationTtl {@code budgets.reservation_ttl}: how long a call's hold lasts; must exceed the
 *     longest call, retries included, since a live call whose hold lapsed no longer counts against its
 *     budget (its cost is still charged when it settles)
 * @param flushInterval {@code budgets.flush_interval}: how often settled spend is written; a hard
 *     crash loses at most this much of the budget counters (the usage ledger keeps the events)
 * @param limits {@code budgets.limits}: the budgets declared in configuration
 */
public record BudgetSettings(Duration reservationTtl, Duration flushInterval, List<Limit> limits) {

  /** Holds last 15 minutes, spend is written every second, no budgets. */
  public static final BudgetSettings DEFAULTS = new BudgetSettings(Duration.ofMinutes(15), Duration.ofSeconds(1),
      List.of());

  /**
   * One {@code budgets.limits[i]} entry as written in YAML.
   *
   * @param scope organization, team, user or key
   * @param amountUsd a decimal amount of US dollars, at most 6 decimals
   * @param period daily, weekly, monthly or lifetime
   * @param thresholds alert percentages; null means 50, 80, 100
   */
  public record Limit(String id, String scope, String scopeId, String amountUsd, String period,
      List<Integer> thresholds) {}

  public BudgetSettings {
    limits = List.copyOf(limits);
    List<String> problems = new ArrayList<>();
    if (reservationTtl == null || !reservationTtl.isPositive()) {
      problems.add("budgets.reservation_ttl: " + reservationTtl + " (expected: > 0)");
    }
    if (flushInterval == null || !flushInterval.isPositive() || flushInterval.compareTo(Duration.ofMinutes(1)) > 0) {
      problems.add("budgets.flush_interval: " + flushInterval + " (expected: > 0 and <= 1m)");
    }
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < limits.size(); i++) {
      String path = "budgets.limits[" + i + "]";
      Limit l = limits.get(i);
      if (l.id() == null || l.id().isBlank()) {
        problems.add(path + ".id: missing");
      } else if (!ids.add(l.id())) {
        problems.add(path + ".id: '" + l.id() + "' (expected: unique, already used)");
      }
      if (BudgetScope.Kind.parse(l.scope()).isEmpty()) {
        problems.add(path + ".scope: '" + l.scope() + "' (expected: organization, team, user or key)");
      }
      if (l.scopeId() == null || l.scopeId().isBlank()) {
        problems.add(path + ".scope_id: missing");
      }
      if (micros(l.amountUsd()) < 0) {
        problems.add(path + ".amount_usd: '" + l.amountUsd() + "' (expected: a decimal from 0 to "
            + Budget.MAX_AMOUNT_MICROS / 1_000_000 + ", at most 6 decimals)");
      }
      if (BudgetPeriod.parse(l.period()).isEmpty()) {
        problems.add(path + ".period: '" + l.period() + "' (expected: daily, weekly, monthly or lifetime)");
      }
      if (l.thresholds() != null) {
        String problem = Budget.thresholdProblem(l.thresholds());
        if (problem != null) {
          problems.add(path + ".thresholds: " + l.thresholds() + " (" + problem + ")");
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
  }

  /** The declared budgets. */
  public List<Budget> budgets() {
    return limits.stream().map(l -> new Budget(l.id(),
        new BudgetScope(BudgetScope.Kind.parse(l.scope()).orElseThrow(), l.scopeId()), micros(l.amountUsd()),
        BudgetPeriod.parse(l.period()).orElseThrow(),
        l.thresholds() == null ? Budget.DEFAULT_THRESHOLDS : l.thresholds())).toList();
  }

  /** Micro-dollars of a USD amount, or -1 when it is not a valid amount. */
  private static long micros(String usd) {
    if (usd == null) {
      return -1;
    }
    try {
      BigDecimal micros = new BigDecimal(usd.trim()).movePointRight(6);
      if (micros.signum() < 0 || micros.stripTrailingZeros().scale() > 0
          || micros.compareTo(BigDecimal.valueOf(Budget.MAX_AMOUNT_MICROS)) > 0) {
        return -1;
      }
      return micros.longValueExact();
    } catch (NumberFormatException | ArithmeticException e) {
      return -1;
    }
  }
}
