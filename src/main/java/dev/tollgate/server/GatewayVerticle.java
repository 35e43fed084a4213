package dev.tollgate.server;

import dev.tollgate.admin.AdminRoutes;
import dev.tollgate.admin.SignInApi;
import dev.tollgate.config.ProviderConfig;
import dev.tollgate.metering.TokenCounter;
import dev.tollgate.observe.GatewayMetrics;
import dev.tollgate.observe.HealthService;
import dev.tollgate.provider.Endpoint;
import dev.tollgate.protocol.anthropic.AnthropicErrors;
import dev.tollgate.protocol.translate.AnthropicApi;
import dev.tollgate.protocol.translate.ResponsesApi;
import dev.tollgate.protocol.translate.AnthropicClientFormat;
import dev.tollgate.provider.CodecUpstream;
import dev.tollgate.provider.HttpUpstream;
import dev.tollgate.provider.MockUpstream;
import dev.tollgate.provider.Upstream;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP server on one event loop, with its own upstream connection pools: a proxied call enters,
 * goes upstream and comes back on this loop without changing threads. The composition root deploys
 * one instance per event loop; all share the thread-safe {@link DataPlane}.
 */
public final class GatewayVerticle extends VerticleBase {
  private final DataPlane plane;
  private final AdminRoutes admin;
  private final SignInApi signIn;
  private final ModelsHandler models;
  private final HealthService health;
  private final int port;
  private final Map<String, Upstream> upstreams = new HashMap<>();
  private final Map<String, CodecUpstream> translators = new HashMap<>();
  private final Map<String, CodecUpstream> codecs = new HashMap<>();
  private HttpServer server;

  public GatewayVerticle(DataPlane plane, AdminRoutes admin, SignInApi signIn, ModelsHandler models,
      HealthService health, int port) {
    this.plane = plane;
    this.admin = admin;
    this.signIn = signIn;
    this.models = models;
    this.health = health;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    TokenCounter tokens = plane.tokens();
    for (ProviderConfig p : plane.config().providers()) {
      switch (p.type()) {
        case OPENAI, AZURE -> upstreams.put(p.name(), new HttpUpstream(vertx, p));
        case MOCK -> upstreams.put(p.name(), new MockUpstream(vertx, p, tokens, plane.clock()));
        case ANTHROPIC, GEMINI, BEDROCK, VERTEX -> translators.put(p.name(), plane.providers().create(vertx, p));
      }
      // Anthropic callers reach every provider through the canonical model.
      codecs.put(p.name(), switch (p.type()) {
        case ANTHROPIC, GEMINI, BEDROCK, VERTEX -> translators.get(p.name());
        case OPENAI, AZURE -> plane.providers().create(vertx, p);
        case MOCK -> plane.providers().mock(upstreams.get(p.name()), p);
      });
    }
    server = vertx.createHttpServer(new HttpServerOptions()
        .setHost(plane.config().server().host())
        .setPort(port)
        .setTcpNoDelay(true)
        .setCompressionSupported(false)
        .setIdleTimeout(0));
    server.requestHandler(router());
    return server.listen();
  }

  /** The port actually bound (differs from the configured one when that is 0). */
  public int actualPort() {
    return server.actualPort();
  }

