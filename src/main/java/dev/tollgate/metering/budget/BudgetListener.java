package dev.tollgate.metering.budget;

/**
 * Receives budget threshold crossings. Called on the settling thread (possibly an event loop) after
 * the store's locks are released: it must not block. A listener that throws is logged and ignored.
 */
@FunctionalInterface
public interface BudgetListener {
  BudgetListener NONE = event -> { };

  void thresholdCrossed(ThresholdCrossed event);
}
