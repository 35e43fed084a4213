package dev.tollgate.server;

import dev.tollgate.protocol.openai.ErrorBodies;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes errors in OpenAI's shape with their status, {@code Retry-After} and the request id. */
public final class ErrorResponder {
  private static final Logger log = LoggerFactory.getLogger(ErrorResponder.class);

  /** Routing-context key of the route's error body shape (a {@code Function<ApiError, Buffer>}); OpenAI's when absent. */
  public static final String FORMAT = "tollgate.error-format";

  private ErrorResponder() {}

  /** The API error for any failure: a {@link GatewayException}'s own, else 500 (logged). */
  public static ApiError toApiError(RoutingContext ctx, Throwable failure) {
    if (failure instanceof GatewayException g) {
      return g.error();
    }
    log.atError().setCause(failure).addKeyValue("request_id", RequestIds.of(ctx))
        .log("unexpected failure while handling {} {}", ctx.request().method(), ctx.request().path());
    return ApiError.internal();
  }

  public static void send(RoutingContext ctx, ApiError error) {
    HttpServerResponse response = ctx.response();
    if (response.headWritten() || response.closed() || response.ended()) {
      return;
    }
    response.setStatusCode(error.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(RequestIds.HEADER, RequestIds.of(ctx));
    if (error.retryAfterSeconds() >= 0) {
      response.putHeader("Retry-After", Long.toString(error.retryAfterSeconds()));
    }
    java.util.function.Function<ApiError, io.vertx.core.buffer.Buffer> format = ctx.get(FORMAT);
    response.end(format != null ? format.apply(error) : ErrorBodies.body(error));
  }
}
