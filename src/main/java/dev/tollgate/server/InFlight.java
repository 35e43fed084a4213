package dev.tollgate.server;

import java.util.concurrent.atomic.AtomicInteger;

/** Counts proxied requests in progress, so shutdown can wait for them. Thread-safe. */
public final class InFlight {
  private final AtomicInteger count = new AtomicInteger();

  public void begin() {
    count.incrementAndGet();
  }

  public void end() {
    count.decrementAndGet();
  }

  public int count() {
    return count.get();
  }
}
