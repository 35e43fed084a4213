package dev.tollgate.metering.budget;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The budget stage of the request path: {@link #admit} before the upstream call, {@link #settle} (or
 * {@link #release}) after it. Never blocks, so it runs on the event loop. Thread-safe.
 */
public final class BudgetService {
  /** The id of the reservation handed out when no budget limits a call; settling it does nothing. */
  public static final String UNLIMITED = "unlimited";

  private final BudgetStore store;
  private final Duration reservationTtl;

  /** @param reservationTtl longer than the longest call, retries included, or live calls lose their hold */
  public BudgetService(BudgetStore store, Duration reservationTtl) {
    this.store = store;
    this.reservationTtl = reservationTtl;
  }

  /**
   * Reserves the call's worst case against every budget of the entities it is attributed to (key,
   * user, team, organisation): a {@link Reservation} to settle later, or the {@link Refused} budget.
   */
  public ReserveResult admit(Collection<BudgetScope> touched, long worstCaseMicros) {
    return reserve(budgetsOf(touched), worstCaseMicros);
  }

  /** The budgets that limit calls attributed to {@code scopes}, for {@link #reserve}; empty when none does. */
  public List<BudgetRef> budgetsOf(Collection<BudgetScope> scopes) {
    return store.budgetsFor(scopes);
  }

  /** {@link #admit} against budgets already looked up with {@link #budgetsOf}. */
  public ReserveResult reserve(List<BudgetRef> budgets, long worstCaseMicros) {
    if (budgets.isEmpty()) {
      return new Reservation(UNLIMITED, List.of(), worstCaseMicros, Instant.MAX);
    }
    return store.reserve(budgets, worstCaseMicros, reservationTtl);
  }

  /** Whether any budget of this kind of entity exists. */
  public boolean limitsKind(BudgetScope.Kind kind) {
    return store.hasBudgetsOf(kind);
  }

  /** Charges the call's actual cost in place of its reservation. */
  public SettleResult settle(Reservation reservation, long actualMicros) {
    if (reservation.unlimited()) {
      return new SettleResult.Settled(reservation.id(), actualMicros, 0, false);
    }
    return store.settle(reservation.id(), actualMicros);
  }

  /** Drops the reservation of a call that never reached an upstream. */
  public void release(Reservation reservation) {
    if (!reservation.unlimited()) {
      store.release(reservation.id());
    }
  }

  /** The current windows of every budget of {@code scopes}, for reporting. */
  public List<BudgetStatus> statusOf(Collection<BudgetScope> scopes) {
    return store.budgetsFor(scopes).stream().map(store::status).flatMap(Optional::stream).toList();
  }
}
