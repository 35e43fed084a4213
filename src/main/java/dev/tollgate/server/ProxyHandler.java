package dev.tollgate.server;

import dev.tollgate.access.Caller;
import dev.tollgate.config.ProviderConfig;
import dev.tollgate.metering.CompletedCall;
import dev.tollgate.metering.Meter;
import dev.tollgate.metering.Tab;
import dev.tollgate.metering.budget.Refused;
import dev.tollgate.metering.ledger.CallIntent;
import dev.tollgate.metering.limits.Admission;
import io.vertx.core.Context;
import dev.tollgate.protocol.openai.BodyRelay;
import dev.tollgate.protocol.openai.OpenAiRequest;
import dev.tollgate.protocol.openai.RelayOutcome;
import dev.tollgate.protocol.openai.RelayOutcome.Result;
import dev.tollgate.protocol.openai.StreamRelay;
import dev.tollgate.protocol.canonical.TranslationException;
import dev.tollgate.protocol.openai.translate.OpenAiChatRequest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.protocol.canonical.ChatRequest;
import dev.tollgate.protocol.translate.AnswerDefaults;
import dev.tollgate.protocol.translate.ClientFormat;
import dev.tollgate.protocol.translate.OpenAiClientFormat;
import dev.tollgate.config.ProviderType;
import dev.tollgate.protocol.translate.AnthropicApi;
import dev.tollgate.protocol.translate.ResponsesApi;
import dev.tollgate.protocol.translate.TranslatedApi;
import dev.tollgate.protocol.translate.TranslatedBodyRelay;
import dev.tollgate.protocol.translate.TranslatedStreamRelay;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.provider.CodecUpstream;
import dev.tollgate.provider.HttpUpstream;
import io.vertx.core.buffer.Buffer;
import dev.tollgate.provider.Endpoint;
import dev.tollgate.provider.TimedUpstreamCall;
import dev.tollgate.provider.Upstream;
import dev.tollgate.provider.UpstreamCall;
import dev.tollgate.provider.UpstreamException;
import dev.tollgate.provider.UpstreamRequest;
import dev.tollgate.provider.UpstreamResponse;
import dev.tollgate.provider.ErrorClass;
import dev.tollgate.provider.ProviderError;
import dev.tollgate.routing.Attempt;
import dev.tollgate.routing.Deployment;
import dev.tollgate.routing.Model;
import dev.tollgate.routing.RoutePlan;
import dev.tollgate.routing.RouteStep;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy pipeline for one OpenAI endpoint, as a flat chain of stages on the request's event loop:
 * authenticate, decode, resolve the model, admit (ledger room, rate limits, budget hold), route, call, relay, settle.
 * Nothing here blocks; each stage either returns its result or fails with a {@link GatewayException}
 * that the edge turns into an OpenAI-shaped error.
 */
public final class ProxyHandler {
  private static final Logger access = LoggerFactory.getLogger("tollgate.access");
  private static final int MAX_EVENT_BYTES = 8 * 1024 * 1024;
  private static final long MAX_ANSWER_BYTES = 64L * 1024 * 1024;
  /** Bodies up to this size are counted on the event loop at admission (tens of microseconds); larger ones off it. */
  private static final int COUNT_INLINE_BYTES = 32 * 1024;

  private final DataPlane plane;
  private final Map<String, Upstream> upstreams;
  private final Map<String, CodecUpstream> translators;
  private final TranslatedApi api;
  private final String label;
  private final Vertx vertx;
  private final Endpoint endpoint;

  /**
   * @param translators how to reach providers through the canonical model: for OpenAI callers, the
   *     providers with their own formats; for a translated API's callers, every provider
   * @param api the caller's API when it is served only through the canonical model (Anthropic Messages,
   *     OpenAI Responses), or null for OpenAI's chat, completions and embeddings (passed through)
   */
  public ProxyHandler(DataPlane plane, Map<String, Upstream> upstreams, Map<String, CodecUpstream> translators,
      Vertx vertx, Endpoint endpoint, TranslatedApi api) {
    this.plane = plane;
    this.upstreams = upstreams;
    this.translators = translators;
    this.api = api;
    this.label = api != null ? api.label() : endpoint.label();
    this.vertx = vertx;
    this.endpoint = endpoint;
  }

  /**
   * A request that passed authentication, validation and model resolution.
   *
   * @param request the OpenAI request (null for Anthropic callers)
   * @param canonical the request in the canonical model (null for OpenAI callers until a translating
   *     provider needs it)
   * @param body the caller's JSON, for counting tokens when a provider reports none
   */
  private record Resolved(Caller caller, OpenAiRequest request, OpenAiChatRequest canonical, Model model,
      boolean stream, JsonNode body, ClientFormat format, Tab tab) {
    Resolved withTab(Tab admitted) {
      return new Resolved(caller, request, canonical, model, stream, body, format, admitted);
    }
  }

