package dev.tollgate.routing;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Exponentially weighted moving average of time to first token, lock-free. Recent calls weigh most,
 * so a deployment that got slow loses traffic within a few calls and one that recovered wins it back
 * once exploration sends it some.
 */
final class LatencyAverage {
  private static final double ALPHA = 0.3;
  private static final long EMPTY = Double.doubleToRawLongBits(-1);

  private final AtomicLong bits = new AtomicLong(EMPTY);
  private volatile long lastSampleMillis;

  void record(long nanos, long nowMillis) {
    double sample = nanos;
    bits.updateAndGet(old -> {
      double prev = Double.longBitsToDouble(old);
      return Double.doubleToRawLongBits(prev < 0 ? sample : prev + ALPHA * (sample - prev));
    });
    lastSampleMillis = nowMillis;
  }

  /** Nanoseconds, or -1 before the first sample. */
  double nanos() {
    return Double.longBitsToDouble(bits.get());
  }

  long lastSampleMillis() {
    return lastSampleMillis;
  }
}
