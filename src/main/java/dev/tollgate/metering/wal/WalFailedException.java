package dev.tollgate.metering.wal;

/**
 * An I/O failure: the log cannot be opened, or a write or fsync failed. After a failed fsync the
 * state of the page cache is unknown (retrying it could report data durable that is not), so the log
 * stops: every pending and later append fails with this exception until the process restarts and
 * recovery reads what actually reached the disk.
 */
public final class WalFailedException extends WalException {
  public WalFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
