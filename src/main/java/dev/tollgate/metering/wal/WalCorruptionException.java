package dev.tollgate.metering.wal;

import java.nio.file.Path;

/** A record that was valid at open or when written no longer checks out while being replayed. */
public final class WalCorruptionException extends WalException {
  private final Path segment;
  private final long offset;

  public WalCorruptionException(Path segment, long offset) {
    super("corrupt write-ahead log record in %s at offset %d".formatted(segment, offset), null);
    this.segment = segment;
    this.offset = offset;
  }

  public Path segment() {
    return segment;
  }

  public long offset() {
    return offset;
  }
}
