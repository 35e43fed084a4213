package dev.tollgate.metering.budget;

/** What a reservation attempt came to: every touched budget holds the worst case, or one refused it. */
public sealed interface ReserveResult permits Reservation, Refused {}
