package dev.tollgate.metering.limits;

import dev.tollgate.testing.ManualClock;
import static dev.tollgate.metering.limits.Limits.admitted;
import static dev.tollgate.metering.limits.Limits.concurrent;
import static dev.tollgate.metering.limits.Limits.keyDefault;
import static dev.tollgate.metering.limits.Limits.rpm;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.metering.limits.Admission.Admitted;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Many threads against shared scopes: never more admitted than a limit allows, and what a refused
 * call took from its other scopes is always given back. Each test counts what it ran, so that a race
 * that did not happen cannot pass for one that was handled.
 */
class RateLimiterConcurrencyTest {
  private static final int THREADS = 16;

  private final ManualClock clock = new ManualClock();

  @Test
  void manyThreadsOnOneKeyAdmitExactlyTheRpm() throws Exception {
    RateLimiter limiter = new RateLimiter(keyDefault(rpm(500)), clock);
    AtomicInteger admitted = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();

    run(200, (thread, i) -> {
      if (limiter.admit(Limits.KEY_A, 0) instanceof Admitted a) {
        admitted.incrementAndGet();
        a.permit().close();
      } else {
        refused.incrementAndGet();
      }
    });

    assertThat(admitted.get()).isEqualTo(500);
    assertThat(admitted.get() + refused.get()).isEqualTo(THREADS * 200);
  }

  @Test
  void callsInFlightNeverExceedTheConcurrencyCap() throws Exception {
    RateLimiter limiter = new RateLimiter(keyDefault(concurrent(4)), clock);
    AtomicInteger current = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    AtomicInteger admitted = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();

    run(20_000, (thread, i) -> {
      if (limiter.admit(Limits.KEY_A, 0) instanceof Admitted a) {
        admitted.incrementAndGet();
        most.accumulateAndGet(current.incrementAndGet(), Math::max);
        // Hold the slot across a reschedule, so that many threads are inside at once even on two cores.
        Thread.yield();
        current.decrementAndGet();
        a.permit().close();
      } else {
        refused.incrementAndGet();
      }
    });

    assertThat(most.get()).isBetween(1, 4);
    assertThat(admitted.get()).isPositive();
    assertThat(refused.get()).as("the cap was contended").isPositive();
    assertThat(admitted.get() + refused.get()).isEqualTo(THREADS * 20_000);
    // Every slot came back.
    List<Admitted> held = new ArrayList<>();
    while (limiter.admit(Limits.KEY_A, 0) instanceof Admitted a) {
      held.add(a);
    }
    assertThat(held).hasSize(4);
  }

  @Test
  void whatATeamRefusalTookFromKeysIsAlwaysGivenBack() throws Exception {
    int keys = 8;
    LimitSpec keySpec = rpm(1000).withTpm(1_000_000).withMaxConcurrent(1000);
    RateLimiter limiter = new RateLimiter(
        LimitsConfig.ofDefaults(Map.of(ScopeKind.KEY, keySpec, ScopeKind.TEAM, rpm(100))), clock);
    AtomicIntegerArray admittedPerKey = new AtomicIntegerArray(keys);
    AtomicLong attempts = new AtomicLong();
    Random[] randoms = new Random[THREADS];
    for (int t = 0; t < THREADS; t++) {
      randoms[t] = new Random(1000L + t);
    }

    run(100, (thread, i) -> {
      int key = randoms[thread].nextInt(keys);
      attempts.incrementAndGet();
      if (limiter.admit(new CallerScopes("k-" + key, Optional.empty(), "t-1"), 10) instanceof Admitted a) {
        admittedPerKey.incrementAndGet(key);
        a.permit().close();
      }
    });

    int total = 0;
    for (int k = 0; k < keys; k++) {
      total += admittedPerKey.get(k);
    }
    assertThat(total).isEqualTo(100);
    assertThat(attempts.get()).isEqualTo(THREADS * 100);

    limiter.update(LimitsConfig.ofDefaults(Map.of(ScopeKind.KEY, keySpec)));
    for (int k = 0; k < keys; k++) {
      Admitted probe = admitted(limiter.admit(new CallerScopes("k-" + k, Optional.empty(), "t-1"), 0));
      assertThat(probe.status().requests().orElseThrow().remaining()).as("requests left of k-%d", k)
          .isEqualTo(1000 - admittedPerKey.get(k) - 1);
      assertThat(probe.status().tokens().orElseThrow().remaining()).as("tokens left of k-%d", k)
          .isEqualTo(1_000_000 - 10L * admittedPerKey.get(k));
    }
  }

  private interface Step {
    void run(int thread, int iteration);
  }

  /** Runs {@code iterations} steps on each of {@link #THREADS} threads, all released at once. */
  private static void run(int iterations, Step step) throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger failures = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        pool.execute(() -> {
          try {
            start.await();
            for (int i = 0; i < iterations; i++) {
              step.run(thread, i);
            }
          } catch (Throwable e) {
            failures.incrementAndGet();
            throw new AssertionError(e);
          }
        });
      }
      start.countDown();
    } finally {
      pool.shutdown();
      assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(failures.get()).isZero();
  }
}
