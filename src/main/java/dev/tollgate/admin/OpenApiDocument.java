package dev.tollgate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.access.directory.Page;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenAPI 3.1 document of the admin API, built from the mounted {@link AdminRoute}s so it cannot
 * drift from them: paths, operations, parameters and bodies come from the routes and their {@link Doc};
 * the object schemas, error responses and security schemes are written by hand in
 * {@code openapi-components.json}, the one place that describes the views. Thread-safe (stateless).
 */
public final class OpenApiDocument {
  /** Where the document is served, without authentication. */
  public static final String PATH = "/admin/v1/openapi.json";
  static final String SCHEMAS = "#/components/schemas/";
  private static final String RESPONSES = "#/components/responses/";
  private static final String COMPONENTS = "/dev/tollgate/admin/openapi-components.json";
  private static final Pattern PATH_PARAM = Pattern.compile(":([A-Za-z_]+)");
  private static final String PREFIX = "/admin/v1/";

  private final ObjectMapper json;

  public OpenApiDocument(ObjectMapper json) {
    this.json = json;
  }

  /** The document for these routes, plus the document's own path. */
  public ObjectNode build(List<AdminRoute> routes) {
    ObjectNode root = json.createObjectNode().put("openapi", "3.1.0");
    root.putObject("info").put("title", "Tollgate admin API").put("version", version())
        .put("description", "Organizations, teams, members, users, virtual keys, usage and provider health. "
            + "Errors are {\"error\":{\"message\",\"type\",\"param\",\"code\"}} with an x-request-id header; "
            + "lists are paged with limit (1-200, default 50) and after (the previous page's next_cursor).");
    root.put("jsonSchemaDialect", "https://spec.openapis.org/oas/3.1/dialect/base");
    root.putArray("servers").addObject().put("url", "/").put("description", "This gateway");
    ArrayNode security = root.putArray("security");
    security.addObject().putArray("bearer");
    security.addObject().putArray("apiKeyHeader");
    TreeSet<String> tags = new TreeSet<>();
    ObjectNode paths = root.putObject("paths");
    for (AdminRoute route : routes) {
      ObjectNode item = paths.has(route.openApiPath()) ? (ObjectNode) paths.get(route.openApiPath())
          : paths.putObject(route.openApiPath());
      String method = route.method().name().toLowerCase(Locale.ROOT);
      if (item.has(method)) {
        throw new IllegalArgumentException("two admin routes for " + route.method() + " " + route.path());
      }
      item.set(method, operation(route));
      tags.add(tag(route.path()));
    }
    if (paths.has(PATH)) {
      throw new IllegalArgumentException("an admin route takes the document's own path " + PATH);
    }
    paths.putObject(PATH).set("get", selfOperation());
    tags.add("openapi");
    ArrayNode tagList = root.putArray("tags");
    tags.forEach(t -> tagList.addObject().put("name", t));
    root.set("components", components());
    return root;
  }

  private ObjectNode operation(AdminRoute route) {
    Doc doc = route.doc();
    ObjectNode op = json.createObjectNode().put("operationId", doc.operationId()).put("summary", route.summary());
    op.putArray("tags").add(tag(route.path()));
    ArrayNode params = json.createArrayNode();
    for (String name : pathParams(route.path())) {
      ObjectNode p = params.addObject().put("name", name).put("in", "path").put("required", true)
          .put("description", pathParamDescription(route.path(), name));
      p.putObject("schema").put("type", "string");
    }
    for (Doc.Param param : doc.query()) {
      params.addObject().put("name", param.name()).put("in", "query").put("required", false)
          .put("description", param.description()).set("schema", json.valueToTree(param.schema().json()));
    }
    boolean paged = doc.answer() instanceof Doc.Listing l && l.paged();
    if (paged) {
      ObjectNode limit = params.addObject().put("name", "limit").put("in", "query").put("required", false)
          .put("description", "Page size");
      limit.putObject("schema").put("type", "integer").put("minimum", 1)
          .put("maximum", Page.Request.MAX_LIMIT).put("default", 50);
      params.addObject().put("name", "after").put("in", "query").put("required", false)
          .put("description", "The next_cursor of the previous page").putObject("schema").put("type", "string");
    }
    if (!params.isEmpty()) {
      op.set("parameters", params);
    }
    if (!doc.body().isEmpty()) {
      op.set("requestBody", requestBody(doc.body()));
    }
    ObjectNode responses = op.putObject("responses");
    responses.set(Integer.toString(route.status()), success(route));
    // Only the errors this operation can give: 400 needs something to validate, 404 an object to look up.
    if (!doc.query().isEmpty() || paged || !doc.body().isEmpty()) {
      ref(responses, "400", "BadRequest");
    }
    ref(responses, "401", "Unauthorized");
    ref(responses, "403", "Forbidden");
    if (route.path().contains(":")) {
      ref(responses, "404", "NotFound");
    }
    if (route.method() != HttpMethod.GET) {
      ref(responses, "409", "Conflict");
    }
    if (!doc.body().isEmpty()) {
      ref(responses, "413", "PayloadTooLarge");
      ref(responses, "415", "UnsupportedMediaType");
    }
    ref(responses, "default", "ServerError");
    return op;
  }

