package dev.tollgate.server;

import dev.tollgate.access.Caller;
import dev.tollgate.config.ProviderConfig;
import dev.tollgate.metering.CompletedCall;
import dev.tollgate.protocol.openai.BodyRelay;
import dev.tollgate.protocol.openai.OpenAiRequest;
import dev.tollgate.protocol.openai.RelayOutcome;
import dev.tollgate.protocol.openai.RelayOutcome.Result;
import dev.tollgate.protocol.openai.StreamRelay;
import dev.tollgate.provider.Endpoint;
import dev.tollgate.provider.TimedUpstreamCall;
import dev.tollgate.provider.Upstream;
import dev.tollgate.provider.UpstreamCall;
import dev.tollgate.provider.UpstreamException;
import dev.tollgate.provider.UpstreamRequest;
import dev.tollgate.provider.UpstreamResponse;
import dev.tollgate.routing.Deployment;
import dev.tollgate.routing.Model;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy pipeline for one OpenAI endpoint, as a flat chain of stages on the request's event loop:
 * authenticate, decode, resolve the model, admit (reserve a usage slot), route, call, relay, settle.
 * Nothing here blocks; each stage either returns its result or fails with a {@link GatewayException}
 * that the edge turns into an OpenAI-shaped error.
 */
public final class ProxyHandler {
  private static final Logger access = LoggerFactory.getLogger("tollgate.access");
  private static final int MAX_EVENT_BYTES = 8 * 1024 * 1024;
  private static final long MAX_ANSWER_BYTES = 64L * 1024 * 1024;

  private final DataPlane plane;
  private final Map<String, Upstream> upstreams;
  private final Vertx vertx;
  private final Endpoint endpoint;

  public ProxyHandler(DataPlane plane, Map<String, Upstream> upstreams, Vertx vertx, Endpoint endpoint) {
    this.plane = plane;
    this.upstreams = upstreams;
    this.vertx = vertx;
    this.endpoint = endpoint;
  }

  /** A request that passed authentication, validation and model resolution. */
  private record Resolved(Caller caller, OpenAiRequest request, Model model) {}

  /** Timestamps of one request ({@code System.nanoTime()}); -1 when a moment did not happen. */
  private static final class Clocks {
    final long start = System.nanoTime();
    long upstreamStart = -1;
    long upstreamEnd = -1;
  }

  public void handle(RoutingContext ctx) {
    Clocks clocks = new Clocks();
    plane.inFlight().begin();
    ctx.addEndHandler(v -> plane.inFlight().end());
    Async.on(ctx.vertx().getOrCreateContext(), plane.authenticator().authenticate(Credentials.presented(ctx.request())))
        .map(caller -> resolve(ctx, caller))
        .map(this::admit)
        .onSuccess(resolved -> route(ctx, resolved, clocks))
        .onFailure(failure -> reject(ctx, failure, clocks.start));
  }

  private Resolved resolve(RoutingContext ctx, Caller caller) {
    OpenAiRequest request = plane.decoder().decode(endpoint, ctx.body().buffer());
    Model model = plane.catalog().find(request.model())
        .orElseThrow(() -> ApiError.unknownModel(request.model()).exception());
    if (!caller.mayUse(model.name())) {
      throw ApiError.modelNotAllowed(model.name()).exception();
    }
    return new Resolved(caller, request, model);
  }

  /** Reserves the usage slot this call will write into; refuses (503) rather than lose a record later. */
  private Resolved admit(Resolved resolved) {
    if (!plane.recorder().tryReserve()) {
      throw ApiError.overloaded("usage recording is saturated; retry shortly").exception();
    }
    return resolved;
  }

  private void reject(RoutingContext ctx, Throwable failure, long start) {
    ApiError error = ErrorResponder.toApiError(ctx, failure);
    plane.metrics().rejected(endpoint.label(), error.status());
    ErrorResponder.send(ctx, error);
    logAccess(ctx, null, null, error.status(), start, error.code());
  }

