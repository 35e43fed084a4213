package dev.tollgate.protocol.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocol.openai.RelayOutcome.Result;
import dev.tollgate.provider.UpstreamCall;
import dev.tollgate.provider.UpstreamException;
import dev.tollgate.provider.UpstreamResponse;
import dev.tollgate.server.ApiError;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Relays a whole (non-streamed) upstream answer: reads it up to a bound, takes the usage from it, and
 * passes the bytes on untouched with the upstream's status. Error answers in OpenAI's shape pass
 * through as they are; anything else from a failing upstream is wrapped in that shape. One instance
 * per call, confined to the request's event loop.
 */
public final class BodyRelay {
  private final ObjectMapper json;
  private final UpstreamCall call;
  private final UpstreamResponse upstream;
  private final HttpServerResponse out;
  private final Consumer<HttpServerResponse> onCommit;
  private final String provider;
  private final long maxBytes;
  private final ErrorGate gate;
  private final BooleanSupplier mayCommit;
  private final Promise<RelayOutcome> outcome = Promise.promise();
  private final Buffer body = Buffer.buffer();
  private boolean finished;

  public BodyRelay(ObjectMapper json, UpstreamCall call, UpstreamResponse upstream, HttpServerResponse out,
      Consumer<HttpServerResponse> onCommit, String provider, long maxBytes, ErrorGate gate) {
    this(json, call, upstream, out, onCommit, () -> true, provider, maxBytes, gate);
  }

  /** @param mayCommit asked before answering: false when another attempt (a hedge) already answers */
  public BodyRelay(ObjectMapper json, UpstreamCall call, UpstreamResponse upstream, HttpServerResponse out,
      Consumer<HttpServerResponse> onCommit, BooleanSupplier mayCommit, String provider, long maxBytes,
      ErrorGate gate) {
    this.mayCommit = mayCommit;
    this.json = json;
    this.call = call;
    this.upstream = upstream;
    this.out = out;
    this.onCommit = onCommit;
    this.provider = provider;
    this.maxBytes = maxBytes;
    this.gate = gate;
  }

  /** Decides whether an upstream error answer is held back from the client (because it will be retried). */
  @FunctionalInterface
  public interface ErrorGate {
    /** @param parsed the error body as JSON, or null when it is not JSON */
    boolean holdBack(int status, io.vertx.core.MultiMap headers, JsonNode parsed);

    ErrorGate NEVER = (status, headers, parsed) -> false;
  }

  public Future<RelayOutcome> start() {
    ReadStream<Buffer> stream = upstream.body();
    stream.exceptionHandler(this::onFailure);
    stream.endHandler(v -> onEnd());
    stream.handler(chunk -> {
      if (finished) {
        return;
      }
      if (body.length() + chunk.length() > maxBytes) {
        fail(ApiError.upstreamProtocol(provider, "the answer exceeds " + maxBytes + " bytes"));
        return;
      }
      body.appendBuffer(chunk);
    });
    return outcome.future();
  }

  public void clientClosed() {
    if (finished) {
      return;
    }
    finished = true;
    call.abort();
    outcome.tryComplete(new RelayOutcome(Result.CLIENT_CLOSED, 499, Optional.empty(), "", -1, Optional.empty(), false));
  }

  private void onEnd() {
    if (finished) {
      return;
    }
    JsonNode parsed;
    try {
      parsed = body.length() == 0 ? null : json.readTree(body.getBytes());
    } catch (IOException e) {
      parsed = null;
    }
    if (upstream.ok()) {
      if (parsed == null || !parsed.isObject()) {
        fail(ApiError.upstreamProtocol(provider, "the answer is not a JSON object"));
        return;
      }
      StringBuilder text = new StringBuilder();
      UsageReader.appendText(parsed.get("choices"), text, StreamTap.TEXT_LIMIT);
      Optional<dev.tollgate.metering.TokenUsage> usage = UsageReader.read(parsed.get("usage"));
      if (commit(upstream.status(), body)) {
        finish(Result.OK, upstream.status(), usage, text.toString(), Optional.empty());
      } else {
        // Lost the race to another attempt: what this answer consumed is still real.
        finish(Result.CLIENT_CLOSED, 499, usage, text.toString(), Optional.empty());
      }
      return;
    }
    // A failing upstream: its status, and its error body when that is already OpenAI-shaped.
    boolean openAiShaped = parsed != null && parsed.path("error").isObject();
    ApiError error = upstreamError(parsed);
    if (gate.holdBack(upstream.status(), upstream.headers(), parsed)) {
      finish(Result.UPSTREAM_ERROR, upstream.status(), Optional.empty(), "", Optional.of(error));
      return;
    }
    if (commit(upstream.status(), openAiShaped ? body : ErrorBodies.body(error))) {
      finish(Result.UPSTREAM_ERROR, upstream.status(), Optional.empty(), "", Optional.of(error));
    } else {
      finish(Result.CLIENT_CLOSED, 499, Optional.empty(), "", Optional.empty());
    }
  }

  private ApiError upstreamError(JsonNode parsed) {
    int status = upstream.status();
    String message = parsed != null && parsed.path("error").path("message").isTextual()
        ? parsed.path("error").path("message").asText()
        : "the upstream provider '" + provider + "' answered " + status;
    String type = status == 429 ? "rate_limit_error" : status >= 500 ? "api_error" : "invalid_request_error";
    return new ApiError(status, type, "upstream_" + status, message);
  }

  /** Answers the client; false (and nothing written) when another attempt already does. */
  private boolean commit(int status, Buffer bytes) {
    if (!mayCommit.getAsBoolean()) {
      return false;
    }
    onCommit.accept(out.setStatusCode(status));
    if (!out.headers().contains(HttpHeaders.CONTENT_TYPE)) {
      out.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    }
    out.end(bytes);
    return true;
  }

  private void onFailure(Throwable t) {
    if (t instanceof UpstreamException u && u.kind() == UpstreamException.Kind.TIMEOUT) {
      fail(ApiError.upstreamTimeout(provider, u.getMessage()));
    } else {
      fail(ApiError.upstreamProtocol(provider, "connection lost while reading the answer (" + t.getMessage() + ")"));
    }
  }

  private void fail(ApiError error) {
    if (finished) {
      return;
    }
    call.abort();
    finish(error.status() == 504 ? Result.TIMEOUT : Result.UPSTREAM_ERROR, error.status(), Optional.empty(), "",
        Optional.of(error));
  }

  private void finish(Result result, int status, Optional<dev.tollgate.metering.TokenUsage> usage, String text,
      Optional<ApiError> error) {
    finished = true;
    boolean committed = out.headWritten();
    long firstByte = committed ? System.nanoTime() : -1;
    outcome.tryComplete(new RelayOutcome(result, status, usage, text, firstByte, error, committed));
  }
}
