package dev.tollgate.provider;

import dev.tollgate.config.Timeouts;
import dev.tollgate.provider.UpstreamException.Kind;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * Enforces a provider's first-byte, idle and total timeouts around any {@link UpstreamCall}. When a
 * timer fires, the call is aborted and the failure surfaces as an {@link UpstreamException} of kind
 * {@code TIMEOUT}: through {@link #response()} if the headers have not arrived, else through the
 * body stream's exception handler.
 *
 * <p>Confined to one event loop: timers fire on it, so no field needs synchronisation.
 */
public final class TimedUpstreamCall implements UpstreamCall {
  private final UpstreamCall delegate;
  private final Vertx vertx;
  private final Timeouts timeouts;
  private final String provider;
  private final Future<UpstreamResponse> response;

  private long firstByteTimer = -1;
  private long idleTimer = -1;
  private long totalTimer = -1;
  private boolean firstByteSeen;
  private boolean finished;
  private UpstreamException timedOut;
  private TimedBody body;

  public TimedUpstreamCall(UpstreamCall delegate, Vertx vertx, Timeouts timeouts, String provider) {
    this.delegate = delegate;
    this.vertx = vertx;
    this.timeouts = timeouts;
    this.provider = provider;
    this.firstByteTimer = vertx.setTimer(timeouts.firstByte().toMillis(), id -> expire("first byte"));
    this.totalTimer = vertx.setTimer(timeouts.total().toMillis(), id -> expire("total"));
    this.response = delegate.response()
        .recover(failure -> {
          cancelTimers();
          return Future.failedFuture(timedOut != null ? timedOut : failure);
        })
        .map(r -> {
          body = new TimedBody(r.body());
          return new UpstreamResponse(r.status(), r.headers(), body);
        });
  }

  @Override
  public Future<UpstreamResponse> response() {
    return response;
  }

  @Override
  public void abort() {
    cancelTimers();
    delegate.abort();
  }

  @Override
  public boolean reached() {
    return delegate.reached();
  }

  private void expire(String which) {
    if (finished || timedOut != null) {
      return;
    }
    long limit = switch (which) {
      case "first byte" -> timeouts.firstByte().toMillis();
      case "idle" -> timeouts.idle().toMillis();
      default -> timeouts.total().toMillis();
    };
    timedOut = new UpstreamException(Kind.TIMEOUT, provider, which + " timeout after " + limit + " ms", null);
    cancelTimers();
    delegate.abort();
    if (body != null) {
      body.fail(timedOut);
    }
  }

  private void onChunk() {
    if (!firstByteSeen) {
      firstByteSeen = true;
      vertx.cancelTimer(firstByteTimer);
    }
    vertx.cancelTimer(idleTimer);
    idleTimer = vertx.setTimer(timeouts.idle().toMillis(), id -> expire("idle"));
  }

  private void cancelTimers() {
    vertx.cancelTimer(firstByteTimer);
    vertx.cancelTimer(idleTimer);
    vertx.cancelTimer(totalTimer);
  }

  /** The upstream body, observed for liveness; after a timeout it reports that and nothing else. */
  private final class TimedBody implements ReadStream<Buffer> {
    private final ReadStream<Buffer> source;
    private Handler<Throwable> exceptionHandler;
    private Handler<Void> endHandler;

    TimedBody(ReadStream<Buffer> source) {
      this.source = source;
    }

    void fail(UpstreamException e) {
      source.handler(null);
      source.endHandler(null);
      source.exceptionHandler(null);
      if (exceptionHandler != null) {
        exceptionHandler.handle(e);
      }
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      this.exceptionHandler = handler;
      source.exceptionHandler(t -> {
        finished = true;
        cancelTimers();
        if (handler != null) {
          handler.handle(timedOut != null ? timedOut : t);
        }
      });
      return this;
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> handler) {
      if (handler == null) {
        source.handler(null);
      } else {
        source.handler(chunk -> {
          if (timedOut != null) {
            return;
          }
          onChunk();
          handler.handle(chunk);
        });
      }
      return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
      // Back-pressure from a slow client is not upstream silence.
      vertx.cancelTimer(idleTimer);
      source.pause();
      return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
      if (firstByteSeen && !finished && timedOut == null) {
        vertx.cancelTimer(idleTimer);
        idleTimer = vertx.setTimer(timeouts.idle().toMillis(), id -> expire("idle"));
      }
      source.resume();
      return this;
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
      source.fetch(amount);
      return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> handler) {
      this.endHandler = handler;
      source.endHandler(v -> {
        finished = true;
        cancelTimers();
        if (endHandler != null && timedOut == null) {
          endHandler.handle(v);
        }
      });
      return this;
    }
  }
}