  private ObjectNode requestBody(List<Doc.Field> fields) {
    ObjectNode schema = json.createObjectNode().put("type", "object");
    // Body refuses unknown fields, so a typo is a 400, not a silent no-op.
    schema.put("additionalProperties", false);
    ArrayNode required = json.createArrayNode();
    ObjectNode properties = schema.putObject("properties");
    for (Doc.Field field : fields) {
      ObjectNode property = json.valueToTree(field.schema().json());
      property.put("description", field.description());
      properties.set(field.name(), property);
      if (field.required()) {
        required.add(field.name());
      }
    }
    if (!required.isEmpty()) {
      schema.set("required", required);
    }
    ObjectNode body = json.createObjectNode().put("required", true);
    body.putObject("content").putObject("application/json").set("schema", schema);
    return body;
  }

  private ObjectNode success(AdminRoute route) {
    ObjectNode response = json.createObjectNode().put("description", route.summary());
    response.putObject("headers").putObject("x-request-id").put("$ref", "#/components/headers/RequestId");
    ObjectNode content = response.putObject("content");
    switch (route.doc().answer()) {
      case Doc.One one -> content.putObject("application/json").putObject("schema").put("$ref", SCHEMAS + one.schema());
      case Doc.Listing listing -> {
        ArrayNode allOf = content.putObject("application/json").putObject("schema").putArray("allOf");
        allOf.addObject().put("$ref", SCHEMAS + "List");
        allOf.addObject().putObject("properties").putObject("data").putObject("items")
            .put("$ref", SCHEMAS + listing.schema());
      }
      case Doc.Download download -> {
        response.put("description", download.description());
        download.media().forEach((type, schema) ->
            content.putObject(type).set("schema", json.valueToTree(schema.json())));
      }
    }
    return response;
  }

  private ObjectNode selfOperation() {
    ObjectNode op = json.createObjectNode().put("operationId", "getOpenApiDocument")
        .put("summary", "This document");
    op.putArray("tags").add("openapi");
    // It describes the API and reveals nothing, so tools may read it before they hold a key.
    op.putArray("security");
    op.putObject("responses").putObject("200").put("description", "The OpenAPI 3.1 document")
        .putObject("content").putObject("application/json").putObject("schema").put("type", "object");
    return op;
  }

  private static void ref(ObjectNode responses, String status, String name) {
    responses.putObject(status).put("$ref", RESPONSES + name);
  }

  private JsonNode components() {
    try (InputStream in = OpenApiDocument.class.getResourceAsStream(COMPONENTS)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + COMPONENTS);
      }
      return json.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + COMPONENTS, e);
    }
  }

  /** The path parameters in order: {@code /teams/:id/members/:user_id} has id and user_id. */
  static List<String> pathParams(String path) {
    List<String> names = new ArrayList<>();
    Matcher m = PATH_PARAM.matcher(path);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** The resource, the first segment after {@code /admin/v1/}: {@code teams}. */
  static String tag(String path) {
    if (!path.startsWith(PREFIX)) {
      throw new IllegalArgumentException("admin route outside " + PREFIX + ": " + path);
    }
    String rest = path.substring(PREFIX.length());
    int slash = rest.indexOf('/');
    return slash < 0 ? rest : rest.substring(0, slash);
  }

  /** {@code user_id} is the user's id; {@code id} is the id of the collection it follows ({@code /teams/:id}: the team's). */
  private static String pathParamDescription(String path, String name) {
    if (name.endsWith("_id")) {
      return "The " + name.substring(0, name.length() - 3) + "'s id";
    }
    String[] segments = path.split("/");
    for (int i = 1; i < segments.length; i++) {
      if (segments[i].equals(":" + name)) {
        String collection = segments[i - 1];
        return "The " + (collection.endsWith("s") ? collection.substring(0, collection.length() - 1) : collection)
            + "'s " + name;
      }
    }
    return name;
  }

  private static String version() {
    try (InputStream in = OpenApiDocument.class.getResourceAsStream("/tollgate-version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