  /** Timestamps of one request ({@code System.nanoTime()}); -1 when a moment did not happen. */
  /** Times of one attempt; {@code start} is the request's. */
  private static final class Clocks {
    final long start;
    long upstreamStart = -1;
    long upstreamEnd = -1;
    long priorNanos;

    Clocks(long start) {
      this.start = start;
    }

    /** Time the gateway itself spent before this attempt's call, not counting earlier attempts and waits. */
    long gatewayNanos() {
      return upstreamStart - start - priorNanos;
    }
  }

  public void handle(RoutingContext ctx) {
    Clocks clocks = new Clocks(System.nanoTime());
    plane.inFlight().begin();
    ctx.addEndHandler(v -> plane.inFlight().end());
    Async.on(ctx.vertx().getOrCreateContext(), plane.authenticator().authenticate(Credentials.presented(ctx.request())))
        .map(caller -> resolve(ctx, caller))
        .compose(resolved -> admit(ctx, resolved))
        .onSuccess(resolved -> route(ctx, resolved, clocks))
        .onFailure(failure -> reject(ctx, failure, clocks.start));
  }

  private Resolved resolve(RoutingContext ctx, Caller caller) {
    if (api != null) {
      ObjectNode body = plane.decoder().parseObject(ctx.body().buffer());
      TranslatedApi.Decoded decoded;
      try {
        decoded = api.decode(body);
      } catch (TranslationException e) {
        throw ApiError.invalidRequest(e.getMessage(), e.field()).exception();
      }
      ChatRequest chat = decoded.chat();
      Model model = modelFor(caller, chat.model());
      return new Resolved(caller, null, new OpenAiChatRequest(chat, false), model, chat.stream(), body,
          decoded.format(), null);
    }
    OpenAiRequest request = plane.decoder().decode(endpoint, ctx.body().buffer());
    return new Resolved(caller, request, null, modelFor(caller, request.model()), request.stream(), request.body(),
        null, null);
  }

  private Model modelFor(Caller caller, String name) {
    Model model = plane.catalog().find(name).orElseThrow(() -> ApiError.unknownModel(name).exception());
    if (!caller.mayUse(model.name())) {
      throw ApiError.modelNotAllowed(model.name()).exception();
    }
    return model;
  }

  /**
   * The admit stage: room in the usage ledger, the caller's rate limits, the worst case held against its
   * budgets. A large prompt is counted on a virtual thread rather than on the event loop.
   */
  private Future<Resolved> admit(RoutingContext ctx, Resolved resolved) {
    Context context = ctx.vertx().getOrCreateContext();
    boolean embedding = endpoint == Endpoint.EMBEDDINGS;
    Future<Meter.Verdict> verdict = ctx.body().length() > COUNT_INLINE_BYTES
        ? plane.async().blocking(context, () -> plane.meter().admit(resolved.caller(), resolved.model(),
            resolved.body(), embedding).toCompletableFuture().join())
        : Async.on(context, plane.meter().admit(resolved.caller(), resolved.model(), resolved.body(), embedding));
    return verdict.map(v -> switch (v) {
      case Meter.Verdict.Admitted(Tab tab) -> {
        RateLimitResponseHeaders.write(tab.rateLimits(), ctx.response().headers());
        if (ctx.response().ended() || ctx.response().closed()) {
          tab.requestEnded();
        } else {
          ctx.addEndHandler(done -> tab.requestEnded());
        }
        yield resolved.withTab(tab);
      }
      case Meter.Verdict.RateLimited(Admission.Limited limited, Map<String, String> headers) -> {
        headers.forEach(ctx.response()::putHeader);
        throw new ApiError(429, limited.limit().errorType(), "rate_limit_exceeded", limited.message(), null,
            Math.max(1, (limited.retryAfter().toMillis() + 999) / 1000)).exception();
      }
      case Meter.Verdict.OverBudget(Refused refused, Map<String, String> headers) -> {
        headers.forEach(ctx.response()::putHeader);
        throw budgetExceeded(refused).exception();
      }
      case Meter.Verdict.BudgetsUnknown() -> throw ApiError.overloaded(
          "the budgets of the caller's organisation cannot be checked now (the database is unreachable); retry "
              + "shortly").exception();
      case Meter.Verdict.LedgerFull() -> throw ApiError.overloaded(
          "the usage ledger cannot take more calls now (its database is unreachable and its local log is full); "
              + "retry shortly").exception();
    });
  }

