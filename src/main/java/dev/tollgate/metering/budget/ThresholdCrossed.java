package dev.tollgate.metering.budget;

import java.time.Instant;

/**
 * Settled spend of a budget reached one of its alert thresholds; fired once per threshold per window.
 *
 * @param percent the threshold reached
 * @param spentMicros the window's settled spend just after the settlement that reached it
 * @param at when that settlement happened
 */
public record ThresholdCrossed(Budget budget, int percent, Instant windowStart, long spentMicros, Instant at) {}
