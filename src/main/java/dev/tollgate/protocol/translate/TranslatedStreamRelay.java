package dev.tollgate.protocol.translate;

import dev.tollgate.metering.TokenUsage;
import dev.tollgate.protocol.canonical.StreamDecoder;
import dev.tollgate.protocol.canonical.StreamEncoder;
import dev.tollgate.protocol.canonical.StreamEvent;
import dev.tollgate.protocol.canonical.TranslationException;
import dev.tollgate.protocol.openai.RelayOutcome;
import dev.tollgate.protocol.openai.RelayOutcome.Result;
import dev.tollgate.provider.ProviderRefusalException;
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
 * Relays a streamed answer of a provider with its own wire format: the provider's decoder turns its
 * bytes into canonical events, the caller's encoder writes them in the caller's format, with
 * back-pressure both ways. Like the pass-through relay, it never lies: the caller's end marker goes
 * out only after the provider's own clean end, and a stream that breaks after its first byte ends
 * with an error event in the caller's format. Headers are committed with the first bytes, so a
 * failure before that can still be retried. One per stream, confined to the request's event loop.
 */
public final class TranslatedStreamRelay {
  private static final int TEXT_LIMIT = 4 * 1024 * 1024;

  private final StreamDecoder decoder;
  private final StreamEncoder encoder;
  private final UpstreamCall call;
  private final UpstreamResponse upstream;
  private final HttpServerResponse out;
  private final Consumer<HttpServerResponse> onCommit;
  private final BooleanSupplier mayCommit;
  private final String provider;
  private final AnswerDefaults defaults;
  private final Promise<RelayOutcome> outcome = Promise.promise();
  private final StringBuilder text = new StringBuilder();

  private TokenUsage usage;
  private boolean committed;
  private boolean ended;
  private boolean finished;
  private long firstByteNanos = -1;
  private String streamError;

  public TranslatedStreamRelay(StreamDecoder decoder, StreamEncoder encoder, UpstreamCall call,
      UpstreamResponse upstream, HttpServerResponse out, Consumer<HttpServerResponse> onCommit,
      BooleanSupplier mayCommit, String provider, AnswerDefaults defaults) {
    this.defaults = defaults;
    this.decoder = decoder;
    this.encoder = encoder;
    this.call = call;
    this.upstream = upstream;
    this.out = out;
    this.onCommit = onCommit;
    this.mayCommit = mayCommit;
    this.provider = provider;
  }

  public Future<RelayOutcome> start() {
    ReadStream<Buffer> body = upstream.body();
    body.exceptionHandler(this::onFailure);
    body.endHandler(v -> onEnd());
    body.handler(this::onChunk);
    return outcome.future();
  }

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
    List<StreamEvent> events;
    try {
      events = decoder.feed(chunk);
    } catch (ProviderRefusalException e) {
      fail(ApiError.invalidRequest(e.getMessage(), null), Result.UPSTREAM_ERROR);
      return;
    } catch (TranslationException e) {
      fail(ApiError.upstreamProtocol(provider, "malformed stream: " + e.getMessage()), Result.UPSTREAM_ERROR);
      return;
    }
    relay(events);
    if (!finished && out.writeQueueFull()) {
      ReadStream<Buffer> body = upstream.body();
      body.pause();
      out.drainHandler(v -> body.resume());
    }
  }

  private void relay(List<StreamEvent> events) {
    Buffer batch = Buffer.buffer();
    for (StreamEvent event : events) {
      if (ended) {
        break; // nothing after the end is part of the answer
      }
      switch (event) {
        case StreamEvent.TextDelta t -> keep(t.text());
        case StreamEvent.ReasoningDelta r -> keep(r.text());
        case StreamEvent.ToolCallStart t -> keep(t.name());
        case StreamEvent.ToolCallDelta t -> keep(t.argumentsFragment());
        case StreamEvent.UsageReport u -> usage = u.usage().toTokenUsage();
        case StreamEvent.End e -> ended = true;
        case StreamEvent.Failure f -> streamError = f.type() + ": " + f.message();
        default -> { }
      }
      if (event instanceof StreamEvent.Failure f) {
        // Before anything reached the caller, the failure stays the gateway's (it may retry);
        // after, the caller gets it as the stream's last event.
        if (committed || batch.length() > 0) {
          batch.appendBuffer(encoder.failure(f.type(), f.message()));
          write(batch);
        }
        finished = true;
        call.abort();
        if (committed && !out.closed()) {
          out.end();
        }
        ApiError error = new ApiError(502, "api_error", "upstream_stream_error",
            "the upstream provider '" + provider + "' reported an error mid-stream: " + f.message());
        complete(committed ? Result.PARTIAL : Result.UPSTREAM_ERROR, committed ? 200 : 502, Optional.of(error));
        return;
      }
      batch.appendBuffer(encoder.encode(event instanceof StreamEvent.Start start
          ? start.orDefaults(defaults.id(), defaults.model(), defaults.created()) : event));
    }
    write(batch);
    if (ended && !finished) {
      finished = true;
      if (committed) {
        out.end();
      }
      complete(Result.OK, 200, Optional.empty());
    }
  }

  private void keep(String s) {
    if (s != null && text.length() < TEXT_LIMIT) {
      text.append(s, 0, Math.min(s.length(), TEXT_LIMIT - text.length()));
    }
  }

  private void write(Buffer bytes) {
    if (bytes.length() == 0) {
      return;
    }
    if (!committed) {
      if (!mayCommit.getAsBoolean()) {
        clientClosed(); // a hedge answered first
        return;
      }
      committed = true;
      firstByteNanos = System.nanoTime();
      onCommit.accept(out);
      out.setChunked(true);
    }
    out.write(bytes);
  }

  private void onEnd() {
    if (finished) {
      return;
    }
    List<StreamEvent> events;
    try {
      events = decoder.end();
    } catch (ProviderRefusalException e) {
      fail(ApiError.invalidRequest(e.getMessage(), null), Result.UPSTREAM_ERROR);
      return;
    } catch (TranslationException e) {
      fail(ApiError.upstreamProtocol(provider, "the stream ended badly: " + e.getMessage()), Result.UPSTREAM_ERROR);
      return;
    }
    relay(events);
    if (!finished) {
      fail(ApiError.upstreamProtocol(provider, "the stream ended without its end marker"), Result.UPSTREAM_ERROR);
    }
  }

  private void onFailure(Throwable t) {
    if (finished) {
      return;
    }
    if (t instanceof UpstreamException u && u.kind() == UpstreamException.Kind.TIMEOUT) {
      fail(ApiError.upstreamTimeout(provider, u.getMessage()), Result.TIMEOUT);
    } else {
      fail(ApiError.upstreamProtocol(provider, "connection lost mid-stream (" + t.getMessage() + ")"),
          Result.UPSTREAM_ERROR);
    }
  }

  private void fail(ApiError error, Result result) {
    if (finished) {
      return;
    }
    finished = true;
    call.abort();
    if (committed && !out.closed()) {
      out.write(encoder.failure(error.type(), error.message()));
      out.end();
    }
    Result r = result == Result.TIMEOUT ? Result.TIMEOUT : committed ? Result.PARTIAL : result;
    complete(r, committed ? 200 : error.status(), Optional.of(error));
  }

  private void complete(Result result, int status, Optional<ApiError> error) {
    if (streamError != null && error.isEmpty()) {
      error = Optional.of(new ApiError(502, "api_error", "upstream_stream_error", streamError));
    }
    outcome.tryComplete(new RelayOutcome(result, status, Optional.ofNullable(usage), text.toString(), firstByteNanos,
        error, committed));
  }
}