  private Router router() {
    Router router = Router.router(vertx);
    router.route().handler(new RequestIds(plane.ids()));
    long maxBody = plane.config().server().maxBodyBytes();
    BodyHandler body = BodyHandler.create(false).setBodyLimit(maxBody);
    Handler<RoutingContext> jsonOnly = GatewayVerticle::requireJson;

    for (Endpoint endpoint : Endpoint.values()) {
      ProxyHandler proxy = new ProxyHandler(plane, upstreams, translators, vertx, endpoint, null);
      // Separate routes: Vert.x runs a route's body handler before its other handlers, and the
      // content type must be checked before the body is read.
      router.post("/v1" + endpoint.path()).handler(jsonOnly);
      router.post("/v1" + endpoint.path()).handler(body).handler(proxy::handle);
    }
    // Anthropic's Messages API: errors in Anthropic's shape from the first handler on.
    AnthropicErrors anthropicErrors = new AnthropicErrors(plane.json());
    Handler<RoutingContext> anthropicShape = ctx -> {
      ctx.put(ErrorResponder.FORMAT, (java.util.function.Function<ApiError, Buffer>) e ->
          anthropicErrors.body(e.status(), AnthropicClientFormat.message(e), RequestIds.of(ctx)));
      ctx.next();
    };
    ProxyHandler messages = new ProxyHandler(plane, upstreams, codecs, vertx, Endpoint.CHAT_COMPLETIONS,
        new AnthropicApi(plane.json()));
    TokenCountHandler countTokens = new TokenCountHandler(plane);
    for (String path : new String[] {"/v1/messages", "/v1/messages/count_tokens"}) {
      router.post(path).handler(anthropicShape).handler(jsonOnly);
    }
    router.post("/v1/messages/count_tokens").handler(body).handler(countTokens::handle);
    router.post("/v1/messages").handler(body).handler(messages::handle);
    ProxyHandler responses = new ProxyHandler(plane, upstreams, codecs, vertx, Endpoint.CHAT_COMPLETIONS,
        new ResponsesApi(plane.json()));
    router.post("/v1/responses").handler(jsonOnly);
    router.post("/v1/responses").handler(body).handler(responses::handle);
    router.get("/v1/models").handler(models::list);
    router.getWithRegex("/v1/models/(?<id>.+)").handler(models::get);

    admin.mount(router, jsonOnly, body);
    signIn.mount(router, jsonOnly, body);

    router.get("/health/live").handler(ctx -> json(ctx, 200, "{\"status\":\"UP\"}"));
    router.get("/health/ready").handler(ctx -> plane.async().blocking(ctx.vertx().getOrCreateContext(), health::ready)
        .onSuccess(ready -> json(ctx, ready ? 200 : 503, "{\"status\":\"" + (ready ? "UP" : "DOWN") + "\"}")));
    router.get("/health").handler(ctx -> plane.async().blocking(ctx.vertx().getOrCreateContext(), health::report)
        .onSuccess(report -> json(ctx, 200, report.toString())));
    GatewayMetrics metrics = plane.metrics();
    router.get("/metrics").handler(ctx -> plane.async().blocking(ctx.vertx().getOrCreateContext(), metrics::scrape)
        .onSuccess(text -> ctx.response()
            .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
            .end(text)));

    router.errorHandler(404, ctx -> ErrorResponder.send(ctx,
        ApiError.notFound("no route for " + ctx.request().method() + " " + ctx.request().path())));
    router.errorHandler(405, ctx -> ErrorResponder.send(ctx,
        ApiError.methodNotAllowed(ctx.request().method().name(), ctx.request().path())));
    router.errorHandler(413, ctx -> ErrorResponder.send(ctx, ApiError.bodyTooLarge(maxBody)));
    router.errorHandler(400, ctx -> ErrorResponder.send(ctx, ApiError.invalidRequest(
        ctx.failure() == null ? "bad request" : ctx.failure().getMessage(), null)));
    router.errorHandler(500, ctx -> ErrorResponder.send(ctx, ErrorResponder.toApiError(ctx, ctx.failure())));
    return router;
  }

  private static void requireJson(RoutingContext ctx) {
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    String media = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!media.equals("application/json")) {
      ErrorResponder.send(ctx, ApiError.unsupportedMediaType(type));
      return;
    }
    ctx.next();
  }

  private static void json(RoutingContext ctx, int status, String body) {
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body);
  }

  /**
   * Stops accepting connections and waits (up to {@code timeout}) for in-flight requests to finish.
   * Done before undeploying: undeploying cancels this verticle's timers, which in-flight calls use.
   */
  public Future<Void> drain(Duration timeout) {
    return server == null ? Future.succeededFuture() : server.shutdown(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public Future<?> stop() {
    Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
    return closed.onComplete(v -> {
      upstreams.values().forEach(Upstream::close);
      // Each pool once: codecs shares the translators' instances.
      codecs.values().stream().filter(c -> !translators.containsValue(c)).forEach(CodecUpstream::close);
      translators.values().forEach(CodecUpstream::close);
    });
  }
}
