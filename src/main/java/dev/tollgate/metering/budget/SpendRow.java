package dev.tollgate.metering.budget;

/**
 * Settled spend of one budget in one window, as stored: absolute values, so writing a row twice is
 * harmless.
 *
 * @param periodStartMillis the window's start, epoch milliseconds UTC (0 for a lifetime budget)
 */
public record SpendRow(String budgetId, long periodStartMillis, long spentMicros, long overrunMicros) {}
