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
  private final Taken[] taken;
  private final long estimatedTokens;
  private final Consumer<Scope> onRelease;
  private final AtomicBoolean finished = new AtomicBoolean();

  Permit(List<Taken> taken, long estimatedTokens, Consumer<Scope> onRelease) {
    this.taken = taken.toArray(new Taken[0]);
    this.estimatedTokens = estimatedTokens;
    this.onRelease = onRelease;
  }

  /** The token estimate the call was admitted with. */
  public long estimatedTokens() {
    return estimatedTokens;
  }

  /** Whether the permit was settled or closed. */
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
    if (!finished.compareAndSet(false, true)) {
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
    if (finished.compareAndSet(false, true)) {
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
