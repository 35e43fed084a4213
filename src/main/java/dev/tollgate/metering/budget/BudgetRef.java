package dev.tollgate.metering.budget;

/** Names one budget by its id, as the store's operations take it. */
public record BudgetRef(String budgetId) {
  public BudgetRef {
    if (budgetId == null || budgetId.isBlank()) {
      throw new IllegalArgumentException("budget id: '" + budgetId + "' (expected: non-blank)");
    }
  }
}
