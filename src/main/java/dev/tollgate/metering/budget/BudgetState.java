package dev.tollgate.metering.budget;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The live counters of one budget. Every field and method is guarded by {@link #lock}; callers that
 * lock several states lock them in ascending id order (see {@link LocalBudgetStore}).
 *
 * <p>Reservations carry over a window's end: a call admitted at 23:59:59 still holds its worst case
 * after midnight, and its actual cost lands in the window where it settles. Each window's spend thus
 * stays within its amount: the old window is frozen at rollover, and the new one starts with the
 * carried holds counted against it.
 */
final class BudgetState {
  final String id;
  final ReentrantLock lock = new ReentrantLock();
  // @GuardedBy("lock") for all below
  private Budget budget;
  private Instant windowStart;
  private Instant windowEnd; // null: never ends
  private long spent;
  private long reserved;
  private long overrun;
  private long crossed; // bit i: thresholdsPercent[i] fired in this window
  private boolean removed;
  // Settled spend changed since the store last took this window's row to write it. A flag rather than a
  // shared map entry per settle: every call of a team settles into the same state, from every event loop.
  private boolean dirty;

  BudgetState(Budget budget, Instant now, Optional<SpendRow> stored) {
    this.id = budget.id();
    this.budget = budget;
    openWindow(now, stored);
  }

  private void openWindow(Instant now, Optional<SpendRow> stored) {
    windowStart = budget.period().windowStart(now);
    windowEnd = budget.period().windowEnd(windowStart).orElse(null);
    spent = stored.map(SpendRow::spentMicros).orElse(0L);
    overrun = stored.map(SpendRow::overrunMicros).orElse(0L);
    // Thresholds already reached were announced before the restart (or redefinition): not again.
    crossed = 0;
    crossings(now);
  }

  Budget budget() {
    return budget;
  }

  Instant windowStart() {
    return windowStart;
  }

  boolean removed() {
    return removed;
  }

  void markRemoved() {
    removed = true;
  }

  /**
   * Starts a new window when {@code now} has passed the current one's end; returns the closed window's
   * final row when its spend was not taken for writing yet (the caller keeps it for the next write), else null.
   */
  SpendRow roll(Instant now) {
    if (windowEnd != null && !now.isBefore(windowEnd)) {
      SpendRow closed = takeDirty();
      openWindow(now, Optional.empty());
      return closed;
    }
    return null;
  }

  /**
   * Installs a new definition; a new period opens the window it defines, with {@code stored} spend. Returns
   * the closed window's unwritten row, as {@link #roll} does.
   */
  SpendRow redefine(Budget next, Instant now, Optional<SpendRow> stored) {
    boolean newPeriod = next.period() != budget.period();
    budget = next;
    if (newPeriod) {
      SpendRow closed = takeDirty();
      openWindow(now, stored);
      return closed;
    }
    crossed = 0;
    crossings(now);
    return null;
  }

  /**
   * This window's row if its spend changed since the last time it was taken, else null (always null once the
   * budget is removed: its spend is deleted, not written); clears the mark.
   */
  SpendRow takeDirty() {
    if (!dirty || removed) {
      return null;
    }
    dirty = false;
    return row();
  }

  /** Whether settled spend waits to be taken for writing. */
  boolean dirty() {
    return dirty;
  }

  long remaining() {
    return budget.amountMicros() - spent - reserved;
  }

  boolean canHold(long micros) {
    return micros <= remaining();
  }

  void hold(long micros) {
    reserved = Math.addExact(reserved, micros);
  }

  void unhold(long micros) {
    reserved -= micros;
  }

  /** Charges a settled cost; {@code held} is what its reservation still held here (0 once expired). */
  void charge(long actual, long held, long over) {
    reserved -= held;
    spent = Math.addExact(spent, actual);
    overrun = Math.addExact(overrun, over);
    dirty = true;
  }

  /** Thresholds newly reached by the settled spend, marked so that each fires once per window. */
  List<ThresholdCrossed> crossings(Instant now) {
    List<ThresholdCrossed> events = List.of();
    List<Integer> thresholds = budget.thresholdsPercent();
    for (int i = 0; i < thresholds.size(); i++) {
      long bit = 1L << i;
      if ((crossed & bit) == 0 && budget.reached(spent, thresholds.get(i))) {
        crossed |= bit;
        if (events.isEmpty()) {
          events = new ArrayList<>(2);
        }
        events.add(new ThresholdCrossed(budget, thresholds.get(i), windowStart, spent, now));
      }
    }
    return events;
  }

  Refused refusal(long needed) {
    return new Refused(budget, needed, Math.max(0, remaining()), Optional.ofNullable(windowEnd));
  }

  SpendRow row() {
    return new SpendRow(id, windowStart.toEpochMilli(), spent, overrun);
  }

  BudgetStatus status() {
    return new BudgetStatus(budget, windowStart, Optional.ofNullable(windowEnd), spent, reserved,
        Math.max(0, remaining()), overrun);
  }
}
