package dev.tollgate.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tollgate.config.UsageConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The usage writer's promise: a reserved slot is a guaranteed place for one record, records reach
 * the sink in bounded batches, a failing sink is retried without loss or duplication, and a slot is
 * only freed once its record is durably written.
 */
@Timeout(20)
class UsageRecorderTest {
  private final List<UsageRecorder> recorders = new ArrayList<>();

  /** An in-memory sink that can fail on demand and be held inside {@code insert}. */
  static final class FakeSink implements UsageSink {
    final List<List<UsageEvent>> batches = new CopyOnWriteArrayList<>();
    final AtomicBoolean failing = new AtomicBoolean();
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();
    volatile CountDownLatch entered = new CountDownLatch(0);
    volatile CountDownLatch gate = new CountDownLatch(0);

    @Override
    public void insert(List<UsageEvent> events) {
      calls.incrementAndGet();
      entered.countDown();
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      if (failing.get()) {
        failures.incrementAndGet();
        throw new IllegalStateException("database is down");
      }
      batches.add(List.copyOf(events)); // the recorder reuses its list
    }

    List<UsageEvent> events() {
      return batches.stream().flatMap(List::stream).toList();
    }
  }

  private UsageRecorder recorder(FakeSink sink, int capacity, int batchSize, Duration flushInterval) {
    UsageRecorder r = new UsageRecorder(sink, new UsageConfig(capacity, batchSize, flushInterval));
    recorders.add(r);
    return r;
  }

  @AfterEach
  void closeAll() {
    recorders.forEach(r -> r.close(Duration.ofSeconds(2)));
  }

  private static UsageEvent event(int n) {
    return new UsageEvent("e" + n, "req-" + n, "key", "chat.completions", "m", "d", "p", "u", n, 1, 0, 0, false, n,
        "ok", 200, 1, 1, false, null, 1000L + n);
  }

