package dev.tollgate.metering.budget;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Reserve-then-settle budget accounting. Implementations: {@link LocalBudgetStore} (one node, in
 * memory, persisted); a Redis one for many nodes.
 *
 * <p>The invariant every implementation keeps: a reservation is granted only if every touched budget
 * can hold it, so the settled spend of a window never exceeds its amount except by
 * {@linkplain BudgetStatus#overrunMicros() overrun}: cost a call incurs beyond the worst case it
 * reserved. The gateway avoids overrun by reserving a true worst case: prompt tokens counted locally
 * plus the request's {@code max_tokens} (or the model's output cap) at the model's prices, and a
 * reservation lifetime longer than the longest possible call. Overrun is charged, never dropped.
 *
 * <p>Every method other than {@link #close} is non-blocking (no I/O on the calling thread) and
 * thread-safe, so the data plane may call it from an event loop.
 */
public interface BudgetStore extends AutoCloseable {

  /** The budgets that limit calls attributed to any of {@code scopes}, sorted by id; unmodifiable. */
  List<BudgetRef> budgetsFor(Collection<BudgetScope> scopes);

  /** Whether any budget limits entities of {@code kind}. */
  boolean hasBudgetsOf(BudgetScope.Kind kind);

  /**
   * Holds {@code worstCaseMicros} against every budget in {@code touched}, all or nothing. Budgets
   * unknown to the store (removed meanwhile) limit nothing. The hold lapses after {@code ttl}.
   */
  ReserveResult reserve(List<BudgetRef> touched, long worstCaseMicros, Duration ttl);

  /**
   * Replaces the reservation's hold with its actual cost on every budget it touched. The actual may
   * exceed the hold; the excess is recorded as overrun. Settling twice charges once.
   */
  SettleResult settle(String reservationId, long actualMicros);

  /** Drops a reservation whose call never reached an upstream; false when it was not live. */
  boolean release(String reservationId);

  /** Lets the holds that outlived their ttl lapse (their callers presumably died); returns how many. */
  int expireOverdue();

  /** The current window of a budget, empty when there is no such budget. */
  Optional<BudgetStatus> status(BudgetRef budget);

  @Override
  void close();
}