  private void route(RoutingContext ctx, Resolved resolved, Clocks clocks) {
    Deployment deployment = plane.selector().select(resolved.model());
    Upstream upstream = upstreams.get(deployment.provider());
    ProviderConfig provider = plane.provider(deployment.provider());
    UpstreamRequest upstreamRequest = new UpstreamRequest(endpoint, deployment.upstreamModel(),
        plane.encoder().encode(resolved.request(), deployment.upstreamModel()), resolved.request().stream(),
        RequestIds.of(ctx));
    clocks.upstreamStart = System.nanoTime();
    UpstreamCall call = new TimedUpstreamCall(upstream.open(upstreamRequest), vertx, provider.timeouts(),
        provider.name());
    Relay relay = new Relay();
    ctx.response().closeHandler(v -> {
      if (!ctx.response().ended()) {
        relay.clientClosed(call);
      }
    });
    call.response()
        .compose(response -> relay.start(ctx, resolved, deployment, call, response, clocks))
        .recover(failure -> Future.succeededFuture(outcomeOf(failure, provider.name(), relay.clientGone)))
        .onComplete(done -> finish(ctx, resolved, deployment, call, done.result(), clocks));
  }

  /** Holds the relay of a call so a client disconnect can reach it in any phase. */
  private final class Relay {
    StreamRelay stream;
    BodyRelay body;
    boolean clientGone;

    void clientClosed(UpstreamCall call) {
      clientGone = true;
      if (stream != null) {
        stream.clientClosed();
      } else if (body != null) {
        body.clientClosed();
      } else {
        call.abort();
      }
    }

    Future<RelayOutcome> start(RoutingContext ctx, Resolved resolved, Deployment deployment, UpstreamCall call,
        UpstreamResponse response, Clocks clocks) {
      boolean sse = response.ok() && resolved.request().stream();
      if (sse && !isEventStream(response.headers())) {
        call.abort();
        return Future.failedFuture(ApiError.upstreamProtocol(deployment.provider(),
            "a stream was asked for but the answer is " + response.headers().get(HttpHeaders.CONTENT_TYPE))
            .exception());
      }
      var onCommit = committer(ctx, deployment, response.headers(), clocks, sse);
      if (sse) {
        stream = new StreamRelay(plane.json(), call, response, ctx.response(), !resolved.request().clientWantsUsage(),
            onCommit, deployment.provider(), MAX_EVENT_BYTES);
        return stream.start();
      }
      body = new BodyRelay(plane.json(), call, response, ctx.response(), onCommit, deployment.provider(),
          MAX_ANSWER_BYTES);
      return body.start();
    }
  }

  private static boolean isEventStream(MultiMap headers) {
    String type = headers.get(HttpHeaders.CONTENT_TYPE);
    return type != null && type.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
  }

  /** Sets the answer's headers at the moment it is committed: forwarded upstream headers, routing, overhead. */
  private java.util.function.Consumer<HttpServerResponse> committer(RoutingContext ctx, Deployment deployment,
      MultiMap upstreamHeaders, Clocks clocks, boolean sse) {
    return out -> {
      forwardHeaders(upstreamHeaders, out);
      out.putHeader("x-tollgate-deployment", deployment.id());
      // What the gateway spent before the upstream had the request; after that, time is the model's.
      out.putHeader("x-tollgate-overhead-ms", millis(clocks.upstreamStart - clocks.start));
      if (sse) {
        out.putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream");
        out.putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
      } else {
        clocks.upstreamEnd = System.nanoTime();
        out.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
      }
    };
  }

