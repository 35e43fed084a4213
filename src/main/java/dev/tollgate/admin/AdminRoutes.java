package dev.tollgate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.access.policy.Principal;
import dev.tollgate.server.Async;
import dev.tollgate.server.ErrorResponder;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Every admin operation, mounted on the router: authentication first, then the operation on a
 * virtual thread, its answer as JSON, its failures in the API's error shape. The list is the single
 * source for the router, the OpenAPI document and the role matrix test.
 */
public final class AdminRoutes {
  private final List<AdminRoute> routes;
  private final AdminAuthenticator authenticator;
  private final Async async;
  private final ObjectMapper json;
  private final String openApi;

  public AdminRoutes(List<AdminRoute> routes, AdminAuthenticator authenticator, Async async, ObjectMapper json) {
    this.routes = List.copyOf(routes);
    this.authenticator = authenticator;
    this.async = async;
    this.json = json;
    // Built once: the routes never change after start, and every verticle instance serves the same text.
    this.openApi = new OpenApiDocument(json).build(this.routes).toString();
  }

  public List<AdminRoute> routes() {
    return routes;
  }

  /**
   * Mounts every route, and the OpenAPI document at {@link OpenApiDocument#PATH}; routes with a body
   * first check the content type, then read the body (size-limited).
   */
  public void mount(Router router, Handler<RoutingContext> jsonOnly, Handler<RoutingContext> body) {
    // Not an AdminRoute: it needs no policy action and no key, since it describes the API and reveals nothing.
    router.get(OpenApiDocument.PATH).handler(ctx -> ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(openApi));
    // Literal paths before parameterised ones, so /keys/export is never taken for /keys/:id.
    List<AdminRoute> ordered = new ArrayList<>(routes);
    ordered.sort((a, b) -> Boolean.compare(a.path().contains(":"), b.path().contains(":")));
    for (AdminRoute route : ordered) {
      if (!route.body().isEmpty()) {
        router.route(route.method(), route.path()).handler(jsonOnly);
      }
      Route r = router.route(route.method(), route.path());
      if (!route.body().isEmpty() || route.method() != HttpMethod.GET) {
        r.handler(body);
      }
      r.handler(ctx -> run(ctx, route));
    }
  }

  private void run(RoutingContext ctx, AdminRoute route) {
    Context context = ctx.vertx().getOrCreateContext();
    async.blocking(context, () -> {
      Principal principal = authenticator.authenticate(ctx.request());
      AdminCall call = new AdminCall(ctx, principal, route, json);
      Object answer = route.operation().run(call);
      if (!call.wasDecided()) {
        // A route that never asked the policy is a bug; its answer must not leave the building.
        throw new IllegalStateException("admin route " + route.method() + " " + route.path()
            + " answered without a policy decision");
      }
      return answer;
    }).onComplete(ar -> {
      if (ar.failed()) {
        ErrorResponder.send(ctx, ErrorResponder.toApiError(ctx, ar.cause()));
      } else if (ar.result() instanceof JsonNode answer && !ctx.response().headWritten()) {
        ctx.response().setStatusCode(route.status()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(answer.toString());
      }
    });
  }
}
