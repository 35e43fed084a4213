package dev.tollgate.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.access.directory.Page;
import dev.tollgate.access.policy.Principal;
import dev.tollgate.server.ApiError;
import dev.tollgate.server.RequestIds;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/** One admin request as an operation sees it: who calls, the path and query, the body, and the request id. */
public final class AdminCall {
  private final RoutingContext ctx;
  private final Principal principal;
  private final AdminRoute route;
  private final ObjectMapper json;
  private volatile boolean decided;

  AdminCall(RoutingContext ctx, Principal principal, AdminRoute route, ObjectMapper json) {
    this.ctx = ctx;
    this.principal = principal;
    this.route = route;
    this.json = json;
  }

  public Principal principal() {
    return principal;
  }

  public String requestId() {
    return RequestIds.of(ctx);
  }

  public String sourceIp() {
    return ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress();
  }

  String path(String name) {
    return ctx.pathParam(name);
  }

  Optional<String> query(String name) {
    String v = ctx.request().getParam(name);
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v);
  }

  /** {@code limit} (1-200, default 50) and {@code after} (a cursor from the previous page). */
  Page.Request page() {
    int limit = 50;
    Optional<String> raw = query("limit");
    if (raw.isPresent()) {
      try {
        limit = Integer.parseInt(raw.get());
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > Page.Request.MAX_LIMIT) {
        throw ApiError.invalidRequest("'limit' must be a whole number from 1 to " + Page.Request.MAX_LIMIT, "limit")
            .exception();
      }
    }
    return new Page.Request(limit, query("after"));
  }

  Body body() {
    return Body.parse(ctx.body().buffer(), json, route.body());
  }

  /** Notes that the policy was asked; {@link AdminRoutes} refuses to answer for an operation that never asked. */
  void decided() {
    decided = true;
  }

  boolean wasDecided() {
    return decided;
  }

  /** The raw context, for operations that stream their answer. */
  RoutingContext context() {
    return ctx;
  }
}
