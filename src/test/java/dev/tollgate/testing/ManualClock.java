package dev.tollgate.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** A UTC clock that moves only when a test says so; thread-safe, so concurrent code under test may share it. */
public final class ManualClock extends Clock {
  /** Where a clock starts when the test does not care. */
  public static final Instant DEFAULT_START = Instant.parse("2026-03-01T12:00:00Z");

  private final AtomicReference<Instant> now;

  public ManualClock() {
    this(DEFAULT_START);
  }

  public ManualClock(Instant start) {
    this.now = new AtomicReference<>(start);
  }

  public ManualClock(long startMillis) {
    this(Instant.ofEpochMilli(startMillis));
  }

  public void advance(Duration by) {
    now.updateAndGet(i -> i.plus(by));
  }

  public void advance(long millis) {
    advance(Duration.ofMillis(millis));
  }

  public void set(Instant instant) {
    now.set(instant);
  }

  public void set(long millis) {
    set(Instant.ofEpochMilli(millis));
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public long millis() {
    return now.get().toEpochMilli();
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
