package dev.tollgate.metering;

import dev.tollgate.config.UsageConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes usage events off the hot path: a bounded queue drained in batches by one virtual thread.
 *
 * <p>No record is ever dropped for lack of room. A caller {@linkplain #tryReserve() reserves} a slot
 * before its upstream call and the slot is only returned once its record is in the database (or the
 * call turns out to need none). When every slot is taken the caller is refused up front (503), so
 * the queue can never be full at {@link #record} time. While the database is down, batches are
 * retried with backoff and the slots stay taken: back-pressure, not loss. (A crash still loses what
 * is queued; the write-ahead ledger that closes that gap sits in front of {@link UsageSink}.)
 *
 * <p>Thread-safe: any thread reserves and records; one writer thread inserts.
 */
public final class UsageRecorder implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(UsageRecorder.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
  private static final long CLOSING_POLL_NANOS = 10_000_000;

  private final UsageSink sink;
  private final int capacity;
  private final int batchSize;
  private final Duration flushInterval;
  private final Semaphore slots;
  private final BlockingQueue<UsageEvent> queue;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong failedBatches = new AtomicLong();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final Thread writer;
  private volatile boolean sinkHealthy = true;

  public UsageRecorder(UsageSink sink, UsageConfig config) {
    this.sink = sink;
    this.capacity = config.queueCapacity();
    this.batchSize = config.batchSize();
    this.flushInterval = config.flushInterval();
    this.slots = new Semaphore(capacity);
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.writer = Thread.ofVirtual().name("usage-writer").unstarted(this::drainLoop);
  }

  public void start() {
    writer.start();
  }

  /** Takes a slot for one future record; false when the writer is saturated (answer 503). */
  public boolean tryReserve() {
    return !closing.get() && slots.tryAcquire();
  }

  /** Returns a slot that will not be used (the call never reached an upstream). */
  public void release() {
    slots.release();
  }

  /** Queues a record under a slot taken by {@link #tryReserve()}; never blocks, never drops. */
  public void record(UsageEvent event) {
    if (!queue.offer(event)) {
      // Unreachable while callers hold a slot per record; fail loudly rather than lose money.
      throw new IllegalStateException("usage queue full although a slot was reserved");
    }
  }

  /** Records waiting to be written. */
  public int depth() {
    return queue.size();
  }

  public int capacity() {
    return capacity;
  }

  /** Slots taken: queued, being written, or reserved by calls in flight. */
  public int slotsInUse() {
    return capacity - slots.availablePermits();
  }

  public long written() {
    return written.get();
  }

  public long failedBatches() {
    return failedBatches.get();
  }

  /** False while the last batch could not be written. */
  public boolean sinkHealthy() {
    return sinkHealthy;
  }

  /**
   * Wakes every flush interval and writes what has queued up, in batches. The writer never waits on
   * the queue itself: a blocked taker makes every {@link #record} a thread wake-up (a futex syscall
   * on the event loop) and every batch a commit of one or two rows, which under load cost more than
   * the inserts themselves.
   */
  private void drainLoop() {
    List<UsageEvent> batch = new ArrayList<>(batchSize);
    long idleNanos = flushInterval.toNanos();
    while (true) {
      try {
        if (queue.drainTo(batch, batchSize) == 0) {
          // Calls still holding a slot will record soon; leaving before them would strand their records.
          if (closing.get() && slotsInUse() == 0) {
            return;
          }
          LockSupport.parkNanos(closing.get() ? Math.min(idleNanos, CLOSING_POLL_NANOS) : idleNanos);
          if (Thread.interrupted()) {
            throw new InterruptedException();
          }
          continue;
        }
        writeWithRetry(batch);
        batch.clear();
      } catch (InterruptedException e) {
        if (!batch.isEmpty()) {
          log.error("usage writer interrupted with {} records unwritten", batch.size());
        }
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void writeWithRetry(List<UsageEvent> batch) throws InterruptedException {
    Duration backoff = Duration.ofMillis(50);
    while (true) {
      try {
        sink.insert(batch);
        written.addAndGet(batch.size());
        slots.release(batch.size());
        if (!sinkHealthy) {
          log.info("usage records are being written again");
        }
        sinkHealthy = true;
        return;
      } catch (RuntimeException e) {
        failedBatches.incrementAndGet();
        if (sinkHealthy) {
          log.warn("cannot write {} usage records, retrying: {}", batch.size(), e.toString());
        }
        sinkHealthy = false;
        Thread.sleep(backoff);
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
      }
    }
  }

  /**
   * Stops taking reservations, writes everything queued or still to be recorded under a reserved slot,
   * and waits up to {@code timeout} for it. Records still unwritten after that are reported in the log.
   */
  public void close(Duration timeout) {
    if (closing.getAndSet(true)) {
      return;
    }
    LockSupport.unpark(writer); // write what is queued now rather than at the next flush
    try {
      if (writer.isAlive() && !writer.join(timeout)) {
        writer.interrupt();
        log.error("usage writer did not finish within {}; {} records queued unwritten, {} calls still unrecorded",
            timeout, queue.size(), Math.max(0, slotsInUse() - queue.size()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }
}
