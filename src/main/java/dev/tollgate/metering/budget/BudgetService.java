package dev.tollgate.metering.budget;

import dev.tollgate.metering.Price;
import dev.tollgate.metering.TokenUsage;
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
   * The worst case of a call: every prompt token at the full (uncached) input price plus every output
   * token it may produce ({@code max_tokens}, else the model's output cap; reasoning tokens are
   * output). Prompt tokens counted locally can undercount another vendor's tokenizer; callers add
   * their margin to {@code promptTokens}, since whatever the worst case misses becomes overrun.
   */
  public static long worstCaseMicros(Price price, long promptTokens, long maxOutputTokens) {
    return price.costMicros(new TokenUsage(promptTokens, maxOutputTokens, 0, 0, false));
  }

  /**
   * Reserves the call's worst case against every budget of the entities it is attributed to (key,
   * user, team, organisation): a {@link Reservation} to settle later, or the {@link Refused} budget.
   */
  public ReserveResult admit(Collection<BudgetScope> touched, long worstCaseMicros) {
    List<BudgetRef> budgets = store.budgetsFor(touched);
    if (budgets.isEmpty()) {
      return new Reservation(UNLIMITED, List.of(), worstCaseMicros, Instant.MAX);
    }
    return store.reserve(budgets, worstCaseMicros, reservationTtl);
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