  private static List<UsageEvent> events(int from, int count) {
    List<UsageEvent> out = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      out.add(event(i));
    }
    return out;
  }

  private static void reserveAndRecord(UsageRecorder r, List<UsageEvent> events) {
    for (UsageEvent e : events) {
      assertThat(r.tryReserve()).as("slot for %s", e.id()).isTrue();
      r.record(e);
    }
  }

  // ---------------------------------------------------------------- reservations

  @Test
  void capacityNAllowsNReservationsThenRefuses() {
    UsageRecorder r = recorder(new FakeSink(), 3, 10, Duration.ofMillis(20));
    assertThat(r.capacity()).isEqualTo(3);
    assertThat(r.tryReserve()).isTrue();
    assertThat(r.tryReserve()).isTrue();
    assertThat(r.tryReserve()).isTrue();
    assertThat(r.slotsInUse()).isEqualTo(3);
    assertThat(r.tryReserve()).isFalse();
    assertThat(r.tryReserve()).isFalse();
    assertThat(r.slotsInUse()).isEqualTo(3);
  }

  @Test
  void releaseReturnsASlot() {
    UsageRecorder r = recorder(new FakeSink(), 2, 10, Duration.ofMillis(20));
    assertThat(r.tryReserve()).isTrue();
    assertThat(r.tryReserve()).isTrue();
    assertThat(r.tryReserve()).isFalse();
    r.release();
    assertThat(r.slotsInUse()).isEqualTo(1);
    assertThat(r.tryReserve()).isTrue();
    assertThat(r.tryReserve()).isFalse();
  }

  @Test
  void recordingWithoutASlotBeyondCapacityFailsLoudly() {
    UsageRecorder r = recorder(new FakeSink(), 2, 10, Duration.ofMillis(20)); // not started: nothing drains
    r.record(event(1));
    r.record(event(2));
    assertThat(r.depth()).isEqualTo(2);
    assertThatThrownBy(() -> r.record(event(3)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("usage queue full although a slot was reserved");
  }

  // ---------------------------------------------------------------- writing

  @Test
  void recordedEventsReachTheSinkInBatchesInOrder() {
    FakeSink sink = new FakeSink();
    UsageRecorder r = recorder(sink, 100, 10, Duration.ofMillis(20));
    List<UsageEvent> sent = events(0, 35);
    reserveAndRecord(r, sent); // queued before the writer starts, so the batches are full ones
    assertThat(r.depth()).isEqualTo(35);
    r.start();

    await().atMost(Duration.ofSeconds(10)).until(() -> r.written() == 35);
    assertThat(sink.batches).extracting(List::size).containsExactly(10, 10, 10, 5);
    assertThat(sink.events()).containsExactlyElementsOf(sent);
    assertThat(r.depth()).isZero();
    assertThat(r.slotsInUse()).isZero();
    assertThat(r.failedBatches()).isZero();
    assertThat(r.sinkHealthy()).isTrue();
  }

  @Test
  void eventsRecordedWhileRunningAreWrittenWithoutWaitingForAFullBatch() {
    FakeSink sink = new FakeSink();
    UsageRecorder r = recorder(sink, 100, 50, Duration.ofMillis(20));
    r.start();
    reserveAndRecord(r, events(0, 3));
    await().atMost(Duration.ofSeconds(10)).until(() -> r.written() == 3);
    reserveAndRecord(r, events(3, 2));
    await().atMost(Duration.ofSeconds(10)).until(() -> r.written() == 5);
    assertThat(sink.events()).containsExactlyElementsOf(events(0, 5));
    assertThat(sink.batches).allSatisfy(b -> assertThat(b).hasSizeLessThanOrEqualTo(50));
  }

  @Test
  void slotsAreReturnedOnlyAfterTheSinkSucceeded() throws Exception {
    FakeSink sink = new FakeSink();
    sink.entered = new CountDownLatch(1);
    sink.gate = new CountDownLatch(1);
    UsageRecorder r = recorder(sink, 5, 10, Duration.ofMillis(20));
    reserveAndRecord(r, events(0, 5));
    r.start();

    assertThat(sink.entered.await(10, TimeUnit.SECONDS)).isTrue();
    // The batch is out of the queue and inside the sink, but not yet written: the slots stay taken.
    assertThat(r.depth()).isZero();
    assertThat(r.slotsInUse()).isEqualTo(5);
    assertThat(r.written()).isZero();
    assertThat(r.tryReserve()).isFalse();

    sink.gate.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> r.slotsInUse() == 0);
    assertThat(r.written()).isEqualTo(5);
    assertThat(sink.events()).containsExactlyElementsOf(events(0, 5));
    assertThat(r.tryReserve()).isTrue();
  }

  @Test
  void aFailingSinkIsRetriedWithoutLossOrDuplication() {
    FakeSink sink = new FakeSink();
    sink.failing.set(true);
    UsageRecorder r = recorder(sink, 100, 8, Duration.ofMillis(20));
    r.start();
    reserveAndRecord(r, events(0, 20));

    await().atMost(Duration.ofSeconds(10)).until(() -> sink.failures.get() >= 3);
    assertThat(r.sinkHealthy()).isFalse();
    assertThat(r.failedBatches()).isGreaterThanOrEqualTo(3);
    assertThat(r.written()).isZero();
    assertThat(r.slotsInUse()).as("nothing written, so nothing released").isEqualTo(20);
    assertThat(sink.batches).isEmpty();

    sink.failing.set(false);
    await().atMost(Duration.ofSeconds(15)).until(() -> r.written() == 20);
    assertThat(sink.events()).containsExactlyElementsOf(events(0, 20));
    assertThat(sink.events()).extracting(UsageEvent::id).doesNotHaveDuplicates();
    assertThat(sink.batches).allSatisfy(b -> assertThat(b).hasSizeLessThanOrEqualTo(8));
    assertThat(r.sinkHealthy()).isTrue();
    assertThat(r.failedBatches()).isEqualTo(sink.failures.get());
    assertThat(r.slotsInUse()).isZero();
  }

  @Test
  void closeFlushesEverythingQueued() {
    FakeSink sink = new FakeSink();
    UsageRecorder r = recorder(sink, 1000, 16, Duration.ofMillis(50));
    r.start();
    reserveAndRecord(r, events(0, 300));
    r.close();
    // No waiting: close() returns only once the writer has drained the queue.
    assertThat(sink.events()).containsExactlyElementsOf(events(0, 300));
    assertThat(r.written()).isEqualTo(300);
    assertThat(r.depth()).isZero();
    assertThat(r.slotsInUse()).isZero();
  }

  @Test
  void closeWaitsForACallThatReservedASlotButHasNotRecordedYet() throws Exception {
    FakeSink sink = new FakeSink();
    UsageRecorder r = recorder(sink, 10, 10, Duration.ofMillis(20));
    r.start();
    assertThat(r.tryReserve()).isTrue(); // a call in flight: its upstream answer is still streaming
    Thread late = Thread.ofVirtual().start(() -> {
      LockSupport.parkNanos(Duration.ofMillis(300).toNanos());
      r.record(event(7));
    });
    r.close(Duration.ofSeconds(10));
    late.join();
    assertThat(sink.events()).as("the late record is written, not stranded in the queue").containsExactly(event(7));
    assertThat(r.slotsInUse()).isZero();
  }

  @Test
  void closeWaitsForAFailingSinkToRecover() throws Exception {
    FakeSink sink = new FakeSink();
    sink.failing.set(true);
    UsageRecorder r = recorder(sink, 100, 10, Duration.ofMillis(20));
    r.start();
    reserveAndRecord(r, events(0, 10));
    await().atMost(Duration.ofSeconds(10)).until(() -> sink.failures.get() >= 1);

    Thread recover = Thread.ofVirtual().start(() -> {
      await().atMost(Duration.ofSeconds(10)).until(() -> sink.failures.get() >= 2);
      sink.failing.set(false);
    });
    r.close(Duration.ofSeconds(15));
    assertThat(sink.events()).containsExactlyElementsOf(events(0, 10));
    assertThat(sink.failures.get()).isGreaterThanOrEqualTo(2);
    recover.join();
  }

  @Test
  void closeStopsReservationsAndIsIdempotent() {
    FakeSink sink = new FakeSink();
    UsageRecorder r = recorder(sink, 10, 10, Duration.ofMillis(20));
    r.start();
    reserveAndRecord(r, events(0, 2));
    r.close();
    assertThat(r.tryReserve()).isFalse();
    r.close();
    r.close(Duration.ZERO);
    assertThat(sink.events()).containsExactlyElementsOf(events(0, 2));
  }

  @Test
  void closeGivesUpAfterItsTimeoutWhenTheSinkNeverRecovers() {
    FakeSink sink = new FakeSink();
    sink.failing.set(true);
    UsageRecorder r = recorder(sink, 10, 10, Duration.ofMillis(20));
    r.start();
    reserveAndRecord(r, events(0, 3));
    await().atMost(Duration.ofSeconds(10)).until(() -> sink.failures.get() >= 1);

    r.close(Duration.ofMillis(200)); // returns (the class-level @Timeout guards against a hang)
    assertThat(sink.batches).isEmpty();
    assertThat(r.written()).isZero();
    assertThat(r.slotsInUse()).as("unwritten records keep their slots").isEqualTo(3);
  }

  @Test
  void concurrentProducersUnderBackPressureLoseAndDuplicateNothing() throws Exception {
    FakeSink sink = new FakeSink();
    sink.gate = new CountDownLatch(1); // the sink holds its first batch until the producers hit the limit
    int capacity = 64;
    UsageRecorder r = recorder(sink, capacity, 16, Duration.ofMillis(5));
    r.start();
    int producers = 8;
    int perProducer = 500;
    AtomicInteger refusals = new AtomicInteger();
    AtomicInteger maxInUse = new AtomicInteger();
    AtomicInteger produced = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    // Platform threads: spinning virtual threads that Thread.yield() can starve the virtual writer thread
    // of a carrier (their yields are queued ahead of its external wake-up), which is a test artefact.
    ExecutorService pool = Executors.newFixedThreadPool(producers);
    try {
      for (int p = 0; p < producers; p++) {
        int base = p * perProducer;
        pool.submit(() -> {
          for (int i = 0; i < perProducer && !stop.get(); i++) {
            while (!r.tryReserve()) {
              if (stop.get()) {
                return;
              }
              refusals.incrementAndGet();
              LockSupport.parkNanos(20_000);
            }
            maxInUse.accumulateAndGet(r.slotsInUse(), Math::max);
            r.record(event(base + i));
            produced.incrementAndGet();
          }
        });
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> refusals.get() > 0);
      assertThat(r.slotsInUse()).isEqualTo(capacity);
      sink.gate.countDown();
      pool.shutdown();
      assertThat(pool.awaitTermination(15, TimeUnit.SECONDS)).as("producers finished").isTrue();
    } finally {
      stop.set(true); // never leave spinning producers behind, whatever failed
      sink.gate.countDown();
      pool.shutdownNow();
    }
    int total = producers * perProducer;
    assertThat(produced.get()).isEqualTo(total);
    await().atMost(Duration.ofSeconds(10)).until(() -> r.written() == total);

    Map<String, Integer> seen = new ConcurrentHashMap<>();
    sink.events().forEach(e -> seen.merge(e.id(), 1, Integer::sum));
    assertThat(seen).hasSize(total).allSatisfy((id, n) -> assertThat(n).as(id).isOne());
    assertThat(maxInUse.get()).isLessThanOrEqualTo(capacity);
    assertThat(refusals.get()).as("the producers were really held back by the capacity").isPositive();
    assertThat(sink.batches).allSatisfy(b -> assertThat(b).hasSizeLessThanOrEqualTo(16));
    assertThat(r.slotsInUse()).isZero();
  }
}