  private ApiError budgetExceeded(Refused refused) {
    long retryAfter = refused.retryAfter(plane.clock().instant()).map(Duration::toSeconds).orElse(-1L);
    return new ApiError(429, "budget_exceeded", "budget_exceeded", refused.message(), null, retryAfter);
  }

  private void reject(RoutingContext ctx, Throwable failure, long start) {
    ApiError error = ErrorResponder.toApiError(ctx, failure);
    plane.metrics().rejected(label, error.status());
    ErrorResponder.send(ctx, error);
    logAccess(ctx, null, null, error.status(), start, error.code());
  }

  private void route(RoutingContext ctx, Resolved resolved, Clocks clocks) {
    RoutePlan plan = plane.router().plan(resolved.model(), resolved.caller()::mayUse);
    Flight flight = new Flight(plan, resolved.tab());
    flight.canonical = resolved.canonical();
    ctx.response().closeHandler(v -> {
      if (!ctx.response().ended()) {
        flight.clientClosed();
      }
    });
    next(ctx, resolved, clocks.start, flight, null);
  }

  /** Makes the plan's next attempt, or answers with the last failure when there is none. */
  private void next(RoutingContext ctx, Resolved resolved, long start, Flight flight, Failed last) {
    if (flight.clientGone) {
      return;
    }
    RouteStep step = flight.plan.next();
    if (step instanceof RouteStep.Stop stop) {
      giveUp(ctx, resolved, start, flight, last, stop);
      return;
    }
    Attempt attempt = ((RouteStep.Go) step).attempt();
    Duration delay = ((RouteStep.Go) step).delay();
    Tab.Ticket ticket = switch (flight.tab.ticket(plane.ids().next(), attempt.model().name(), attempt.deployment())) {
      case Tab.Next.Granted(Tab.Ticket granted) -> granted;
      case Tab.Next.Denied(Refused refused) -> {
        if (!flight.plan.needsPermission(attempt)) {
          flight.plan.released(attempt);
        }
        if (last == null) {
          ErrorResponder.send(ctx, budgetExceeded(refused));
          logAccess(ctx, resolved, null, 429, start, "budget_exceeded");
        } else {
          giveUp(ctx, resolved, start, flight, last, new RouteStep.Stop("no further attempt: " + refused.message(),
              false));
        }
        yield null;
      }
    };
    if (ticket == null) {
      return;
    }
    flight.elsewhereNanos += delay.toNanos();
    if (delay.isZero()) {
      send(ctx, resolved, start, flight, attempt, ticket, last);
    } else {
      vertx.setTimer(Math.max(1, delay.toMillis()), id -> send(ctx, resolved, start, flight, attempt, ticket, last));
    }
  }

  private void send(RoutingContext ctx, Resolved resolved, long start, Flight flight, Attempt attempt,
      Tab.Ticket ticket, Failed last) {
    if (flight.clientGone) {
      if (!flight.plan.needsPermission(attempt)) {
        flight.plan.released(attempt);
      }
      flight.tab.abandon(ticket);
      return;
    }
    if (flight.plan.needsPermission(attempt) && !flight.plan.acquireAfterWait(attempt)) {
      flight.tab.abandon(ticket);
      next(ctx, resolved, start, flight, last); // still cooling: the plan decides what else to do
      return;
    }
    begin(ctx, resolved, start, flight, attempt, ticket);
    Optional<Duration> hedgeAfter = attempt.model().routing().hedgeAfter();
    if (hedgeAfter.isPresent() && !flight.hedged) {
      flight.hedgeTimer = vertx.setTimer(Math.max(1, hedgeAfter.get().toMillis()),
          id -> hedge(ctx, resolved, start, flight));
    }
  }

