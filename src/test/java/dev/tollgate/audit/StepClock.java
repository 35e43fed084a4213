package dev.tollgate.audit;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that tests move by hand; thread-safe, so concurrent appenders may share it. */
final class StepClock extends Clock {
  private final AtomicLong millis;

  StepClock(long startMillis) {
    this.millis = new AtomicLong(startMillis);
  }

  void advance(long by) {
    millis.addAndGet(by);
  }

  @Override
  public long millis() {
    return millis.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("tests use UTC");
  }
}
