package dev.tollgate.metering.ledger;

import dev.tollgate.metering.UsageEvent;
import dev.tollgate.metering.UsageSink;
import dev.tollgate.metering.wal.Wal;
import dev.tollgate.metering.wal.WalException;
import dev.tollgate.metering.wal.WalFullException;
import dev.tollgate.metering.wal.WalRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The usage ledger: every upstream call is written to a local write-ahead log twice, as an
 * {@linkplain #begin intent} stored in the log's memory-mapped intake before the request leaves the gateway
 * (where it survives a crash of the gateway at once, and a power cut once forced, within
 * {@code ledger.wal.commit_interval}) and as its {@linkplain #end outcome} when it ends; one flusher
 * thread joins each outcome with its intent into the call's usage event, moves the events on to the database
 * in batches, idempotently by event id, and lets the log go once they are there.
 *
 * <p><b>Exactly once.</b> An event is in the log before its call's accounting is done, so a crash loses
 * none: the next start replays what the database does not have yet (inserting twice is harmless, the
 * database keeps the first). A call the process died during has an intent and no event; the first
 * flush after the restart bills it as {@linkplain CallIntent#interrupted interrupted} under the same
 * id. So every call an upstream saw is in the ledger exactly once, whenever the gateway is killed.
 * A record found twice in the log changes nothing: a second event of a call is not inserted again, and an
 * intent read after its call's end or abandon does not open the call again (for the last 16,384 calls
 * closed; older copies are left to the database, which keeps the first event per id).
 *
 * <p><b>Intents pin the log.</b> The committed position (up to which segments may be deleted) never
 * passes the intent of a call still in flight, so the flusher always holds (or reads again, after a restart)
 * the intent an outcome is joined with. A call that runs long has its intent written again at the head of
 * the log ({@linkplain #CARRY_AFTER carried forward}) so that old segments can go. An outcome read without
 * its intent after a restart is a copy (the database has its event: the replay began behind it) or lost its
 * intent to damage on disk (recovery reports it when the log is opened): that one cannot be attributed, and
 * is counted as unreadable and logged with its id and cost, never inserted half-known.
 *
 * <p><b>Database down.</b> The flusher retries its batch with backoff while calls go on being served:
 * the log grows up to its cap ({@link #hasRoom} turns false near it, and admission answers 503). When
 * the database is back the backlog drains. {@link #status} reports the lag in events and seconds.
 *
 * <p>Thread-safe: any thread begins and ends calls; one flusher thread reads, inserts and commits.
 */
public final class Ledger implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Ledger.class);
  /** An intent written longer ago than this is written again at the head of the log so that its segment can go. */
  static final Duration CARRY_AFTER = Duration.ofSeconds(30);
  /** Admission asks for room for a typical call's two records. */
  private static final int TYPICAL_RECORD_BYTES = 512;
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
  /** How many closed calls the flusher remembers to recognise their records when they come again. */
  static final int REMEMBERED_CLOSED = 16_384;

  private final Wal wal;
  private final UsageSink sink;
  private final LedgerConfig config;
  private final Clock clock;
  private final Thread flusher;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final long recoveredThrough;

  // Flusher thread only.
  private final TreeMap<Long, Open> openBySeq = new TreeMap<>();
  private final Map<String, Long> openById = new HashMap<>();
  private final Set<String> endedWhileCarried = new HashSet<>();
  /**
   * Ids of the calls most recently closed (ended or abandoned), at most {@link #REMEMBERED_CLOSED}: a record
   * of one of them read again is a copy, not news. The log is not expected to hold copies (its recovery
   * leaves out the intake's records a segment has already), but one would come close behind its original:
   * a replay of the last records written before a crash. Without this, an intent copied after its call's
   * abandon would bill a call that never reached its upstream as interrupted, and one copied after its
   * call's end would pin the log until the next start.
   */
  private final Set<String> recentlyClosed = new HashSet<>();
  private final ArrayDeque<String> recentlyClosedOrder = new ArrayDeque<>();
  private long position;
  private boolean interruptedResolved;
  private boolean syncedForClose;

  private final AtomicLong backlog = new AtomicLong();
  /** Calls of this process begun and not yet ended or abandoned. */
  private final AtomicLong openCalls = new AtomicLong();
  /** Events being appended: closing waits for them, so that none is stranded in the log unflushed. */
  private final AtomicLong ending = new AtomicLong();
  private final AtomicLong flushed = new AtomicLong();
  private final AtomicLong interrupted = new AtomicLong();
  private final AtomicLong failedBatches = new AtomicLong();
  private final AtomicLong unreadable = new AtomicLong();
  private volatile long oldestUnflushedAt;
  private volatile boolean sinkHealthy = true;
  private volatile boolean caughtUp;

  private Ledger(Wal wal, UsageSink sink, LedgerConfig config, Clock clock) {
    this.wal = wal;
    this.sink = sink;
    this.config = config;
    this.clock = clock;
    this.recoveredThrough = wal.durableSeq();
    this.position = wal.committedSeq();
    this.interruptedResolved = recoveredThrough <= position;
    this.flusher = Thread.ofVirtual().name("ledger-flusher").unstarted(this::flushLoop);
  }

  /** Opens (and recovers) the log in {@code config.wal()}; {@link #start} begins flushing. */
  public static Ledger open(LedgerConfig config, UsageSink sink, Clock clock) {
    Wal wal = Wal.open(config.wal(), clock);
    try {
      Ledger ledger = new Ledger(wal, sink, config, clock);
      ledger.countBacklog();
      return ledger;
    } catch (RuntimeException e) {
      wal.close();
      throw e;
    }
  }

  /** Counts the events a previous run left unflushed, so that the lag is right from the start. */
  private void countBacklog() {
    long[] events = {0};
    wal.replay(position, r -> {
      try {
        LedgerRecord record = LedgerCodec.decode(r.payload());
        if (record instanceof LedgerRecord.Ended || record instanceof LedgerRecord.Outcome) {
          events[0]++;
        }
      } catch (IllegalArgumentException e) {
        // counted (once) and logged when the flusher reads it
      }
    });
    backlog.set(events[0]);
    if (events[0] > 0 || !interruptedResolved) {
      log.info("usage ledger: {} event(s) from the previous run still to be written; calls it left unfinished are "
          + "billed as interrupted", events[0]);
    }
  }

  public void start() {
    flusher.start();
  }

  /** Whether a new call should be admitted: false near the log's disk cap (and when it failed). */
  public boolean hasRoom() {
    return !closing.get() && wal.hasRoom(TYPICAL_RECORD_BYTES);
  }

  /**
   * Writes the intent of a call about to be made. The future is normally complete on return: the intent is
   * stored in the log's memory-mapped intake, where it survives a crash of the gateway at once, and it is
   * forced to the device within {@code ledger.wal.commit_interval} (when the intake is full, the future
   * completes once the log's writer put the intent in its file). With {@code ledger.fsync_intents} it
   * completes once the intent is forced. It fails with a {@link WalException} when the log cannot take it.
   */
  public CompletableFuture<Void> begin(CallIntent intent) {
    openCalls.incrementAndGet();
    byte[] record = LedgerCodec.encode(new LedgerRecord.Begun(intent));
    return config.fsyncIntents() ? wal.append(record).thenApply(seq -> null) : wal.write(record);
  }

  /**
   * Writes a call's usage event, whose intent was {@linkplain #begin begun} under the same id and carries the
   * same caller, model, deployment and attempt: only its outcome goes into the log, and the flusher joins it
   * with the intent. The future completes once it is in the log's intake or file (where it survives a crash of
   * the gateway; forced within {@code commit_interval}), or fails with a {@link WalException}. Nothing waits
   * for it: when the intake is full, it goes with the next intent written, within a millisecond at the latest.
   */
  public CompletableFuture<Void> end(UsageEvent event) {
    ending.incrementAndGet();
    openCalls.decrementAndGet();
    CompletableFuture<Void> write = wal.writeLater(LedgerCodec.encode(LedgerRecord.Outcome.of(event)));
    if (write.isDone() && !write.isCompletedExceptionally()) {
      ended(); // in the intake already (nearly always): no stage to allocate and run
      return write;
    }
    return write.handle((written, failure) -> {
      if (failure != null) {
        ending.decrementAndGet();
        // Its intent is in the log: the next start bills the call as interrupted rather than not at all.
        log.error("usage ledger: cannot write the usage event of request {} ({}); it will be billed as interrupted "
            + "at the next start", event.requestId(), failure.toString());
        throw failure instanceof RuntimeException re ? re : new IllegalStateException(failure);
      }
      ended();
      return null;
    });
  }

  /** A call's event is in the log: one more for the flusher. */
  private void ended() {
    // Backlog up before ending down: unsettled() never reads zero while the event is only in the log.
    long waiting = backlog.incrementAndGet();
    ending.decrementAndGet();
    // Woken for a full batch only: a wake-up per event made batches of a dozen, each a transaction.
    if (waiting == config.flushBatch()) {
      LockSupport.unpark(flusher);
    }
  }

  /**
   * Closes the intent of a call that never reached its upstream (nothing to bill). Not waited for: if it
   * is lost in a crash, the call is billed as interrupted for its prompt, the safe side.
   */
  public void abandon(String eventId) {
    openCalls.decrementAndGet();
    wal.writeLater(LedgerCodec.encode(new LedgerRecord.Abandoned(eventId))).exceptionally(failure -> {
      log.warn("usage ledger: cannot close the intent of call {}: {}", eventId, failure.toString());
      return null;
    });
  }

  /**
   * Calls of this process not yet accounted for in the database: begun and not ended, being written,
   * or waiting in the log. Zero once every call that began has its event in the database.
   */
  public long unsettled() {
    return Math.max(0, openCalls.get()) + ending.get() + backlog.get();
  }

  /**
   * Waits (up to {@code timeout}) until the flusher has read the whole log once and every event in it is in
   * the database: at start, the previous run's usage, interrupted calls included. False on timeout (the
   * database is down, or the backlog is large).
   */
  public boolean awaitDrained(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!(caughtUp && backlog.get() <= 0 && ending.get() == 0)) {
      if (System.nanoTime() > deadline || !flusher.isAlive()) {
        return false;
      }
      LockSupport.parkNanos(5_000_000);
    }
    return true;
  }

  /** Where the ledger stands, for health and metrics. */
  public LedgerStatus status() {
    // Briefly negative when the flusher reads an event before its writer has counted it.
    long events = Math.max(0, backlog.get());
    long oldest = oldestUnflushedAt;
    long ageMillis = events == 0 || oldest == 0 ? 0 : Math.max(0, clock.millis() - oldest);
    return new LedgerStatus(events, Duration.ofMillis(ageMillis), flushed.get(), interrupted.get(),
        failedBatches.get(), unreadable.get(), wal.diskBytes(), config.wal().maxDiskBytes(), sinkHealthy,
        wal.failed());
  }

  // ---------------------------------------------------------------- the flusher

  private void flushLoop() {
    Duration backoff = Duration.ofMillis(50);
    while (true) {
      try {
        int read = flushOnce();
        backoff = Duration.ofMillis(50);
        if (read < config.flushBatch()) {
          // The end of the log. What comes next waits for a full batch or flush_interval: going round at once
          // made a transaction (and an fsync) of every group commit or two under load, ~50 a second of a few
          // hundred events each, where the batch is meant to be thousands.
          caughtUp = true;
          if (closing.get()) {
            if (read > 0) {
              continue; // closing: read on at once
            }
            if (ending.get() == 0) {
              if (syncedForClose) {
                return;
              }
              // Events written since the last group commit are not readable until forced: force them now.
              wal.sync().join();
              syncedForClose = true;
              continue;
            }
          }
          LockSupport.parkNanos(config.flushInterval().toNanos());
        }
      } catch (SinkDown e) {
        if (closing.get() && e.giveUp) {
          log.error("usage ledger closing with {} event(s) not yet in the database; they stay in the write-ahead "
              + "log {} and are written at the next start", backlog.get(), config.wal().directory());
          return;
        }
        LockSupport.parkNanos(backoff.toNanos());
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
      } catch (RuntimeException e) {
        if (e instanceof CompletionException && e.getCause() instanceof WalFullException full) {
          // Writing an interrupted call's event or carrying an intent forward found the log at its cap:
          // committing frees room (the database is taking events), so try again rather than stop for good.
          log.warn("usage ledger: the local log is full; retrying: {}", full.getMessage());
          LockSupport.parkNanos(backoff.toNanos());
          backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
          continue;
        }
        // The log itself failed (disk error, corruption that recovery could not repair): nothing more can be
        // read; admissions see hasRoom() false through wal.failed().
        log.error("usage ledger flusher stopped: {}", e.toString(), e);
        return;
      }
      if (Thread.currentThread().isInterrupted()) {
        return;
      }
    }
  }

  /** Reads up to a batch of records, writes their events, commits; returns how many records it read. */
  int flushOnce() {
    List<UsageEvent> batch = new ArrayList<>();
    List<Read> records = new ArrayList<>();
    long[] last = {position};
    long[] firstAppendedAt = {0};
    Set<String> inBatch = new HashSet<>();
    Map<String, CallIntent> begunInBatch = new HashMap<>();
    int[] copies = {0};
    List<Unjoined> unjoined = new ArrayList<>();
    long read = wal.replay(position, config.flushBatch(), r -> {
      last[0] = r.seq();
      LedgerRecord record = decode(r);
      if (record == null) {
        return;
      }
      if (record instanceof LedgerRecord.Begun(CallIntent intent)) {
        begunInBatch.put(intent.id(), intent);
      } else if (record instanceof LedgerRecord.Outcome outcome) {
        CallIntent intent = intentOf(outcome.eventId(), begunInBatch);
        if (intent == null) {
          if (recentlyClosed.contains(outcome.eventId())) {
            copies[0]++; // a copy of the outcome of a call already closed
          } else {
            unjoined.add(new Unjoined(r.seq(), outcome));
          }
          return;
        }
        record = new LedgerRecord.Ended(outcome.event(intent));
      }
      records.add(new Read(r.seq(), r.appendedAtMillis(), record));
      if (record instanceof LedgerRecord.Ended(UsageEvent event)) {
        // A second event of a call already closed, or twice in this batch: counted off, not inserted again.
        if (recentlyClosed.contains(event.id()) || !inBatch.add(event.id())) {
          copies[0]++;
          return;
        }
        if (batch.isEmpty()) {
          firstAppendedAt[0] = r.appendedAtMillis();
        }
        batch.add(event);
      }
    });
    if (!batch.isEmpty()) {
      oldestUnflushedAt = firstAppendedAt[0];
      insert(batch);
      flushed.addAndGet(batch.size());
      oldestUnflushedAt = 0;
    }
    // Only once the batch around them is in: a failed batch is read again, and they must be counted once.
    settleUnjoined(unjoined);
    backlog.addAndGet(-(batch.size() + copies[0] + unjoined.size()));
    // Only now that the batch is in the database: a failed batch is read again, and the intents must
    // not see its records twice (a carried intent's end, then its copy, would leave the copy open).
    for (Read r : records) {
      switch (r.record()) {
        case LedgerRecord.Begun(CallIntent intent) -> opened(r.seq(), new Open(intent, r.appendedAtMillis()));
        case LedgerRecord.Abandoned(String id) -> closed(id);
        case LedgerRecord.Ended(UsageEvent event) -> closed(event.id());
        case LedgerRecord.Outcome outcome -> closed(outcome.eventId()); // joined above: read as Ended
      }
    }
    position = last[0];
    if (!interruptedResolved && position >= recoveredThrough) {
      resolveInterrupted();
    }
    if (read < config.flushBatch()) {
      // Only at the end of the log: behind it, an old intent's end is usually just ahead, unread.
      carryForward();
    }
    commit();
    return (int) read;
  }

  /** The intent of call {@code id}: read in this batch, or open since an earlier one; null when neither. */
  private CallIntent intentOf(String id, Map<String, CallIntent> begunInBatch) {
    CallIntent intent = begunInBatch.get(id);
    if (intent != null) {
      return intent;
    }
    Long seq = openById.get(id);
    return seq == null ? null : openBySeq.get(seq).intent();
  }

  /**
   * Outcomes read with no intent to join. After a restart most are copies: the log's checkpoint lags its
   * committed position by up to a second, so the replay begins at records whose calls the previous run already
   * stored and closed, their intents behind the replay's start; the database has their events. The others
   * lost their intent to damage on disk: counted as unreadable, logged, not inserted.
   */
  private void settleUnjoined(List<Unjoined> unjoined) {
    if (unjoined.isEmpty()) {
      return;
    }
    Set<String> stored = sinkCall(() -> sink.stored(unjoined.stream().map(u -> u.outcome().eventId()).toList()),
        unjoined.size());
    for (Unjoined u : unjoined) {
      LedgerRecord.Outcome outcome = u.outcome();
      if (!stored.contains(outcome.eventId())) {
        unreadable.incrementAndGet();
        log.error("usage ledger: record {}, the outcome of call {} ({} µ$, {} input and {} output tokens), has no "
            + "intent in the log (lost to the damage reported when the log was opened) nor an event in the "
            + "database: it cannot be attributed and is skipped", u.seq(), outcome.eventId(), outcome.costMicros(),
            outcome.inputTokens(), outcome.outputTokens());
      }
    }
  }

  /** An outcome read at {@code seq} whose intent the flusher does not hold. */
  private record Unjoined(long seq, LedgerRecord.Outcome outcome) {}

  /** A record read from the log, applied to the open intents once its batch is in the database. */
  private record Read(long seq, long appendedAtMillis, LedgerRecord record) {}

  /** An intent in the log and when that copy of it was written (a carried copy is younger than its call). */
  private record Open(CallIntent intent, long appendedAtMillis) {}

  private void opened(long seq, Open open) {
    CallIntent intent = open.intent();
    if (endedWhileCarried.remove(intent.id())) {
      return; // a carried copy of an intent whose call ended before the copy was read
    }
    if (recentlyClosed.contains(intent.id())) {
      return; // the intent of a call that ended or was abandoned, read again: it must not open it again
    }
    Long previous = openById.put(intent.id(), seq);
    if (previous != null) {
      openBySeq.remove(previous);
      carried.remove(intent.id()); // this is the copy: from now on it pins the log
    }
    openBySeq.put(seq, open);
  }

  private void closed(String id) {
    if (recentlyClosed.add(id)) {
      recentlyClosedOrder.addLast(id);
      if (recentlyClosedOrder.size() > REMEMBERED_CLOSED) {
        recentlyClosed.remove(recentlyClosedOrder.removeFirst());
      }
    }
    Long seq = openById.remove(id);
    if (seq != null) {
      openBySeq.remove(seq);
      if (carried.remove(id)) {
        endedWhileCarried.add(id);
      }
    }
  }

  /** Ids of the intents carried forward whose copies the flusher has not read yet. */
  private final Set<String> carried = new HashSet<>();

  /**
   * After the log of the previous run is read: its calls that never ended are billed as interrupted,
   * written through the log like any event so that they are flushed, and counted, once.
   */
  private void resolveInterrupted() {
    List<CallIntent> unfinished = openBySeq.headMap(recoveredThrough, true).values().stream().map(Open::intent)
        .toList();
    if (!unfinished.isEmpty()) {
      // All or none against the disk cap: when the log is full this is tried again at the next flush.
      wal.appendAll(unfinished.stream().map(i -> LedgerCodec.encode(new LedgerRecord.Ended(i.interrupted())))
          .toList()).join();
      backlog.addAndGet(unfinished.size());
      interrupted.addAndGet(unfinished.size());
      log.warn("usage ledger: {} call(s) were in flight when the gateway last stopped; billed as interrupted "
          + "(prompt tokens as counted at admission)", unfinished.size());
    }
    interruptedResolved = true;
  }

  /** Writes long-running calls' intents again at the head of the log, so that the segments behind them can go. */
  private void carryForward() {
    long cutoff = clock.millis() - CARRY_AFTER.toMillis();
    List<CallIntent> old = new ArrayList<>();
    for (Map.Entry<Long, Open> e : openBySeq.entrySet()) {
      // By the age of this copy, not of the call: a copy just written must not be carried again at the
      // next pass (a call running past CARRY_AFTER would have its intent rewritten in a busy loop).
      if (e.getValue().appendedAtMillis() >= cutoff || !interruptedResolved && e.getKey() <= recoveredThrough) {
        break;
      }
      old.add(e.getValue().intent());
    }
    List<CallIntent> copies = old.stream().filter(intent -> !carried.contains(intent.id())).toList();
    if (copies.isEmpty()) {
      return;
    }
    // One append (one fsync) for all of them.
    wal.appendAll(copies.stream().map(intent -> LedgerCodec.encode(new LedgerRecord.Begun(intent))).toList()).join();
    copies.forEach(intent -> carried.add(intent.id()));
  }

  private void commit() {
    long upto = position;
    for (Map.Entry<Long, Open> open : openBySeq.entrySet()) {
      // A carried intent's original may go: its copy is further on in the log, not read yet.
      if (!carried.contains(open.getValue().intent().id())) {
        upto = Math.min(upto, open.getKey() - 1);
        break;
      }
    }
    if (upto > wal.committedSeq()) {
      wal.markCommitted(upto);
    }
  }

  private void insert(List<UsageEvent> batch) {
    sinkCall(() -> {
      sink.insert(batch);
      return null;
    }, batch.size());
  }

  /** A call to the database about {@code events} events: a failure marks it down and throws {@link SinkDown}. */
  private <T> T sinkCall(Supplier<T> call, int events) {
    try {
      T result = call.get();
      if (!sinkHealthy) {
        log.info("usage ledger: the database takes events again; {} waiting", backlog.get());
      }
      sinkHealthy = true;
      return result;
    } catch (RuntimeException e) {
      failedBatches.incrementAndGet();
      if (sinkHealthy) {
        log.warn("usage ledger: cannot write {} event(s) to the database, retrying with backoff; calls go on "
            + "being served and their usage waits in the write-ahead log: {}", events, e.toString());
      }
      sinkHealthy = false;
      throw new SinkDown(closing.get() && closeDeadline > 0 && System.nanoTime() > closeDeadline);
    }
  }

  private LedgerRecord decode(WalRecord record) {
    try {
      return LedgerCodec.decode(record.payload());
    } catch (IllegalArgumentException e) {
      unreadable.incrementAndGet();
      log.error("usage ledger: record {} cannot be read and is skipped: {}", record.seq(), e.getMessage());
      return null;
    }
  }

  /** The database refused a batch; the flusher backs off and reads it again. */
  private static final class SinkDown extends RuntimeException {
    final boolean giveUp;

    SinkDown(boolean giveUp) {
      super(null, null, false, false);
      this.giveUp = giveUp;
    }
  }

  private volatile long closeDeadline;

  /**
   * Stops taking calls, writes every event already in the log to the database (waiting up to
   * {@code timeout} for it), then closes the log. What could not be written stays in the log for the
   * next start; intents of calls that never ended are billed then as interrupted.
   */
  public void close(Duration timeout) {
    if (closing.getAndSet(true)) {
      return;
    }
    closeDeadline = System.nanoTime() + timeout.toNanos();
    LockSupport.unpark(flusher);
    try {
      if (flusher.isAlive() && !flusher.join(timeout.plusSeconds(1))) {
        flusher.interrupt();
        flusher.join(Duration.ofSeconds(5));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      wal.close();
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }

  /** Waits until every record written so far can be read by the flusher (tests drive it by hand). */
  void sync() {
    wal.sync().join();
  }

  /** The log's committed position: every record up to it is in the database or needs nothing (tests). */
  long committedSeq() {
    return wal.committedSeq();
  }

  /** The log's last durable record (tests). */
  long durableSeq() {
    return wal.durableSeq();
  }

  /** Whether the flusher has read everything durable at least once since it last found nothing (tests). */
  boolean caughtUp() {
    return caughtUp;
  }
}
