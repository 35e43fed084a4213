package dev.tollgate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.access.ApiKey;
import dev.tollgate.access.Authenticator;
import dev.tollgate.access.KeyService;
import dev.tollgate.metering.UsageEvent;
import dev.tollgate.routing.ModelCatalog;
import dev.tollgate.server.ApiError;
import dev.tollgate.server.Async;
import dev.tollgate.server.Credentials;
import dev.tollgate.server.ErrorResponder;
import dev.tollgate.server.RequestIds;
import dev.tollgate.store.JdbiUsageStore;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * The admin REST API under {@code /admin/v1}: virtual keys and usage export. Master key only. Every
 * handler runs on a virtual thread, where blocking on the database is the right style.
 */
public final class AdminApi {
  private static final int EXPORT_CHUNK_BYTES = 64 * 1024;

  private final Authenticator authenticator;
  private final KeyService keys;
  private final JdbiUsageStore usage;
  private final ModelCatalog catalog;
  private final Async async;
  private final ObjectMapper json;
  private final Clock clock;

  public AdminApi(Authenticator authenticator, KeyService keys, JdbiUsageStore usage, ModelCatalog catalog,
      Async async, ObjectMapper json, Clock clock) {
    this.authenticator = authenticator;
    this.keys = keys;
    this.usage = usage;
    this.catalog = catalog;
    this.async = async;
    this.json = json;
    this.clock = clock;
  }

  /** Mounts the routes; POST routes first check the content type, then read the body (size-limited). */
  public void mount(Router router, Handler<RoutingContext> jsonOnly, Handler<RoutingContext> body) {
    router.route("/admin/v1/*").handler(this::requireMaster);
    router.post("/admin/v1/keys").handler(jsonOnly);
    router.post("/admin/v1/keys").handler(body).handler(ctx -> respond(ctx, 201, () -> createKey(ctx)));
    router.get("/admin/v1/keys").handler(ctx -> respond(ctx, 200, this::listKeys));
    router.get("/admin/v1/keys/:id").handler(ctx -> respond(ctx, 200, () -> getKey(ctx.pathParam("id"))));
    router.delete("/admin/v1/keys/:id").handler(ctx -> respond(ctx, 200, () -> revokeKey(ctx.pathParam("id"))));
    router.get("/admin/v1/usage/export").handler(this::export);
  }

  private void requireMaster(RoutingContext ctx) {
    String presented = Credentials.presented(ctx.request());
    if (presented == null || presented.isBlank()) {
      ErrorResponder.send(ctx, ApiError.missingKey());
    } else if (!authenticator.isMaster(presented)) {
      // No lookup: whatever else was presented, only the master key administers.
      ErrorResponder.send(ctx, ApiError.adminOnly());
    } else {
      ctx.next();
    }
  }

  private void respond(RoutingContext ctx, int status, Callable<JsonNode> action) {
    Context context = ctx.vertx().getOrCreateContext();
    async.blocking(context, action).onComplete(ar -> {
      if (ar.failed()) {
        ErrorResponder.send(ctx, ErrorResponder.toApiError(ctx, ar.cause()));
        return;
      }
      ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(ar.result().toString());
    });
  }