  private static void forwardHeaders(MultiMap from, HttpServerResponse out) {
    for (Map.Entry<String, String> h : from) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (name.startsWith("x-ratelimit-") || name.equals("retry-after") || name.equals("retry-after-ms")
          || name.startsWith("openai-processing-ms")) {
        out.putHeader(h.getKey(), h.getValue());
      } else if (name.equals("x-request-id") || name.equals("apim-request-id")) {
        out.putHeader("x-upstream-request-id", h.getValue());
      }
    }
  }

  private static RelayOutcome outcomeOf(Throwable failure, String provider, boolean clientGone) {
    if (clientGone) {
      return new RelayOutcome(Result.CLIENT_CLOSED, 499, Optional.empty(), "", -1, Optional.empty(), false);
    }
    ApiError error;
    if (failure instanceof GatewayException g) {
      error = g.error();
    } else if (failure instanceof UpstreamException u) {
      error = switch (u.kind()) {
        case UNREACHABLE -> ApiError.upstreamUnreachable(provider);
        case TIMEOUT -> ApiError.upstreamTimeout(provider, u.getMessage());
        case PROTOCOL, CANCELLED -> ApiError.upstreamProtocol(provider, u.getMessage());
      };
    } else {
      LoggerFactory.getLogger(ProxyHandler.class).error("unexpected failure in the upstream call", failure);
      error = ApiError.internal();
    }
    Result result = error.status() == 504 ? Result.TIMEOUT : Result.UPSTREAM_ERROR;
    return new RelayOutcome(result, error.status(), Optional.empty(), "", -1, Optional.of(error), false);
  }

  /** The settle stage: answer the client if the relay could not, bill the call, measure it. */
  private void finish(RoutingContext ctx, Resolved resolved, Deployment deployment, UpstreamCall call,
      RelayOutcome outcome, Clocks clocks) {
    long end = System.nanoTime();
    if (!outcome.committed() && outcome.result() != Result.CLIENT_CLOSED) {
      ErrorResponder.send(ctx, outcome.error().orElseGet(ApiError::internal));
    }
    if (clocks.upstreamEnd < 0) {
      clocks.upstreamEnd = end;
    }
    long upstreamNanos = clocks.upstreamEnd - clocks.upstreamStart;
    long totalNanos = end - clocks.start;
    long ttftNanos = outcome.firstByteNanos() < 0 ? -1 : outcome.firstByteNanos() - clocks.start;
    if (call.reached()) {
      CompletedCall completed = new CompletedCall(RequestIds.of(ctx), resolved.caller().keyId(), endpoint.label(),
          resolved.model().name(), deployment.id(), deployment.provider(), deployment.upstreamModel(),
          outcome.result().label(), outcome.httpStatus(), outcome.usage(), outcome.text(),
          resolved.request().body(), billable(resolved, outcome),
          TimeUnit.NANOSECONDS.toMillis(totalNanos), ttftNanos < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(ttftNanos),
          resolved.request().stream(), outcome.error().map(ApiError::message).orElse(null));
      if (completed.reported().isPresent()) {
        plane.settlement().settle(completed);
      } else {
        // Counting tokens locally can take milliseconds for a large prompt: not on the event loop.
        plane.async().blocking(ctx.vertx().getOrCreateContext(), () -> plane.settlement().settle(completed));
      }
    } else {
      plane.recorder().release();
    }
    plane.metrics().request(endpoint.label(), resolved.model().name(), deployment.id(), outcome.httpStatus(),
        totalNanos, upstreamNanos, ttftNanos, Math.max(0, totalNanos - upstreamNanos));
    logAccess(ctx, resolved, deployment, outcome.httpStatus(), clocks.start,
        outcome.error().map(ApiError::code).orElse(null));
  }

  /**
   * Whether the upstream did work worth counting when it reported no usage: not for a plain error
   * answer (providers do not bill those), but for everything that produced or may have produced tokens.
   */
  private static boolean billable(Resolved resolved, RelayOutcome outcome) {
    return outcome.result() != Result.UPSTREAM_ERROR || (resolved.request().stream() && outcome.committed());
  }

  private void logAccess(RoutingContext ctx, Resolved resolved, Deployment deployment, int status, long start,
      String errorCode) {
    if (!plane.config().logging().accessLog()) {
      return;
    }
    var event = access.atInfo()
        .addKeyValue("request_id", RequestIds.of(ctx))
        .addKeyValue("endpoint", endpoint.label())
        .addKeyValue("status", status)
        .addKeyValue("latency_ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    if (resolved != null) {
      event = event.addKeyValue("key_id", resolved.caller().keyId()).addKeyValue("model", resolved.model().name());
    }
    if (deployment != null) {
      event = event.addKeyValue("deployment", deployment.id());
    }
    if (errorCode != null) {
      event = event.addKeyValue("error", errorCode);
    }
    event.log("{} {} {}", ctx.request().method(), ctx.request().path(), status);
  }

  /** Milliseconds with three decimals, e.g. {@code 0.412}; String.format was a visible cost per request. */
  static String millis(long nanos) {
    long micros = Math.max(0, Math.round(nanos / 1_000.0));
    long frac = micros % 1_000;
    return (micros / 1_000) + (frac < 10 ? ".00" : frac < 100 ? ".0" : ".") + frac;
  }
}
