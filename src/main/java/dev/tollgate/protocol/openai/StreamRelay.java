package dev.tollgate.protocol.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocol.openai.RelayOutcome.Result;
import dev.tollgate.protocol.openai.StreamTap.MalformedStreamException;
import dev.tollgate.provider.UpstreamCall;
import dev.tollgate.provider.UpstreamException;
import dev.tollgate.provider.UpstreamResponse;
import dev.tollgate.server.ApiError;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.ReadStream;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Relays an upstream SSE stream to the client event by event, as the original bytes, with
 * back-pressure both ways.
 *
 * <p>Streams never lie: {@code [DONE]} reaches the client only if the upstream sent it; a stream that
 * breaks (reset, timeout, malformed data, end without {@code [DONE]}) ends with an OpenAI error event
 * instead. Response headers are committed only with the first whole event, so a failure before that
 * leaves the response to the caller (a clean error status now, a failover later).
 *
 * <p>One instance per stream, confined to the event loop of the request.
 */
public final class StreamRelay {
  private final UpstreamCall call;
  private final UpstreamResponse upstream;
  private final HttpServerResponse out;
  private final boolean stripUsage;
  private final Consumer<HttpServerResponse> onCommit;
  private final BooleanSupplier mayCommit;
  private final String provider;
  private final StreamTap tap;
  private final SseSplitter splitter;
  private final Promise<RelayOutcome> outcome = Promise.promise();

  private boolean committed;
  private boolean finished;
  private long firstByteNanos = -1;

  /**
   * @param stripUsage drop the usage-only chunk (the client did not ask for it; the gateway did)
   * @param onCommit sets status and headers just before the first byte goes out
   */
  public StreamRelay(ObjectMapper json, UpstreamCall call, UpstreamResponse upstream, HttpServerResponse out,
      boolean stripUsage, Consumer<HttpServerResponse> onCommit, String provider, int maxEventBytes) {
    this(json, call, upstream, out, stripUsage, onCommit, () -> true, provider, maxEventBytes);
  }

  /**
   * @param mayCommit asked once, before the first byte goes out: false when another attempt (a hedge)
   *     already answers this client, and this one must step aside
   */
  public StreamRelay(ObjectMapper json, UpstreamCall call, UpstreamResponse upstream, HttpServerResponse out,
      boolean stripUsage, Consumer<HttpServerResponse> onCommit, BooleanSupplier mayCommit, String provider,
      int maxEventBytes) {
    this.mayCommit = mayCommit;
    this.call = call;
    this.upstream = upstream;
    this.out = out;
    this.stripUsage = stripUsage;
    this.onCommit = onCommit;
    this.provider = provider;
    this.tap = new StreamTap(json);
    this.splitter = new SseSplitter(maxEventBytes);
  }

  public Future<RelayOutcome> start() {
    ReadStream<Buffer> body = upstream.body();
    body.exceptionHandler(this::onFailure);
    body.endHandler(v -> onEnd());
    body.handler(this::onChunk);
    return outcome.future();
  }

  /** The client went away: stop, abort upstream, keep what was used. */
  public void clientClosed() {
    if (finished) {
      return;
    }
    finished = true;
    call.abort();
    complete(Result.CLIENT_CLOSED, committed ? 200 : 499, Optional.empty());
  }

  private void onChunk(Buffer chunk) {
    if (finished) {
      return;
    }
    List<Buffer> events;
    try {
      events = splitter.feed(chunk);
    } catch (IllegalStateException e) {
      fail(ApiError.upstreamProtocol(provider, e.getMessage()));
      return;
    }
    // Everything one upstream read completed goes out in one write: one syscall and one chunk on the
    // wire instead of one per event (a burst of events otherwise costs a flush each).
    Buffer batch = null;
    boolean batchOwned = false;
    for (Buffer event : events) {
      if (tap.done()) {
        break; // nothing after [DONE] is part of the answer
      }
      StreamTap.Kind kind;
      try {
        kind = tap.inspect(event);
      } catch (MalformedStreamException e) {
        if (batch != null) {
          write(batch); // the good events before the bad one still reach the client, then the error
        }
        fail(ApiError.upstreamProtocol(provider, "malformed event stream: " + e.getMessage()));
        return;
      }
      if (kind == StreamTap.Kind.USAGE_ONLY && stripUsage) {
        continue;
      }
      if (batch == null) {
        batch = event;
      } else {
        if (!batchOwned) {
          batch = Buffer.buffer(chunk.length()).appendBuffer(batch);
          batchOwned = true;
        }
        batch.appendBuffer(event);
      }
    }
    if (batch != null) {
      write(batch);
    }
    if (out.writeQueueFull()) {
      ReadStream<Buffer> body = upstream.body();
      body.pause();
      out.drainHandler(v -> body.resume());
    }
  }

  private void write(Buffer events) {
    if (!committed && !mayCommit.getAsBoolean()) {
      clientClosed(); // another attempt won the race to this client
      return;
    }
    if (!committed) {
      committed = true;
      firstByteNanos = System.nanoTime();
      onCommit.accept(out);
      out.setChunked(true);
    }
    out.write(events);
  }

  private void onEnd() {
    if (finished) {
      return;
    }
    if (tap.done()) {
      finished = true;
      out.end();
      complete(tap.error().isPresent() ? Result.UPSTREAM_ERROR : Result.OK, 200, Optional.empty());
    } else if (tap.error().isPresent() && committed) {
      // The upstream's own error event already went out; end without [DONE].
      finished = true;
      out.end();
      complete(Result.UPSTREAM_ERROR, 200, Optional.empty());
    } else if (splitter.pendingBytes() > 0) {
      fail(ApiError.upstreamProtocol(provider, "the stream ended in the middle of an event"));
    } else {
      fail(ApiError.upstreamProtocol(provider, "the stream ended without [DONE]"));
    }
  }

  private void onFailure(Throwable t) {
    if (finished) {
      return;
    }
    if (t instanceof UpstreamException u && u.kind() == UpstreamException.Kind.TIMEOUT) {
      fail(ApiError.upstreamTimeout(provider, u.getMessage()));
    } else {
      fail(ApiError.upstreamProtocol(provider, "connection lost mid-stream (" + t.getMessage() + ")"));
    }
  }

  private void fail(ApiError error) {
    if (finished) {
      return;
    }
    finished = true;
    call.abort();
    Result result = error.status() == 504 ? Result.TIMEOUT : committed ? Result.PARTIAL : Result.UPSTREAM_ERROR;
    if (committed && !out.closed()) {
      out.write(ErrorBodies.streamEvent(error));
      out.end();
    }
    complete(result, committed ? 200 : error.status(), Optional.of(error));
  }

  private void complete(Result result, int status, Optional<ApiError> error) {
    outcome.tryComplete(new RelayOutcome(result, status, tap.usage(), tap.text(), firstByteNanos, error, committed));
  }
}
