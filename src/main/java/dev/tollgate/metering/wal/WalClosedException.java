package dev.tollgate.metering.wal;

/** The write-ahead log was closed before the append; nothing was written. */
public final class WalClosedException extends WalException {
  public WalClosedException() {
    super("write-ahead log is closed", null);
  }
}
