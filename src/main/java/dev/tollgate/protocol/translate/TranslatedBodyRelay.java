package dev.tollgate.protocol.translate;

import dev.tollgate.metering.TokenUsage;
import dev.tollgate.protocol.canonical.ChatResponse;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.TranslationException;
import dev.tollgate.protocol.openai.RelayOutcome;
import dev.tollgate.protocol.openai.RelayOutcome.Result;
import dev.tollgate.provider.ProviderCodec;
import dev.tollgate.provider.ProviderError;
import dev.tollgate.provider.ProviderRefusalException;
import dev.tollgate.provider.UpstreamCall;
import dev.tollgate.provider.UpstreamException;
import dev.tollgate.provider.UpstreamResponse;
import dev.tollgate.server.ApiError;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Relays a whole (non-streamed) answer of a provider with its own wire format: reads it, decodes it
 * with the provider's codec, and answers in the caller's format. Error answers are classified by the
 * codec; {@code holdBack} decides whether one is kept from the caller (because it will be retried).
 * One per call, confined to the request's event loop.
 */
public final class TranslatedBodyRelay {
  private final ClientFormat format;
  private final ProviderCodec codec;
  private final UpstreamCall call;
  private final UpstreamResponse upstream;
  private final HttpServerResponse out;
  private final Consumer<HttpServerResponse> onCommit;
  private final BooleanSupplier mayCommit;
  private final String provider;
  private final long maxBytes;
  private final Predicate<ProviderError> holdBack;
  private final AnswerDefaults defaults;
  private final Promise<RelayOutcome> outcome = Promise.promise();
  private final Buffer body = Buffer.buffer();
  private boolean finished;

  public TranslatedBodyRelay(ClientFormat format, ProviderCodec codec, UpstreamCall call, UpstreamResponse upstream,
      HttpServerResponse out, Consumer<HttpServerResponse> onCommit, BooleanSupplier mayCommit, String provider,
      long maxBytes, Predicate<ProviderError> holdBack, AnswerDefaults defaults) {
    this.defaults = defaults;
    this.format = format;
    this.codec = codec;
    this.call = call;
    this.upstream = upstream;
    this.out = out;
    this.onCommit = onCommit;
    this.mayCommit = mayCommit;
    this.provider = provider;
    this.maxBytes = maxBytes;
    this.holdBack = holdBack;
  }

  public Future<RelayOutcome> start() {
    upstream.body().exceptionHandler(t -> fail(t instanceof UpstreamException u && u.kind() == UpstreamException.Kind.TIMEOUT
        ? ApiError.upstreamTimeout(provider, u.getMessage())
        : ApiError.upstreamProtocol(provider, "connection lost while reading the answer (" + t.getMessage() + ")")));
    upstream.body().endHandler(v -> onEnd());
    upstream.body().handler(chunk -> {
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
    call.abort();
    finish(Result.CLIENT_CLOSED, 499, Optional.empty(), "", Optional.empty());
  }

  private void onEnd() {
    if (finished) {
      return;
    }
    if (!upstream.ok()) {
      refused(codec.decodeError(upstream.status(), upstream.headers(), body));
      return;
    }
    ChatResponse response;
    Buffer answer;
    try {
      response = codec.decode(body).orDefaults(defaults.id(), defaults.model(), defaults.created());
      answer = format.answer(response);
    } catch (ProviderRefusalException e) {
      refused(e.error());
      return;
    } catch (TranslationException e) {
      fail(ApiError.upstreamProtocol(provider, e.getMessage()));
      return;
    }
    Optional<TokenUsage> usage = Optional.ofNullable(response.usage()).map(u -> u.toTokenUsage());
    String text = text(response);
    if (!mayCommit.getAsBoolean()) {
      finish(Result.CLIENT_CLOSED, 499, usage, text, Optional.empty()); // a hedge answered first
      return;
    }
    commit(200, answer);
    finish(Result.OK, 200, usage, text, Optional.empty());
  }

  /** An error answer (or a refusal in a 2xx body): held back for a retry, or passed on in the caller's shape. */
  private void refused(ProviderError e) {
    int status = e.status() >= 400 ? e.status() : 400;
    String type = status == 429 ? "rate_limit_error" : status >= 500 ? "api_error" : "invalid_request_error";
    ApiError error = new ApiError(status, type, e.type() == null || e.type().isEmpty() ? "upstream_" + status : e.type(),
        e.message(), null, e.retryAfterSeconds());
    if (holdBack.test(e) || !mayCommit.getAsBoolean()) {
      finish(Result.UPSTREAM_ERROR, status, Optional.empty(), "", Optional.of(error));
      return;
    }
    commit(status, format.error(error));
    finish(Result.UPSTREAM_ERROR, status, Optional.empty(), "", Optional.of(error));
  }

  private void commit(int status, Buffer bytes) {
    onCommit.accept(out.setStatusCode(status));
    out.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    out.end(bytes);
  }

  private void fail(ApiError error) {
    if (finished) {
      return;
    }
    call.abort();
    finish(error.status() == 504 ? Result.TIMEOUT : Result.UPSTREAM_ERROR, error.status(), Optional.empty(), "",
        Optional.of(error));
  }

  private void finish(Result result, int status, Optional<TokenUsage> usage, String text, Optional<ApiError> error) {
    finished = true;
    boolean committed = out.headWritten();
    outcome.tryComplete(new RelayOutcome(result, status, usage, text, committed ? System.nanoTime() : -1, error,
        committed));
  }

  /** The answer's text, for counting tokens locally when the provider reported none. */
  static String text(ChatResponse response) {
    StringBuilder sb = new StringBuilder();
    for (ChatResponse.Candidate c : response.candidates()) {
      for (Part p : c.parts()) {
        switch (p) {
          case Part.Text t -> sb.append(t.text());
          case Part.Reasoning r -> sb.append(r.text() == null ? "" : r.text());
          case Part.ToolCall t -> sb.append(t.name()).append(t.argumentsJson());
          default -> { }
        }
      }
    }
    return sb.toString();
  }
}