  /**
   * Writes the attempt's intent to the usage ledger, then launches it: a call the upstream sees is
   * billed even if the gateway dies before it ends. Normally no wait: the intent is stored in the ledger's
   * memory-mapped intake and the future is complete (with {@code ledger.fsync_intents}: the group commit).
   */
  private void begin(RoutingContext ctx, Resolved resolved, long start, Flight flight, Attempt attempt,
      Tab.Ticket ticket) {
    Deployment deployment = attempt.deployment();
    long prompt = resolved.tab().countedPromptTokens() >= 0 ? resolved.tab().countedPromptTokens()
        : ctx.body().length() / 4; // nothing needed it counted: the estimate of last resort for a crash
    CallIntent intent = new CallIntent(ticket.eventId(), RequestIds.of(ctx), resolved.caller().keyId(),
        resolved.caller().teamId(), resolved.caller().userId().orElse(null), label, attempt.model().name(),
        deployment.id(), deployment.provider(), deployment.upstreamModel(), resolved.stream(), prompt,
        plane.meter().promptCostMicros(attempt.model().name(), deployment.upstreamModel(), prompt),
        plane.clock().millis(), attempt.number(), attempt.reason());
    Async.on(ctx.vertx().getOrCreateContext(), flight.tab.begin(ticket, intent)).onComplete(written -> {
      if (written.failed()) {
        flight.plan.released(attempt);
        flight.tab.abandon(ticket);
        LoggerFactory.getLogger(ProxyHandler.class).error("cannot write a call intent to the usage ledger: {}",
            written.cause().toString());
        Failed failed = new Failed(ApiError.overloaded("the usage ledger cannot take more calls now; retry shortly"),
            ErrorClass.SERVER_ERROR, 1000);
        if (flight.active.isEmpty()) {
          giveUp(ctx, resolved, start, flight, failed, new RouteStep.Stop("the usage ledger refused the call", false));
        }
        return;
      }
      if (flight.clientGone) {
        flight.plan.released(attempt);
        flight.tab.abandon(ticket);
        return;
      }
      launch(ctx, resolved, start, flight, attempt, ticket);
    });
  }

  /** Starts one attempt's upstream call and relay; it ends in {@link #finishAttempt}. */
  private void launch(RoutingContext ctx, Resolved resolved, long start, Flight flight, Attempt attempt,
      Tab.Ticket ticket) {
    Deployment deployment = attempt.deployment();
    ProviderConfig provider = plane.provider(deployment.provider());
    boolean nativeResponses = api instanceof ResponsesApi && provider.nativeResponses()
        && upstreams.get(deployment.provider()) instanceof HttpUpstream;
    CodecUpstream translator = nativeResponses ? null : translators.get(deployment.provider());
    if (translator == null && api != null && !nativeResponses) {
      throw new IllegalStateException("no codec for provider " + deployment.provider());
    }
    Clocks clocks = new Clocks(start);
    clocks.upstreamStart = System.nanoTime();
    clocks.priorNanos = flight.elsewhereNanos;
    UpstreamCall opened = nativeResponses
        ? ((HttpUpstream) upstreams.get(deployment.provider())).openResponses(
            responsesBody(resolved, deployment), resolved.stream(), RequestIds.of(ctx))
        : translator != null
        ? openTranslated(ctx, resolved, flight, translator, deployment)
        : upstreams.get(deployment.provider()).open(new UpstreamRequest(endpoint, deployment.upstreamModel(),
            plane.encoder().encode(resolved.request(), deployment.upstreamModel()), resolved.stream(),
            RequestIds.of(ctx)));
    UpstreamCall call = new TimedUpstreamCall(opened, vertx, provider.timeouts(), provider.name());
    Relay relay = new Relay(flight, attempt, call, translator, ticket);
    flight.active.add(relay);
    call.response()
        .compose(response -> relay.start(ctx, resolved, call, response, clocks))
        .recover(failure -> Future.succeededFuture(outcomeOf(failure, provider.name(), flight.clientGone)))
        .onComplete(done -> finishAttempt(ctx, resolved, flight, attempt, call, done.result(), clocks, relay));
  }

  /**
   * The caller's Responses request as its bytes, for a provider that serves the API itself: only the
   * model is rewritten, and {@code store} is set false, since the gateway is stateless and the API
   * would otherwise store the conversation upstream by default.
   */
  private Buffer responsesBody(Resolved resolved, Deployment deployment) {
    ObjectNode body = ((ObjectNode) resolved.body()).deepCopy();
    body.put("model", deployment.upstreamModel());
    body.put("store", false);
    return Buffer.buffer(body.toString());
  }

  /**
   * Opens a call to a provider with its own wire format: the caller's request, decoded once into the
   * canonical model, re-encoded by the provider's codec. What cannot be expressed fails the attempt
   * with a 400 naming the field, before anything is sent.
   */
  private UpstreamCall openTranslated(RoutingContext ctx, Resolved resolved, Flight flight, CodecUpstream translator,
      Deployment deployment) {
    try {
      if (endpoint != Endpoint.CHAT_COMPLETIONS) {
        throw ApiError.invalidRequest("the model '" + resolved.model().name() + "' is served by '"
            + deployment.provider() + "', which offers chat completions only, not " + endpoint.path(), "model")
            .exception();
      }
      if (flight.canonical == null) {
        flight.canonical = plane.chatDecoder().decode(resolved.body());
      }
      return translator.open(flight.canonical.chat().withModel(deployment.upstreamModel()),
          deployment.upstreamModel(), RequestIds.of(ctx), passHeaders(ctx, deployment));
    } catch (TranslationException e) {
      return UpstreamCall.failed(ApiError.invalidRequest(e.getMessage(), e.field()).exception());
    } catch (GatewayException e) {
      return UpstreamCall.failed(e);
    }
  }

