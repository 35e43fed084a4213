package dev.tollgate.metering.budget;

/** What settling a reservation came to. */
public sealed interface SettleResult {

  /**
   * The actual cost was charged to every budget of the reservation.
   *
   * @param overrunMicros how much of it was not held: above the worst case, or all of it when late
   * @param late the reservation had expired before it was settled
   */
  record Settled(String reservationId, long actualMicros, long overrunMicros, boolean late) implements SettleResult {}

  /** No live or recently expired reservation has this id: settled or released already, or long expired. */
  record Unknown(String reservationId) implements SettleResult {}
}
