package dev.tollgate.metering.wal;

/** Why the write-ahead log refused or failed an operation; each kind maps to one answer at the edge. */
public abstract sealed class WalException extends RuntimeException
    permits WalFullException, WalClosedException, WalFailedException, WalCorruptionException {

  WalException(String message, Throwable cause) {
    super(message, cause);
  }
}
