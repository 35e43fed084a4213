package dev.tollgate.metering.budget;

import java.time.Instant;
import java.util.List;

/**
 * A worst-case cost held against budgets until the call is settled, released, or the hold expires.
 *
 * @param id what {@link BudgetStore#settle} and {@link BudgetStore#release} take
 * @param budgets the budgets holding it (those of the touched ones that exist), sorted by id
 * @param expiresAt after this the hold lapses as if its caller crashed; a later settlement is still charged
 */
public record Reservation(String id, List<BudgetRef> budgets, long amountMicros, Instant expiresAt)
    implements ReserveResult {

  public Reservation {
    budgets = List.copyOf(budgets);
  }

  /** True when no budget limits the call, so there is nothing to settle. */
  public boolean unlimited() {
    return budgets.isEmpty();
  }
}
