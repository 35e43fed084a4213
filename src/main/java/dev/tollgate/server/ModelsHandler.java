package dev.tollgate.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.access.Authenticator;
import dev.tollgate.access.Caller;
import dev.tollgate.routing.Model;
import dev.tollgate.routing.ModelCatalog;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /v1/models} and {@code GET /v1/models/{id}}: only the models the caller's key may use. */
public final class ModelsHandler {
  private final Authenticator authenticator;
  private final ModelCatalog catalog;
  private final ObjectMapper json;
  private final long created;

  /** @param created the "created" timestamp (epoch seconds) reported for every model: the gateway's start */
  public ModelsHandler(Authenticator authenticator, ModelCatalog catalog, ObjectMapper json, long created) {
    this.authenticator = authenticator;
    this.catalog = catalog;
    this.json = json;
    this.created = created;
  }

  public void list(RoutingContext ctx) {
    withCaller(ctx, caller -> {
      ObjectNode root = json.createObjectNode().put("object", "list");
      ArrayNode data = root.putArray("data");
      for (Model m : catalog.all()) {
        if (caller.mayUse(m.name())) {
          data.add(describe(m));
        }
      }
      return root;
    });
  }

  public void get(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    withCaller(ctx, caller -> {
      Model m = catalog.find(id).filter(model -> caller.mayUse(model.name()))
          // A model the key may not use is reported as absent: listing must not leak it.
          .orElseThrow(() -> ApiError.unknownModel(id).exception());
      return describe(m);
    });
  }

  private void withCaller(RoutingContext ctx, java.util.function.Function<Caller, ObjectNode> body) {
    Async.on(ctx.vertx().getOrCreateContext(), authenticator.authenticate(Credentials.presented(ctx.request())))
        .map(body)
        .onSuccess(node -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(node.toString()))
        .onFailure(failure -> ErrorResponder.send(ctx, ErrorResponder.toApiError(ctx, failure)));
  }

  private ObjectNode describe(Model m) {
    return json.createObjectNode()
        .put("id", m.name())
        .put("object", "model")
        .put("created", created)
        .put("owned_by", "tollgate");
  }
}
