package dev.tollgate.store;

import java.time.Clock;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Time-ordered UUIDv7 ids (RFC 9562): 48 bits of epoch milliseconds, then random bits, so ids sort by
 * creation time and index well. Thread-safe: each call asks the supplier for its generator
 * ({@code ThreadLocalRandom::current} in production, a seeded one in tests).
 */
public final class IdGenerator {
  private final Clock clock;
  private final Supplier<? extends RandomGenerator> random;

  public IdGenerator(Clock clock, Supplier<? extends RandomGenerator> random) {
    this.clock = clock;
    this.random = random;
  }

  public String next() {
    long millis = clock.millis();
    RandomGenerator random = this.random.get();
    long high = (millis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
    long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low).toString();
  }
}
