package dev.tollgate.store;

import dev.tollgate.metering.budget.Budget;
import dev.tollgate.metering.budget.BudgetPeriod;
import dev.tollgate.metering.budget.BudgetPersistence;
import dev.tollgate.metering.budget.BudgetScope;
import dev.tollgate.metering.budget.SpendRow;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/** Budget definitions and settled spend per window over SQL (SQLite and PostgreSQL). */
public final class JdbiBudgetPersistence implements BudgetPersistence {
  private static final String UPSERT_BUDGET = "INSERT INTO budgets (id, scope_kind, scope_id, amount_micros, period, "
      + "thresholds, created_at, updated_at) VALUES (:id, :kind, :scopeId, :amount, :period, :thresholds, :now, :now) "
      + "ON CONFLICT (id) DO UPDATE SET scope_kind = excluded.scope_kind, scope_id = excluded.scope_id, "
      + "amount_micros = excluded.amount_micros, period = excluded.period, thresholds = excluded.thresholds, "
      + "updated_at = excluded.updated_at";
  private static final String UPSERT_SPEND = "INSERT INTO budget_spend (budget_id, period_start, spent_micros, "
      + "overrun_micros, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (budget_id, period_start) DO UPDATE SET "
      + "spent_micros = excluded.spent_micros, overrun_micros = excluded.overrun_micros, "
      + "updated_at = excluded.updated_at";

  private final Jdbi jdbi;

  public JdbiBudgetPersistence(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  @Override
  public List<Budget> loadBudgets() {
    return jdbi.withHandle(h -> h.createQuery("SELECT id, scope_kind, scope_id, amount_micros, period, thresholds "
            + "FROM budgets ORDER BY id")
        .map((rs, ctx) -> budget(rs.getString("id"), rs.getString("scope_kind"), rs.getString("scope_id"),
            rs.getLong("amount_micros"), rs.getString("period"), rs.getString("thresholds")))
        .list());
  }

  private static Budget budget(String id, String kind, String scopeId, long amount, String period,
      String thresholds) {
    BudgetScope.Kind scopeKind = BudgetScope.Kind.parse(kind)
        .orElseThrow(() -> new IllegalStateException("budget " + id + ": unknown scope kind '" + kind + "'"));
    BudgetPeriod budgetPeriod = BudgetPeriod.parse(period)
        .orElseThrow(() -> new IllegalStateException("budget " + id + ": unknown period '" + period + "'"));
    return new Budget(id, new BudgetScope(scopeKind, scopeId), amount, budgetPeriod, thresholds(thresholds));
  }

  private static List<Integer> thresholds(String text) {
    return text.isBlank() ? List.of() : Arrays.stream(text.split(",")).map(String::trim).map(Integer::valueOf).toList();
  }

  @Override
  public Optional<SpendRow> loadSpend(String budgetId, long periodStartMillis) {
    return jdbi.withHandle(h -> {
      Optional<SpendRow> stored = h.createQuery("SELECT spent_micros, overrun_micros FROM budget_spend "
              + "WHERE budget_id = :id AND period_start = :start")
          .bind("id", budgetId)
          .bind("start", periodStartMillis)
          .map((rs, ctx) -> new SpendRow(budgetId, periodStartMillis, rs.getLong("spent_micros"),
              rs.getLong("overrun_micros")))
          .findOne();
      long ledger = ledgerSpend(h, budgetId, periodStartMillis);
      if (stored.isPresent() && stored.get().spentMicros() >= ledger) {
        return stored;
      }
      // The ledger holds more (counters lost in a crash, or spend from before the budget existed):
      // the ledger is the system of record.
      return ledger == 0 ? stored : Optional.of(new SpendRow(budgetId, periodStartMillis, ledger,
          stored.map(SpendRow::overrunMicros).orElse(0L)));
    });
  }

  /**
   * What the usage ledger says the budget's entity spent since {@code periodStartMillis}, from the daily
   * aggregates: windows start at UTC midnight, so whole days add up exactly.
   */
  private static long ledgerSpend(Handle h, String budgetId, long periodStartMillis) {
    Optional<Map.Entry<String, String>> scope = h.createQuery("SELECT scope_kind, scope_id FROM budgets WHERE id = :id")
        .bind("id", budgetId)
        .map((rs, ctx) -> Map.entry(rs.getString("scope_kind"), rs.getString("scope_id")))
        .findOne();
    if (scope.isEmpty()) {
      return 0;
    }
    String where = switch (scope.get().getKey()) {
      case "key" -> "key_id = :scope";
      case "user" -> "user_id = :scope";
      case "team" -> "team_id = :scope";
      case "organization" -> "team_id IN (SELECT t.id FROM teams t WHERE t.org_id = :scope)";
      default -> null;
    };
    if (where == null) {
      return 0;
    }
    String day = java.time.Instant.ofEpochMilli(periodStartMillis).atZone(java.time.ZoneOffset.UTC).toLocalDate()
        .toString();
    return h.createQuery("SELECT COALESCE(SUM(cost_micros), 0) FROM usage_daily WHERE " + where + " AND day >= :day")
        .bind("scope", scope.get().getValue())
        .bind("day", day)
        .mapTo(Long.class)
        .one();
  }

  @Override
  public void saveBudget(Budget budget, long nowMillis) {
    jdbi.useHandle(h -> h.createUpdate(UPSERT_BUDGET)
        .bind("id", budget.id())
        .bind("kind", budget.scope().kind().wireName())
        .bind("scopeId", budget.scope().id())
        .bind("amount", budget.amountMicros())
        .bind("period", budget.period().wireName())
        .bind("thresholds", budget.thresholdsPercent().stream().map(String::valueOf).collect(Collectors.joining(",")))
        .bind("now", nowMillis)
        .execute());
  }

  @Override
  public void deleteBudget(String budgetId) {
    jdbi.useTransaction(h -> {
      h.createUpdate("DELETE FROM budget_spend WHERE budget_id = :id").bind("id", budgetId).execute();
      h.createUpdate("DELETE FROM budgets WHERE id = :id").bind("id", budgetId).execute();
    });
  }

  @Override
  public void saveSpend(List<SpendRow> rows, long nowMillis) {
    if (rows.isEmpty()) {
      return;
    }
    jdbi.useTransaction(h -> {
      PreparedBatch batch = h.prepareBatch(UPSERT_SPEND);
      for (SpendRow r : rows) {
        batch.bind(0, r.budgetId())
            .bind(1, r.periodStartMillis())
            .bind(2, r.spentMicros())
            .bind(3, r.overrunMicros())
            .bind(4, nowMillis)
            .add();
      }
      batch.execute();
    });
  }
}