  /**
   * Headers of the caller's request that only mean something to the same API's provider: an
   * Anthropic caller's {@code anthropic-beta} flags reach Anthropic (tools such as Claude Code rely
   * on them); no other provider would understand them.
   */
  private Map<String, String> passHeaders(RoutingContext ctx, Deployment deployment) {
    String beta = ctx.request().getHeader("anthropic-beta");
    ProviderConfig provider = plane.provider(deployment.provider());
    boolean claude = provider.type() == ProviderType.ANTHROPIC || provider.type() == ProviderType.VERTEX
        && provider.cloud().vertex() != null && provider.cloud().vertex().publisher().equals("anthropic");
    if (beta == null || beta.isBlank() || !(api instanceof AnthropicApi) || !claude) {
      return Map.of();
    }
    return Map.of("anthropic-beta", beta);
  }

  /**
   * The first attempt has produced nothing within the model's hedge delay: race a second deployment.
   * The first of the two to answer wins the client; the other is cancelled and billed only for what its
   * provider reports it consumed.
   */
  private void hedge(RoutingContext ctx, Resolved resolved, long start, Flight flight) {
    flight.hedgeTimer = -1;
    if (flight.hedged || flight.winner != null || flight.active.isEmpty() || flight.clientGone) {
      return;
    }
    flight.hedged = true;
    Optional<Attempt> second = flight.plan.hedge();
    if (second.isEmpty()) {
      return;
    }
    Attempt attempt = second.get();
    if (!(flight.tab.ticket(plane.ids().next(), attempt.model().name(), attempt.deployment())
        instanceof Tab.Next.Granted(Tab.Ticket ticket))) {
      flight.plan.released(attempt); // the budget cannot hold a second call: no race
      return;
    }
    begin(ctx, resolved, start, flight, attempt, ticket);
  }

  /** What one request's attempts share: the plan, the attempt in flight, whether the client left. */
  private static final class Flight {
    final RoutePlan plan;
    /** Attempts in flight: one, or two while a hedge races the first. */
    final List<Relay> active = new ArrayList<>(2);
    /** The attempt whose answer the client is getting, once one is. */
    Relay winner;
    boolean hedged;
    long hedgeTimer = -1;
    boolean clientGone;
    /** Time in earlier attempts and backoff waits: not the gateway's own overhead. */
    long elsewhereNanos;
    /** The caller's request in the canonical model, decoded when a translating provider first needs it. */
    OpenAiChatRequest canonical;
    /** The request's account: a ticket per attempt. */
    final Tab tab;

    Flight(RoutePlan plan, Tab tab) {
      this.plan = plan;
      this.tab = tab;
    }

    void clientClosed() {
      clientGone = true;
      for (Relay r : List.copyOf(active)) {
        r.clientClosed();
      }
    }

    /** Whether {@code relay} may answer the client: the first to ask wins, and the others are cancelled. */
    boolean claim(Relay relay) {
      if (winner == null) {
        winner = relay;
        for (Relay other : List.copyOf(active)) {
          if (other != relay) {
            other.lost = true;
            other.clientClosed();
          }
        }
      }
      return winner == relay;
    }
  }

  /** How a failed attempt failed, for the next decision and for the final answer. */
  private record Failed(ApiError error, ErrorClass errorClass, long retryAfterMillis) {}

  /** Holds the relay of one attempt so a client disconnect can reach it in any phase. */
  private final class Relay {
    final Flight flight;
    final Attempt attempt;
    final UpstreamCall call;
    final CodecUpstream translator;
    StreamRelay stream;
    BodyRelay body;
    TranslatedStreamRelay translatedStream;
    TranslatedBodyRelay translatedBody;
    ProviderError heldBack;
    /** Cancelled because another attempt answered first. */
    boolean lost;

    final Tab.Ticket ticket;

    Relay(Flight flight, Attempt attempt, UpstreamCall call, CodecUpstream translator, Tab.Ticket ticket) {
      this.ticket = ticket;
      this.flight = flight;
      this.attempt = attempt;
      this.call = call;
      this.translator = translator;
    }

    void clientClosed() {
      if (stream != null) {
        stream.clientClosed();
      } else if (body != null) {
        body.clientClosed();
      } else if (translatedStream != null) {
        translatedStream.clientClosed();
      } else if (translatedBody != null) {
        translatedBody.clientClosed();
      } else {
        call.abort();
      }
    }

