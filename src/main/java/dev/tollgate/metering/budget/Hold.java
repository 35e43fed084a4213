package dev.tollgate.metering.budget;

import java.time.Instant;
import java.util.Arrays;
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
  volatile Due due;

  Hold(String id, BudgetState[] budgets, long amount, Instant expiresAt) {
    this.id = id;
    this.budgets = budgets;
    this.amount = amount;
    this.expiresAt = expiresAt;
  }

  Reservation reservation() {
    List<BudgetRef> refs = Arrays.stream(budgets).map(s -> new BudgetRef(s.id)).toList();
    return new Reservation(id, refs, amount, expiresAt);
  }

  /** An entry of the store's deadline index: when {@code hold} must next be looked at. */
  record Due(long atMillis, long seq, Hold hold) implements Comparable<Due> {
    static final Due FIRST = new Due(Long.MIN_VALUE, Long.MIN_VALUE, null);

    @Override
    public int compareTo(Due o) {
      int c = Long.compare(atMillis, o.atMillis);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }
}
