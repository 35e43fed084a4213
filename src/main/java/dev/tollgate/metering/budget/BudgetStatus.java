package dev.tollgate.metering.budget;

import java.time.Instant;
import java.util.Optional;

/**
 * A budget's current window at one moment.
 *
 * @param spentMicros settled spend of the window, overruns included
 * @param reservedMicros held by calls in flight
 * @param remainingMicros what a new call may still reserve: amount - spent - reserved, never below 0
 * @param overrunMicros the part of {@code spentMicros} that was never reserved (calls that cost more
 *     than their worst case, or settled after their reservation expired); only this can push spend
 *     past the amount
 * @param resetsAt when the window ends; empty for a lifetime budget
 */
public record BudgetStatus(Budget budget, Instant windowStart, Optional<Instant> resetsAt, long spentMicros,
    long reservedMicros, long remainingMicros, long overrunMicros) {}
