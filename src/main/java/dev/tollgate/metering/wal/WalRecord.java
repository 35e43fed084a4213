package dev.tollgate.metering.wal;

/**
 * One durable record as replayed. The payload array is the caller's to keep (a fresh copy per record).
 *
 * @param seq its sequence number, unique and increasing for the life of the directory
 * @param appendedAtMillis when {@link Wal#append} was called (the WAL's clock, epoch milliseconds)
 * @param payload the bytes appended
 */
public record WalRecord(long seq, long appendedAtMillis, byte[] payload) {}
