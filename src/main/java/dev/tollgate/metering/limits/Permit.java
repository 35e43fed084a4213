package dev.tollgate.metering.limits;

import dev.tollgate.metering.limits.ScopeState.Taken;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * What an admitted call holds from its scopes: one request each, its reserved tokens and a
 * concurrency slot. {@link #settle} corrects the tokens to what the call really used and frees the
 * slots; {@link #close} frees them keeping the reservation as the charge. The first of the two wins
 * and later calls do nothing, so a {@code finally { permit.close(); }} after a settle is safe.
 *
 * <p>Care must be taken to settle or close every permit on every path (success, failure, client
 * gone): an abandoned permit keeps its concurrency slots taken for as long as its scope is tracked.
 *
 * <p>Thread-safe; non-blocking. A permit stays valid across {@link RateLimiter#update}: it settles
 * against the buckets it took from, even if they were reconfigured or dropped since.
 */
public final class Permit implements AutoCloseable {
  /**
   * The permit of every call no limit applies to: it holds nothing, so settling or closing it has nothing to do
   * and it is never finished. One shared instance: such a call costs the limiter no allocation and no atomic.
   */
  static final Permit UNLIMITED = new Permit(List.of(), scope -> {});

  private final Taken[] taken;
  private final Consumer<Scope> onRelease;
  private final AtomicBoolean finished = new AtomicBoolean();

  Permit(List<Taken> taken, Consumer<Scope> onRelease) {
    this.taken = taken.toArray(new Taken[0]);
    this.onRelease = onRelease;
  }

  /** Whether the permit holds nothing (no limit applies to its call): settling or closing it does nothing. */
  public boolean holdsNothing() {
    return this == UNLIMITED;
  }

  /** Whether the permit was settled or closed (never, for a call no limit applies to: it holds nothing). */
  public boolean isFinished() {
    return finished.get();
  }

  /**
   * Ends the call having used {@code actualTokens} (input + output): each tpm bucket is charged the
   * difference to what it reserved, or refunded it. Charging more than the reservation takes at most
   * what the bucket holds: a bucket never goes below zero, so one call that overran its estimate
   * cannot lock its caller out for minutes (the estimate is already a worst case; budgets, not rate
   * limits, bound what the overrun costs). Refunds never fill a bucket beyond its capacity.
   */
  public void settle(long actualTokens) {
    if (actualTokens < 0) {
      throw new IllegalArgumentException("actualTokens: " + actualTokens + " (expected: >= 0)");
    }
    if (this == UNLIMITED || !finished.compareAndSet(false, true)) {
      return;
    }
    for (Taken t : taken) {
      if (t.tokens() == null) {
        continue;
      }
      long difference = actualTokens - t.reservedTokens();
      if (difference > 0) {
        t.tokens().bucket().tryConsumeAsMuchAsPossible(difference);
      } else if (difference < 0) {
        t.tokens().bucket().addTokens(-difference);
      }
    }
    releaseSlots();
  }

  /** Ends the call keeping each reservation as its charge (the usage is unknown); does nothing once finished. */
  @Override
  public void close() {
    if (this != UNLIMITED && finished.compareAndSet(false, true)) {
      releaseSlots();
    }
  }

  private void releaseSlots() {
    for (Taken t : taken) {
      if (t.state().release()) {
        onRelease.accept(t.state().scope());
      }
    }
  }
}
