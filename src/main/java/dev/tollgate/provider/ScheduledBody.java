package dev.tollgate.provider;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;

/**
 * A response body produced in-process: chunks released on timers, honouring pause/resume so
 * back-pressure works as it does for a network peer. Confined to one event loop.
 */
final class ScheduledBody implements ReadStream<Buffer> {
  private final Vertx vertx;
  private final ArrayDeque<Buffer> chunks;
  private final Duration firstDelay;
  private final Duration gap;

  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private long demand = Long.MAX_VALUE;
  private long timer = -1;
  private boolean started;
  private boolean due;
  private boolean cancelled;
  private boolean ended;

  ScheduledBody(Vertx vertx, List<Buffer> chunks, Duration firstDelay, Duration gap) {
    this.vertx = vertx;
    this.chunks = new ArrayDeque<>(chunks);
    this.firstDelay = firstDelay;
    this.gap = gap;
  }

  /** Stops producing; the reader sees neither more data nor an end. */
  void cancel() {
    cancelled = true;
    vertx.cancelTimer(timer);
  }

  private void start() {
    if (!started) {
      started = true;
      schedule(firstDelay);
    }
  }

  private void schedule(Duration delay) {
    if (delay.isZero()) {
      vertx.runOnContext(v -> tick());
    } else {
      timer = vertx.setTimer(delay.toMillis(), id -> tick());
    }
  }

  private void tick() {
    if (cancelled || ended) {
      return;
    }
    if (demand <= 0) {
      due = true;
      return;
    }
    due = false;
    Buffer next = chunks.poll();
    if (next == null) {
      ended = true;
      if (endHandler != null) {
        endHandler.handle(null);
      }
      return;
    }
    if (demand != Long.MAX_VALUE) {
      demand--;
    }
    if (handler != null) {
      handler.handle(next);
    }
    schedule(chunks.isEmpty() ? Duration.ZERO : gap);
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> h) {
    return this;
  }

  @Override
  public ReadStream<Buffer> handler(Handler<Buffer> h) {
    this.handler = h;
    if (h != null) {
      start();
    }
    return this;
  }

  @Override
  public ReadStream<Buffer> pause() {
    demand = 0;
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public ReadStream<Buffer> fetch(long amount) {
    demand = amount == Long.MAX_VALUE || demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
    if (due && demand > 0) {
      vertx.runOnContext(v -> tick());
    }
    return this;
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> h) {
    this.endHandler = h;
    return this;
  }
}
