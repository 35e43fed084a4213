package dev.tollgate.metering.budget;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One reservation as the local store tracks it. Its phase moves once from ACTIVE to FINISHED (settled
 * or released) or to EXPIRED, and from EXPIRED to FINISHED (settled late, or forgotten); whoever wins
 * the compare-and-set does the accounting, so no hold is released or charged twice.
 */
final class Hold {
  enum Phase { ACTIVE, EXPIRED, FINISHED }

  final String id;
  final BudgetState[] budgets; // ascending id: the lock order
  final long amount;
  final Instant expiresAt;
  final AtomicReference<Phase> phase = new AtomicReference<>(Phase.ACTIVE);
  /** When the store's sweep must next look at this hold: its expiry, then the end of its late-settle grace. */
  volatile long dueMillis;

  Hold(String id, BudgetState[] budgets, long amount, Instant expiresAt) {
    this.id = id;
    this.budgets = budgets;
    this.amount = amount;
    this.expiresAt = expiresAt;
    this.dueMillis = expiresAt.toEpochMilli();
  }

  Reservation reservation() {
    BudgetRef[] refs = new BudgetRef[budgets.length];
    for (int i = 0; i < refs.length; i++) {
      refs[i] = new BudgetRef(budgets[i].id);
    }
    return new Reservation(id, List.of(refs), amount, expiresAt);
  }
}
