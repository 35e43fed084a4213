package dev.tollgate.metering.budget;

import java.util.List;
import java.util.Optional;

/** Durable storage of budget definitions and settled spend per window. Every method blocks. */
public interface BudgetPersistence {

  List<Budget> loadBudgets();

  /** The stored spend of a budget's window, if any was stored. */
  Optional<SpendRow> loadSpend(String budgetId, long periodStartMillis);

  /** Creates or replaces a budget definition. */
  void saveBudget(Budget budget, long nowMillis);

  /** Deletes a budget and its stored spend. */
  void deleteBudget(String budgetId);

  /** Creates or overwrites the given rows, in one transaction. */
  void saveSpend(List<SpendRow> rows, long nowMillis);
}