  private JsonNode createKey(RoutingContext ctx) {
    JsonNode body;
    try {
      Buffer raw = ctx.body().buffer();
      body = raw == null || raw.length() == 0 ? null : json.readTree(raw.getBytes());
    } catch (IOException e) {
      throw ApiError.invalidJson(e.getMessage()).exception();
    }
    if (body == null || !body.isObject()) {
      throw ApiError.invalidRequest("the request body must be a JSON object", null).exception();
    }
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!Set.of("name", "models", "expires_at", "metadata").contains(field)) {
        throw ApiError.invalidRequest("unknown field '" + field + "' (known: name, models, expires_at, metadata)",
            field).exception();
      }
    }
    JsonNode name = body.get("name");
    if (name == null || !name.isTextual() || name.asText().isBlank() || name.asText().length() > 200) {
      throw ApiError.invalidRequest("'name' must be a non-empty string of at most 200 characters", "name").exception();
    }
    Set<String> models = new LinkedHashSet<>();
    JsonNode modelsNode = body.get("models");
    if (modelsNode != null && !modelsNode.isNull()) {
      if (!modelsNode.isArray()) {
        throw ApiError.invalidRequest("'models' must be an array of model names", "models").exception();
      }
      for (JsonNode m : modelsNode) {
        if (!m.isTextual()) {
          throw ApiError.invalidRequest("'models' must be an array of model names", "models").exception();
        }
        if (catalog.find(m.asText()).isEmpty()) {
          throw ApiError.invalidRequest("unknown model '" + m.asText() + "'", "models").exception();
        }
        models.add(m.asText());
      }
    }
    Optional<Instant> expiresAt = Optional.empty();
    JsonNode expires = body.get("expires_at");
    if (expires != null && !expires.isNull()) {
      try {
        expiresAt = Optional.of(Instant.parse(expires.asText()));
      } catch (DateTimeParseException e) {
        throw ApiError.invalidRequest("'expires_at' must be an ISO-8601 instant such as 2027-01-01T00:00:00Z",
            "expires_at").exception();
      }
      if (!expiresAt.get().isAfter(clock.instant())) {
        throw ApiError.invalidRequest("'expires_at' must be in the future", "expires_at").exception();
      }
    }
    Map<String, Object> metadata = new LinkedHashMap<>();
    JsonNode meta = body.get("metadata");
    if (meta != null && !meta.isNull()) {
      if (!meta.isObject()) {
        throw ApiError.invalidRequest("'metadata' must be an object", "metadata").exception();
      }
      metadata = json.convertValue(meta, json.getTypeFactory().constructMapType(LinkedHashMap.class, String.class,
          Object.class));
    }
    KeyService.Created created = keys.create(name.asText(), models, expiresAt, metadata);
    ObjectNode out = describe(created.key());
    out.put("key", created.secret());
    return out;
  }

  private JsonNode listKeys() {
    ObjectNode root = json.createObjectNode().put("object", "list");
    ArrayNode data = root.putArray("data");
    keys.list().forEach(k -> data.add(describe(k)));
    return root;
  }

  private JsonNode getKey(String id) {
    return keys.find(id).map(this::describe)
        .orElseThrow(() -> ApiError.notFound("no key with id '" + id + "'").exception());
  }

  private JsonNode revokeKey(String id) {
    return keys.revoke(id).map(this::describe)
        .orElseThrow(() -> ApiError.notFound("no key with id '" + id + "'").exception());
  }

  private ObjectNode describe(ApiKey key) {
    ObjectNode o = json.createObjectNode()
        .put("id", key.id())
        .put("object", "api_key")
        .put("name", key.name())
        .put("key_prefix", key.prefix());
    ArrayNode models = o.putArray("models");
    key.models().stream().sorted().forEach(models::add);
    o.set("metadata", json.valueToTree(key.metadata()));
    o.put("created_at", key.createdAt().toString());
    o.put("expires_at", key.expiresAt().map(Instant::toString).orElse(null));
    o.put("revoked_at", key.revokedAt().map(Instant::toString).orElse(null));
    String state = key.revoked() ? "revoked" : key.expiredAt(clock.instant()) ? "expired" : "active";
    o.put("status", state);
    return o;
  }

  private void export(RoutingContext ctx) {
    String format = Optional.ofNullable(ctx.request().getParam("format")).orElse("jsonl");
    if (!format.equals("jsonl") && !format.equals("csv")) {
      ErrorResponder.send(ctx, ApiError.invalidRequest("'format' must be jsonl or csv", "format"));
      return;
    }
    long from;
    long to;
    try {
      from = instantParam(ctx.request().getParam("from"), 0);
      to = instantParam(ctx.request().getParam("to"), clock.millis() + 1);
    } catch (IllegalArgumentException e) {
      ErrorResponder.send(ctx, ApiError.invalidRequest(e.getMessage(), "from"));
      return;
    }
    Optional<String> keyId = Optional.ofNullable(ctx.request().getParam("key_id"));
    HttpServerResponse response = ctx.response();
    response.setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, format.equals("csv") ? "text/csv; charset=utf-8" : "application/x-ndjson")
        .putHeader("Content-Disposition", "attachment; filename=\"usage." + format + "\"");
    UsageWriter writer = format.equals("csv") ? new CsvUsageWriter() : new JsonlUsageWriter(json);
    async.blocking(ctx.vertx().getOrCreateContext(), () -> {
      StringBuilder chunk = new StringBuilder(EXPORT_CHUNK_BYTES + 1024);
      chunk.append(writer.header());
      usage.export(from, to, keyId, event -> {
        chunk.append(writer.line(event));
        if (chunk.length() >= EXPORT_CHUNK_BYTES) {
          // Waiting for each write keeps memory flat however large the export is.
          response.write(chunk.toString()).toCompletionStage().toCompletableFuture().join();
          chunk.setLength(0);
        }
      });
      response.end(chunk.toString()).toCompletionStage().toCompletableFuture().join();
      return null;
    }).onFailure(failure -> {
      if (!response.headWritten()) {
        ErrorResponder.send(ctx, ErrorResponder.toApiError(ctx, failure));
      } else {
        // Mid-export: the only honest signal left is a broken connection.
        org.slf4j.LoggerFactory.getLogger(AdminApi.class).atError().setCause(failure)
            .addKeyValue("request_id", RequestIds.of(ctx)).log("usage export failed mid-stream");
        response.reset();
      }
    });
  }

  static long instantParam(String value, long fallback) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      if (value.matches("\\d+")) {
        return Long.parseLong(value);
      }
      if (value.matches("\\d{4}-\\d{2}-\\d{2}")) {
        return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      }
      return Instant.parse(value).toEpochMilli();
    } catch (DateTimeParseException | NumberFormatException e) {
      throw new IllegalArgumentException("'" + value + "' is not a date (2026-01-31), an instant "
          + "(2026-01-31T00:00:00Z) or epoch milliseconds");
    }
  }

  /** One export format. */
  private interface UsageWriter {
    String header();

    String line(UsageEvent e);
  }

  private record JsonlUsageWriter(ObjectMapper json) implements UsageWriter {
    @Override
    public String header() {
      return "";
    }

    @Override
    public String line(UsageEvent e) {
      ObjectNode o = json.createObjectNode()
          .put("id", e.id()).put("request_id", e.requestId()).put("key_id", e.keyId()).put("endpoint", e.endpoint())
          .put("model", e.model()).put("deployment", e.deployment()).put("provider", e.provider())
          .put("upstream_model", e.upstreamModel()).put("input_tokens", e.inputTokens())
          .put("output_tokens", e.outputTokens()).put("cached_tokens", e.cachedTokens())
          .put("reasoning_tokens", e.reasoningTokens()).put("estimated", e.estimated())
          .put("cost_micros", e.costMicros()).put("status", e.status()).put("http_status", e.httpStatus())
          .put("latency_ms", e.latencyMs());
      if (e.ttftMs() >= 0) {
        o.put("ttft_ms", e.ttftMs());
      } else {
        o.putNull("ttft_ms");
      }
      o.put("streamed", e.streamed()).put("error", e.error())
          .put("created_at", Instant.ofEpochMilli(e.createdAt()).toString())
          .put("attempt", e.attempt()).put("route", e.route());
      return o + "\n";
    }
  }

  private static final class CsvUsageWriter implements UsageWriter {
    @Override
    public String header() {
      return "id,request_id,key_id,endpoint,model,deployment,provider,upstream_model,input_tokens,output_tokens,"
          + "cached_tokens,reasoning_tokens,estimated,cost_micros,status,http_status,latency_ms,ttft_ms,streamed,"
          + "error,created_at,attempt,route\n";
    }

    @Override
    public String line(UsageEvent e) {
      return String.join(",", csv(e.id()), csv(e.requestId()), csv(e.keyId()), csv(e.endpoint()), csv(e.model()),
          csv(e.deployment()), csv(e.provider()), csv(e.upstreamModel()), Long.toString(e.inputTokens()),
          Long.toString(e.outputTokens()), Long.toString(e.cachedTokens()), Long.toString(e.reasoningTokens()),
          Boolean.toString(e.estimated()), Long.toString(e.costMicros()), csv(e.status()),
          Integer.toString(e.httpStatus()), Long.toString(e.latencyMs()), e.ttftMs() < 0 ? "" : Long.toString(e.ttftMs()),
          Boolean.toString(e.streamed()), csv(e.error()), Instant.ofEpochMilli(e.createdAt()).toString(),
          Integer.toString(e.attempt()), csv(e.route())) + "\n";
    }

    private static String csv(String value) {
      if (value == null) {
        return "";
      }
      // Quote, and defuse spreadsheet formulas: exported text may come from callers.
      String v = value.startsWith("=") || value.startsWith("+") || value.startsWith("-") || value.startsWith("@")
          ? "'" + value : value;
      if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r") || !v.equals(value)) {
        return "\"" + v.replace("\"", "\"\"") + "\"";
      }
      return v;
    }
  }
}