    Future<RelayOutcome> start(RoutingContext ctx, Resolved resolved, UpstreamCall call, UpstreamResponse response,
        Clocks clocks) {
      Deployment deployment = attempt.deployment();
      boolean sse = response.ok() && resolved.stream();
      if (translator != null) {
        var onCommit = committer(resolved.model().name(), attempt, response.headers(), clocks, sse);
        ClientFormat format = resolved.format() != null ? resolved.format()
            : new OpenAiClientFormat(plane.json(), flight.canonical.includeUsage());
        if (sse) {
          translatedStream = new TranslatedStreamRelay(translator.codec().streamDecoder(), format.streamEncoder(), call,
              response, ctx.response(), onCommit, () -> flight.claim(this), deployment.provider(), defaults(ctx, deployment));
          return translatedStream.start();
        }
        translatedBody = new TranslatedBodyRelay(format, translator.codec(), call, response, ctx.response(), onCommit,
            () -> flight.claim(this), deployment.provider(), MAX_ANSWER_BYTES, e -> {
              heldBack = e;
              return flight.plan.mayRetry(e.errorClass()) || attempt.number() > 1 || flight.active.size() > 1;
            }, defaults(ctx, deployment));
        return translatedBody.start();
      }
      if (sse && !isEventStream(response.headers())) {
        call.abort();
        return Future.failedFuture(ApiError.upstreamProtocol(deployment.provider(),
            "a stream was asked for but the answer is " + response.headers().get(HttpHeaders.CONTENT_TYPE))
            .exception());
      }
      var onCommit = committer(resolved.model().name(), attempt, response.headers(), clocks, sse);
      if (sse) {
        stream = new StreamRelay(plane.json(), call, response, ctx.response(),
            resolved.request() != null && !resolved.request().clientWantsUsage(),
            onCommit, () -> flight.claim(this), deployment.provider(), MAX_EVENT_BYTES);
        return stream.start();
      }
      body = new BodyRelay(plane.json(), call, response, ctx.response(), onCommit, () -> flight.claim(this),
          deployment.provider(), MAX_ANSWER_BYTES, (status, headers, parsed) -> {
            ProviderError e = plane.errors().classify(status, headers, parsed);
            heldBack = e;
            // After earlier attempts the answer must name them all, so the gateway writes it itself;
            // while a hedge still runs, it may yet answer.
            return flight.plan.mayRetry(e.errorClass()) || attempt.number() > 1 || flight.active.size() > 1;
          });
      return body.start();
    }
  }

  private AnswerDefaults defaults(RoutingContext ctx, Deployment deployment) {
    String prefix = api != null ? api.idPrefix() : "chatcmpl-";
    return new AnswerDefaults(prefix + RequestIds.of(ctx), deployment.upstreamModel(),
        plane.clock().instant().getEpochSecond());
  }

  private static boolean isEventStream(MultiMap headers) {
    String type = headers.get(HttpHeaders.CONTENT_TYPE);
    return type != null && type.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
  }

  /** Sets the answer's headers at the moment it is committed: forwarded upstream headers, routing, overhead. */
  private java.util.function.Consumer<HttpServerResponse> committer(String requestedModel, Attempt attempt,
      MultiMap upstreamHeaders, Clocks clocks, boolean sse) {
    return out -> {
      forwardHeaders(upstreamHeaders, out);
      out.putHeader("x-tollgate-deployment", attempt.deployment().id());
      out.putHeader("x-tollgate-route", attempt.reason());
      out.putHeader("x-tollgate-attempts", Integer.toString(attempt.number()));
      if (!attempt.model().name().equals(requestedModel)) {
        out.putHeader("x-tollgate-model", attempt.model().name());
      }
      // What the gateway spent before the upstream had the request; after that, time is the model's.
      out.putHeader("x-tollgate-overhead-ms", millis(clocks.gatewayNanos()));
      if (sse) {
        out.putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream");
        out.putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
      } else {
        clocks.upstreamEnd = System.nanoTime();
        out.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
      }
    };
  }

