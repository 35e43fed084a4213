package dev.tollgate.metering.wal;

/** The append would take the live segments past {@code max_disk_bytes}; nothing was written (answer 503). */
public final class WalFullException extends WalException {
  private final long requestedBytes;
  private final long usedBytes;
  private final long maxBytes;

  public WalFullException(long requestedBytes, long usedBytes, long maxBytes) {
    super("write-ahead log full: %d bytes requested, %d of %d in use until the database catches up"
        .formatted(requestedBytes, usedBytes, maxBytes), null);
    this.requestedBytes = requestedBytes;
    this.usedBytes = usedBytes;
    this.maxBytes = maxBytes;
  }

  public long requestedBytes() {
    return requestedBytes;
  }

  public long usedBytes() {
    return usedBytes;
  }

  public long maxBytes() {
    return maxBytes;
  }
}
