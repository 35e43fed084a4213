package dev.tollgate.metering.budget;

import dev.tollgate.store.IdGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single-node budget store: counters in memory, definitions and settled spend in the database.
 *
 * <p><b>Concurrency.</b> Each budget has its own lock. A reservation locks every budget it touches in
 * ascending id order, checks that each can hold the worst case, and only then adds it to all of them:
 * all or nothing, and no two reservations can both take the last room of a budget. Because every
 * thread that holds several locks takes them in the same order, two calls touching overlapping sets
 * (key + team + org) cannot deadlock. Settlement, release and expiry lock one budget at a time. Locks
 * are held for a few arithmetic operations, never across I/O, so calling from an event loop is fine.
 *
 * <p><b>Persistence.</b> Budget definitions are written when defined (control plane, blocking).
 * Settled spend is written off the hot path: each settlement leaves the budget window's latest
 * absolute totals in a map, and a flusher thread writes that map every flush interval (absolute
 * values: rewriting is harmless, and a row waiting for the next flush is replaced, not duplicated).
 * {@link #close} writes what is left. A hard crash loses at most one flush interval of settled spend
 * here; usage events in the ledger stay the system of record for spend.
 *
 * <p><b>Reservations live in memory only.</b> A restart drops them, which is safe: a reservation
 * belongs to a call in flight in this process, and that call died with it. Holds whose caller is
 * stuck or leaked lapse after their ttl ({@link #expireOverdue}, run by the flusher and before any
 * refusal); a settlement that arrives later, within one ttl, is still charged, all of it as overrun.
 *
 * <p>Thread-safe.
 */
public final class LocalBudgetStore implements BudgetStore {
  private static final Logger log = LoggerFactory.getLogger(LocalBudgetStore.class);
  private static final Comparator<BudgetState> LOCK_ORDER = Comparator.comparing(s -> s.id);
  private static final Comparator<BudgetRef> BY_ID = Comparator.comparing(BudgetRef::budgetId);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  private final BudgetPersistence persistence;
  private final BudgetListener listener;
  private final Clock clock;
  private final IdGenerator ids;
  private final Duration flushInterval;
  private final Duration lateSettleGrace;

  private final ConcurrentHashMap<String, BudgetState> states = new ConcurrentHashMap<>();
  private volatile Map<BudgetScope, List<BudgetRef>> byScope = Map.of();
  private volatile java.util.Set<BudgetScope.Kind> kinds = java.util.Set.of();
  private final ConcurrentHashMap<String, Hold> holds = new ConcurrentHashMap<>();
  /**
   * No hold is due before this (a lower bound: settled holds leave it early). A sorted index of deadlines
   * cost an insert and a removal on every call for what a sweep of the few live holds does once a ttl.
   */
  private final AtomicLong nextDueMillis = new AtomicLong(Long.MAX_VALUE);
  private final ConcurrentHashMap<WindowKey, SpendRow> unsaved = new ConcurrentHashMap<>();
  /** Serialises definitions, removals and flushes: the control plane's writes. */
  private final ReentrantLock controlLock = new ReentrantLock();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile Thread flusher;

  /**
   * @param flushInterval how often settled spend is written
   * @param lateSettleGrace how long an expired reservation can still be settled (charged in full)
   */
  public LocalBudgetStore(BudgetPersistence persistence, BudgetListener listener, Clock clock, IdGenerator ids,
      Duration flushInterval, Duration lateSettleGrace) {
    this.persistence = persistence;
    this.listener = listener;
    this.clock = clock;
    this.ids = ids;
    this.flushInterval = flushInterval;
    this.lateSettleGrace = lateSettleGrace;
  }

  /** Loads budgets and the spend of their current windows (blocking), then starts the flusher. */
  public void start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("budget store already started");
    }
    controlLock.lock();
    try {
      Instant now = clock.instant();
      for (Budget b : persistence.loadBudgets()) {
        states.put(b.id(), new BudgetState(b, now, storedSpend(b, now)));
      }
      reindex();
    } finally {
      controlLock.unlock();
    }
    Thread t = Thread.ofVirtual().name("budget-flusher").unstarted(this::flushLoop);
    flusher = t;
    t.start();
    log.info("budget store started with {} budgets", states.size());
  }

  /**
   * Creates or replaces a budget (blocking: writes the database first). Counters and reservations of
   * an existing budget carry over; a changed period opens the new period's window with its stored spend.
   */
  public void define(Budget budget) {
    controlLock.lock();
    try {
      Instant now = clock.instant();
      persistence.saveBudget(budget, now.toEpochMilli());
      BudgetState existing = states.get(budget.id());
      if (existing == null) {
        states.put(budget.id(), new BudgetState(budget, now, storedSpend(budget, now)));
        reindex();
        return;
      }
      boolean newPeriod = existing.budget().period() != budget.period();
      Optional<SpendRow> stored = newPeriod ? storedSpend(budget, now) : Optional.empty();
      existing.lock.lock();
      try {
        keep(existing.redefine(budget, now, stored));
      } finally {
        existing.lock.unlock();
      }
      reindex();
    } finally {
      controlLock.unlock();
    }
  }

  /** Deletes a budget and its stored spend (blocking). Calls holding it settle without effect on it. */
  public boolean remove(String budgetId) {
    controlLock.lock();
    try {
      BudgetState state = states.remove(budgetId);
      if (state == null) {
        return false;
      }
      state.lock.lock();
      try {
        state.markRemoved();
      } finally {
        state.lock.unlock();
      }
      unsaved.keySet().removeIf(k -> k.budgetId().equals(budgetId));
      reindex();
      persistence.deleteBudget(budgetId);
      return true;
    } finally {
      controlLock.unlock();
    }
  }

  private Optional<SpendRow> storedSpend(Budget budget, Instant now) {
    return persistence.loadSpend(budget.id(), budget.period().windowStart(now).toEpochMilli());
  }

  private void reindex() {
    Map<BudgetScope, List<BudgetRef>> index = new HashMap<>();
    states.values().stream().sorted(LOCK_ORDER).forEach(s ->
        index.computeIfAbsent(s.budget().scope(), k -> new ArrayList<>()).add(new BudgetRef(s.id)));
    index.replaceAll((k, v) -> List.copyOf(v));
    byScope = Map.copyOf(index);
    java.util.EnumSet<BudgetScope.Kind> present = java.util.EnumSet.noneOf(BudgetScope.Kind.class);
    index.keySet().forEach(scope -> present.add(scope.kind()));
    kinds = java.util.Collections.unmodifiableSet(present);
  }

  @Override
  public boolean hasBudgetsOf(BudgetScope.Kind kind) {
    return kinds.contains(kind);
  }

  @Override
  public List<BudgetRef> budgetsFor(Collection<BudgetScope> scopes) {
    Map<BudgetScope, List<BudgetRef>> index = byScope;
    // Usually one scope of a call has budgets, or none: its list (sorted by id, immutable) is the answer as it is.
    List<BudgetRef> only = List.of();
    List<BudgetRef> merged = null;
    for (BudgetScope scope : scopes) {
      List<BudgetRef> found = index.get(scope);
      if (found == null) {
        continue;
      }
      if (merged == null && only.isEmpty()) {
        only = found;
      } else {
        if (merged == null) {
          merged = new ArrayList<>(only);
        }
        merged.addAll(found);
      }
    }
    if (merged == null) {
      return only;
    }
    merged.sort(BY_ID);
    return Collections.unmodifiableList(merged);
  }

  @Override
  public ReserveResult reserve(List<BudgetRef> touched, long worstCaseMicros, Duration ttl) {
    if (worstCaseMicros < 0) {
      throw new IllegalArgumentException("worstCaseMicros: " + worstCaseMicros + " (expected: >= 0)");
    }
    if (ttl == null || !ttl.isPositive()) {
      throw new IllegalArgumentException("ttl: " + ttl + " (expected: > 0)");
    }
    BudgetState[] locked = inLockOrder(touched);
    ReserveResult result = tryReserve(locked, worstCaseMicros, ttl);
    // Lapsed holds of dead callers may be what fills the budget; free them before saying no.
    if (result instanceof Refused && expireIfDue() > 0) {
      result = tryReserve(locked, worstCaseMicros, ttl);
    }
    return result;
  }

  private BudgetState[] inLockOrder(List<BudgetRef> touched) {
    if (touched.size() == 1) {
      BudgetState s = states.get(touched.getFirst().budgetId());
      return s == null ? new BudgetState[0] : new BudgetState[] {s};
    }
    Map<String, BudgetState> found = new LinkedHashMap<>();
    for (BudgetRef ref : touched) {
      BudgetState s = states.get(ref.budgetId());
      if (s != null) {
        found.put(s.id, s);
      }
    }
    BudgetState[] ordered = found.values().toArray(new BudgetState[0]);
    Arrays.sort(ordered, LOCK_ORDER);
    return ordered;
  }

  private ReserveResult tryReserve(BudgetState[] budgets, long worst, Duration ttl) {
    Instant now = clock.instant();
    int locked = 0;
    try {
      for (BudgetState s : budgets) {
        s.lock.lock();
        locked++;
      }
      for (BudgetState s : budgets) {
        keep(s.roll(now));
        if (!s.removed() && !s.canHold(worst)) {
          return s.refusal(worst);
        }
      }
      for (BudgetState s : budgets) {
        if (!s.removed()) {
          s.hold(worst);
        }
      }
    } finally {
      for (int i = locked - 1; i >= 0; i--) {
        budgets[i].lock.unlock();
      }
    }
    Hold hold = new Hold(ids.next(), budgets, worst, now.plus(ttl));
    holds.put(hold.id, hold);
    dueBy(hold.dueMillis);
    return hold.reservation();
  }

  /** Lowers {@link #nextDueMillis} to {@code atMillis}; a plain read when it is lower already (nearly always). */
  private void dueBy(long atMillis) {
    long next = nextDueMillis.get();
    while (atMillis < next && !nextDueMillis.compareAndSet(next, atMillis)) {
      next = nextDueMillis.get();
    }
  }

  @Override
  public SettleResult settle(String reservationId, long actualMicros) {
    if (actualMicros < 0) {
      throw new IllegalArgumentException("actualMicros: " + actualMicros + " (expected: >= 0)");
    }
    Hold hold = holds.get(reservationId);
    if (hold == null) {
      return new SettleResult.Unknown(reservationId);
    }
    boolean late;
    while (true) {
      Hold.Phase phase = hold.phase.get();
      if (phase == Hold.Phase.FINISHED) {
        return new SettleResult.Unknown(reservationId);
      }
      if (hold.phase.compareAndSet(phase, Hold.Phase.FINISHED)) {
        late = phase == Hold.Phase.EXPIRED;
        break;
      }
      // lost to expiry (ACTIVE -> EXPIRED): settle as late
    }
    forget(hold);
    long held = late ? 0 : hold.amount;
    long over = Math.max(0, actualMicros - held);
    Instant now = clock.instant();
    List<ThresholdCrossed> events = new ArrayList<>(0);
    for (BudgetState s : hold.budgets) {
      s.lock.lock();
      try {
        keep(s.roll(now));
        s.charge(actualMicros, held, over);
        if (!s.removed()) {
          events.addAll(s.crossings(now));
        }
      } finally {
        s.lock.unlock();
      }
    }
    events.forEach(this::announce);
    return new SettleResult.Settled(reservationId, actualMicros, over, late);
  }

  @Override
  public boolean release(String reservationId) {
    Hold hold = holds.get(reservationId);
    if (hold == null) {
      return false;
    }
    while (true) {
      Hold.Phase phase = hold.phase.get();
      if (phase == Hold.Phase.FINISHED) {
        return false;
      }
      if (hold.phase.compareAndSet(phase, Hold.Phase.FINISHED)) {
        forget(hold);
        if (phase == Hold.Phase.ACTIVE) {
          unhold(hold);
        }
        return true;
      }
    }
  }

  private void forget(Hold hold) {
    holds.remove(hold.id, hold);
  }

  private static void unhold(Hold hold) {
    for (BudgetState s : hold.budgets) {
      s.lock.lock();
      try {
        s.unhold(hold.amount);
      } finally {
        s.lock.unlock();
      }
    }
  }

  @Override
  public int expireOverdue() {
    return sweep(clock.millis());
  }

  /**
   * {@link #expireOverdue} when a hold may be due. A hold reserved while a sweep runs can be missed by
   * both (the sweep's iteration and its bound); the flusher's unconditional sweep finds it.
   */
  private int expireIfDue() {
    long now = clock.millis();
    return now < nextDueMillis.get() ? 0 : sweep(now);
  }

  private int sweep(long now) {
    // Raised to "nothing due" first: a hold reserved during the sweep lowers it again.
    nextDueMillis.set(Long.MAX_VALUE);
    long earliest = Long.MAX_VALUE;
    int expired = 0;
    for (Hold hold : holds.values()) {
      long due = hold.dueMillis;
      if (due > now) {
        earliest = Math.min(earliest, due);
      } else if (hold.phase.compareAndSet(Hold.Phase.ACTIVE, Hold.Phase.EXPIRED)) {
        unhold(hold);
        expired++;
        // Kept a while so that a slow (not dead) caller's settlement is still charged.
        hold.dueMillis = now + lateSettleGrace.toMillis();
        earliest = Math.min(earliest, hold.dueMillis);
      } else if (hold.phase.compareAndSet(Hold.Phase.EXPIRED, Hold.Phase.FINISHED)) {
        holds.remove(hold.id, hold);
        log.warn("budget reservation {} of {} micros was never settled; forgotten", hold.id, hold.amount);
      }
    }
    dueBy(earliest);
    return expired;
  }

  @Override
  public Optional<BudgetStatus> status(BudgetRef budget) {
    BudgetState s = states.get(budget.budgetId());
    if (s == null) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    s.lock.lock();
    try {
      keep(s.roll(now));
      return Optional.of(s.status());
    } finally {
      s.lock.unlock();
    }
  }

  /** The current window of every budget, sorted by id (for reporting). */
  public List<BudgetStatus> statuses() {
    return states.keySet().stream().sorted().map(id -> status(new BudgetRef(id))).flatMap(Optional::stream).toList();
  }

  /** Reservations live or expired-but-settleable: bounded by calls in flight plus recent lapses. */
  public int liveReservations() {
    return holds.size();
  }

  /** Windows whose settled spend waits for the next flush. */
  public int unsavedWindows() {
    int dirty = 0;
    for (BudgetState s : states.values()) {
      s.lock.lock();
      try {
        dirty += s.dirty() && !unsaved.containsKey(new WindowKey(s.id, s.windowStart().toEpochMilli())) ? 1 : 0;
      } finally {
        s.lock.unlock();
      }
    }
    return unsaved.size() + dirty;
  }

  /** Queues a closed window's final row (a rollover, a new period) for the next flush; null: nothing to keep. */
  private void keep(SpendRow closed) {
    if (closed != null) {
      unsaved.merge(new WindowKey(closed.budgetId(), closed.periodStartMillis()), closed, LocalBudgetStore::later);
    }
  }

  /** Of two rows of one window, the later: spend only grows within a window. */
  private static SpendRow later(SpendRow a, SpendRow b) {
    return b.spentMicros() >= a.spentMicros() ? b : a;
  }

  private void announce(ThresholdCrossed event) {
    try {
      listener.thresholdCrossed(event);
    } catch (RuntimeException e) {
      log.warn("budget listener failed on {} at {}%: {}", event.budget().id(), event.percent(), e.toString());
    }
  }

  /**
   * Writes every window whose settled spend changed since the last flush (blocking). A row replaced
   * while it was being written stays queued for the next flush. Throws when the database refuses;
   * the rows stay queued.
   */
  public void flush() {
    controlLock.lock();
    try {
      // Closed windows and rows of failed writes first; a live window's row taken now is newer than either.
      Map<WindowKey, SpendRow> batch = new LinkedHashMap<>(unsaved);
      for (BudgetState s : states.values()) {
        SpendRow row;
        s.lock.lock();
        try {
          row = s.takeDirty();
        } finally {
          s.lock.unlock();
        }
        if (row != null) {
          batch.merge(new WindowKey(row.budgetId(), row.periodStartMillis()), row, LocalBudgetStore::later);
        }
      }
      if (batch.isEmpty()) {
        return;
      }
      try {
        persistence.saveSpend(List.copyOf(batch.values()), clock.millis());
      } catch (RuntimeException e) {
        batch.values().forEach(this::keep); // taken rows are no longer marked in their states: queue them
        throw e;
      }
      // A queued row the written one covers goes (it may be older: a live window's newer row replaced it in the
      // batch); one queued meanwhile with more spend stays for the next write.
      batch.forEach((key, written) -> unsaved.computeIfPresent(key,
          (k, queued) -> queued.spentMicros() <= written.spentMicros() ? null : queued));
    } finally {
      controlLock.unlock();
    }
  }

  private void flushLoop() {
    Duration backoff = flushInterval;
    while (!closing.get()) {
      LockSupport.parkNanos(backoff.toNanos());
      if (closing.get()) {
        return;
      }
      try {
        expireOverdue();
        flush();
        backoff = flushInterval;
      } catch (RuntimeException e) {
        log.warn("cannot write budget spend ({} windows waiting), retrying: {}", unsaved.size(), e.toString());
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
      }
    }
  }

  /** Stops the flusher and writes the remaining spend, retrying for up to {@code timeout}. Idempotent. */
  public void close(Duration timeout) {
    if (closing.getAndSet(true)) {
      return;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    Thread t = flusher;
    if (t != null) {
      LockSupport.unpark(t);
      try {
        t.join(timeout);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    while (true) {
      try {
        flush();
        return;
      } catch (RuntimeException e) {
        if (System.nanoTime() >= deadline || Thread.currentThread().isInterrupted()) {
          log.error("budget spend of {} windows could not be written before shutdown: {}", unsaved.size(),
              e.toString());
          return;
        }
        LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
      }
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }

  private record WindowKey(String budgetId, long periodStartMillis) {}
}