  /**
   * Relays the provider's rate-limit and timing headers, except an {@code x-ratelimit-*} the gateway already
   * set from the caller's own limits at admission: those are what refuse the caller here, and a provider's
   * count is of the gateway's shared account, not of this caller.
   */
  private static void forwardHeaders(MultiMap from, HttpServerResponse out) {
    for (Map.Entry<String, String> h : from) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (name.startsWith("x-ratelimit-") && out.headers().contains(name)) {
        continue;
      }
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

  /**
   * The settle stage of one attempt: bill the call, measure it, tell the plan; then either answer
   * (the relay already did, or the error goes out now) or make the next attempt.
   */
  private void finishAttempt(RoutingContext ctx, Resolved resolved, Flight flight, Attempt attempt,
      UpstreamCall call, RelayOutcome outcome, Clocks clocks, Relay relay) {
    long end = System.nanoTime();
    if (clocks.upstreamEnd < 0) {
      clocks.upstreamEnd = end;
    }
    flight.active.remove(relay);
    if (flight.active.isEmpty() && flight.hedgeTimer >= 0) {
      vertx.cancelTimer(flight.hedgeTimer);
      flight.hedgeTimer = -1;
    }
    Deployment deployment = attempt.deployment();
    if (relay.lost) {
      // Lost a hedge race: no verdict on the deployment, billed only for what its provider reported.
      flight.plan.released(attempt);
      RelayOutcome cancelled = new RelayOutcome(Result.CANCELLED, 499, outcome.usage(), "", -1, Optional.empty(), false);
      settle(ctx, resolved, attempt, relay.ticket, call, cancelled, end - clocks.start, -1);
      return;
    }
    flight.elsewhereNanos += end - clocks.upstreamStart;
    long upstreamNanos = clocks.upstreamEnd - clocks.upstreamStart;
    long totalNanos = end - clocks.start;
    long ttftNanos = outcome.firstByteNanos() < 0 ? -1 : outcome.firstByteNanos() - clocks.start;
    Failed failed = report(flight.plan, attempt, outcome, relay, end - clocks.upstreamStart,
        outcome.firstByteNanos() < 0 ? end - clocks.upstreamStart : outcome.firstByteNanos() - clocks.upstreamStart);
    if (failed != null && !outcome.committed() && !flight.active.isEmpty()) {
      // A hedge is still running and may yet answer: this failure is only recorded.
      settle(ctx, resolved, attempt, relay.ticket, call, outcome, totalNanos, ttftNanos);
      return;
    }
    boolean retry = failed != null && !outcome.committed() && !flight.clientGone
        && outcome.result() != Result.CLIENT_CLOSED && flight.plan.mayRetry(failed.errorClass());
    settle(ctx, resolved, attempt, relay.ticket, call, outcome, totalNanos, ttftNanos);
    plane.metrics().request(label, attempt.model().name(), deployment.id(), outcome.httpStatus(),
        totalNanos, upstreamNanos, ttftNanos, Math.max(0, clocks.gatewayNanos()));
    if (retry) {
      next(ctx, resolved, clocks.start, flight, failed);
      return;
    }
    if (!outcome.committed() && outcome.result() != Result.CLIENT_CLOSED && !ctx.response().ended()) {
      ErrorResponder.send(ctx, finalError(failed, flight.plan, outcome));
    }
    logAccess(ctx, resolved, attempt, outcome.httpStatus(), clocks.start,
        outcome.error().map(ApiError::code).orElse(null));
  }

  /** Tells the plan (and through it the deployment's health) how the attempt went; the failure, if any. */
  private Failed report(RoutePlan plan, Attempt attempt, RelayOutcome outcome, Relay relay, long elapsedNanos,
      long firstByteNanos) {
    if (outcome.result() == Result.CLIENT_CLOSED) {
      plan.released(attempt);
      return null;
    }
    if (outcome.result() == Result.OK) {
      plan.succeeded(attempt, firstByteNanos);
      return null;
    }
    ApiError error = outcome.error().orElseGet(ApiError::internal);
    ErrorClass errorClass;
    long retryAfterMillis = -1;
    if (relay.heldBack != null) {
      errorClass = relay.heldBack.errorClass();
      retryAfterMillis = relay.heldBack.retryAfterSeconds() < 0 ? -1 : relay.heldBack.retryAfterSeconds() * 1000;
      error = error.withRetryAfter(relay.heldBack.retryAfterSeconds());
    } else {
      errorClass = classOf(outcome, error);
    }
    plan.failed(attempt, errorClass, retryAfterMillis, elapsedNanos, error.status() + " " + error.message());
    return new Failed(error, errorClass, retryAfterMillis);
  }

  /** The class of a failure the relay saw itself (no upstream error answer to classify). */
  private static ErrorClass classOf(RelayOutcome outcome, ApiError error) {
    if (outcome.result() == Result.TIMEOUT || error.status() == 504) {
      return ErrorClass.TIMEOUT;
    }
    if (error.status() == 429) {
      return ErrorClass.RATE_LIMITED;
    }
    if (error.status() >= 500) {
      return "upstream_unreachable".equals(error.code()) ? ErrorClass.UNREACHABLE : ErrorClass.SERVER_ERROR;
    }
    return ErrorClass.BAD_REQUEST;
  }

  /** The answer after the last attempt: its own error, naming every attempt when there were several. */
  private static ApiError finalError(Failed failed, RoutePlan plan, RelayOutcome outcome) {
    ApiError error = failed != null ? failed.error() : outcome.error().orElseGet(ApiError::internal);
    if (plan.attempts() > 1) {
      error = new ApiError(error.status(), error.type(), error.code(), error.message() + " (after "
          + plan.attempts() + " attempts: " + String.join("; ", plan.log()) + ")", error.param(),
          error.retryAfterSeconds());
    }
    return error;
  }

  /** No (further) attempt possible: answer with the last failure, or 503 when nothing could be tried. */
  private void giveUp(RoutingContext ctx, Resolved resolved, long start, Flight flight, Failed last,
      RouteStep.Stop stop) {
    if (ctx.response().ended() || flight.clientGone) {
      return;
    }
    ApiError error;
    if (last == null) {
      long retryAfter = stop.retryAfterMillis() < 0 ? 1 : Math.max(1, (stop.retryAfterMillis() + 999) / 1000);
      error = stop.rateLimited()
          ? new ApiError(429, "rate_limit_error", "rate_limited", stop.summary(), "model", retryAfter)
          : new ApiError(503, "server_error", "no_deployment_available", stop.summary(), "model", retryAfter);
    } else {
      error = last.error();
      error = new ApiError(error.status(), error.type(), error.code(), error.message() + " (" + stop.summary() + ")",
          error.param(), error.retryAfterSeconds());
    }
    plane.metrics().rejected(label, error.status());
    ErrorResponder.send(ctx, error);
    logAccess(ctx, resolved, null, error.status(), start, error.code());
  }

  /** Bills the attempt when it reached the upstream, else abandons its ticket (nothing to bill). */
  private void settle(RoutingContext ctx, Resolved resolved, Attempt attempt, Tab.Ticket ticket, UpstreamCall call,
      RelayOutcome outcome, long totalNanos, long ttftNanos) {
    Deployment deployment = attempt.deployment();
    if (!call.reached()) {
      resolved.tab().abandon(ticket);
      return;
    }
    CompletedCall completed = new CompletedCall(RequestIds.of(ctx), resolved.caller().keyId(),
        resolved.caller().teamId(), resolved.caller().userId().orElse(null), label,
        attempt.model().name(), deployment.id(), deployment.provider(), deployment.upstreamModel(),
        outcome.result().label(), outcome.httpStatus(), outcome.usage(), outcome.text(),
        resolved.body(), billable(resolved, outcome),
        TimeUnit.NANOSECONDS.toMillis(totalNanos), ttftNanos < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(ttftNanos),
        resolved.stream(), outcome.error().map(ApiError::message).orElse(null), attempt.number(),
        attempt.reason());
    outcome.usage().ifPresent(u -> attempt.health().usedTokens(u.input() + u.output()));
    if (completed.reported().isPresent() || !completed.billable()) {
      // Nothing to count: settled now, so that a retry's budget hold sees this attempt's released.
      resolved.tab().settle(ticket, completed);
    } else {
      // Counting tokens locally can take milliseconds for a large prompt: not on the event loop.
      plane.async().blocking(ctx.vertx().getOrCreateContext(), () -> resolved.tab().settle(ticket, completed));
    }
  }

  /**
   * Whether the upstream did work worth counting when it reported no usage: not for a plain error
   * answer (providers do not bill those), but for everything that produced or may have produced tokens.
   */
  private static boolean billable(Resolved resolved, RelayOutcome outcome) {
    if (outcome.result() == Result.CANCELLED) {
      return false; // a lost hedge: only what its provider reported, never an estimate
    }
    return outcome.result() != Result.UPSTREAM_ERROR || (resolved.stream() && outcome.committed());
  }

  private void logAccess(RoutingContext ctx, Resolved resolved, Attempt attempt, int status, long start,
      String errorCode) {
    if (!plane.config().logging().accessLog()) {
      return;
    }
    var event = access.atInfo()
        .addKeyValue("request_id", RequestIds.of(ctx))
        .addKeyValue("endpoint", label)
        .addKeyValue("status", status)
        .addKeyValue("latency_ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    if (resolved != null) {
      event = event.addKeyValue("key_id", resolved.caller().keyId()).addKeyValue("model", resolved.model().name());
    }
    if (attempt != null) {
      event = event.addKeyValue("deployment", attempt.deployment().id());
      if (attempt.number() > 1) {
        event = event.addKeyValue("attempts", attempt.number()).addKeyValue("route", attempt.reason());
      }
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
