package dev.tollgate.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.access.policy.Action;
import dev.tollgate.admin.Doc.Schema;
import dev.tollgate.access.local.TotpCodes;
import dev.tollgate.testing.TestGateway;
import io.vertx.core.http.HttpMethod;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The OpenAPI document against the running gateway: the same operations in both directions, every
 * reference resolving, every answer of every route conforming to its documented schema, and the
 * documented query parameters behaving as documented.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiDocumentTest {
  private static final String MASTER = AdminFixture.MASTER;
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch",
      "trace");
  private static final String SELF = "GET " + OpenApiDocument.PATH;

  /** A request to make for a route: the path with real ids, a body (null for none), and whose key (null: master). */
  record Call(String path, String body, String key) {
    Call(String path, String body) {
      this(path, body, null);
    }

    String keyOr(String fallback) {
      return key == null ? fallback : key;
    }
  }

  private final ObjectMapper json = new ObjectMapper();
  private final Map<String, Function<AdminFixture, Call>> samples = new LinkedHashMap<>();
  private TestGateway gateway;
  private AdminFixture f;
  private JsonNode doc;
  private SchemaCheck schemas;

  @BeforeAll
  void start() {
    gateway = TestGateway.start("""
        providers:
          - { name: demo, type: mock }
        models:
          - name: m
            deployments: [ { provider: demo, model: mock-model } ]
        """, "secrets: { encryption_key: \"" + AdminFixture.ENCRYPTION_KEY + "\" }");
    f = new AdminFixture(gateway);
    doc = new OpenApiDocument(json).build(gateway.tollgate().adminRoutes());
    schemas = new SchemaCheck(doc);
    sample("GET /admin/v1/me", x -> new Call("/admin/v1/me", null));
    sample("GET /admin/v1/organizations", x -> new Call("/admin/v1/organizations", null));
    sample("POST /admin/v1/organizations", x -> new Call("/admin/v1/organizations",
        "{\"name\":\"org-" + AdminFixture.suffix() + "\"}"));
    sample("GET /admin/v1/organizations/:id", x -> new Call("/admin/v1/organizations/default", null));
    sample("GET /admin/v1/teams", x -> new Call("/admin/v1/teams", null));
    sample("POST /admin/v1/teams", x -> new Call("/admin/v1/teams", "{\"name\":\"t-" + AdminFixture.suffix()
        + "\",\"org_id\":\"default\",\"metadata\":{\"cost_center\":\"42\"}}"));
    sample("GET /admin/v1/teams/:id", x -> new Call("/admin/v1/teams/" + x.alpha, null));
    sample("PATCH /admin/v1/teams/:id", x -> new Call("/admin/v1/teams/" + x.alpha, "{\"metadata\":{\"c\":\"1\"}}"));
    sample("DELETE /admin/v1/teams/:id", x -> new Call("/admin/v1/teams/" + x.team("gone-" + AdminFixture.suffix()),
        null));
    sample("GET /admin/v1/teams/:id/members", x -> new Call("/admin/v1/teams/" + x.alpha + "/members", null));
    sample("PUT /admin/v1/teams/:id/members/:user_id", x -> new Call("/admin/v1/teams/" + x.alpha + "/members/"
        + x.user("member"), "{\"role\":\"team_admin\"}"));
    sample("DELETE /admin/v1/teams/:id/members/:user_id", x -> {
      String user = x.user("member");
      x.join(x.alpha, user, "member");
      return new Call("/admin/v1/teams/" + x.alpha + "/members/" + user, null);
    });
    sample("GET /admin/v1/users", x -> new Call("/admin/v1/users", null));
    sample("POST /admin/v1/users", x -> new Call("/admin/v1/users", "{\"email\":\"n-" + AdminFixture.suffix()
        + "@example.com\",\"name\":\"N\",\"role\":\"viewer\",\"org_id\":\"default\"}"));
    sample("GET /admin/v1/users/:id", x -> new Call("/admin/v1/users/" + x.member.userId(), null));
    sample("PATCH /admin/v1/users/:id", x -> new Call("/admin/v1/users/" + x.user("member"),
        "{\"name\":\"R\",\"role\":\"auditor\",\"disabled\":true}"));
    sample("GET /admin/v1/keys", x -> new Call("/admin/v1/keys", null));
    sample("POST /admin/v1/keys", x -> new Call("/admin/v1/keys", "{\"name\":\"n\",\"team_id\":\"" + x.alpha
        + "\",\"user_id\":\"" + x.member.userId() + "\",\"models\":[\"m\"],\"expires_at\":\"2099-01-01T00:00:00Z\","
        + "\"metadata\":{\"k\":\"v\"}}"));
    sample("GET /admin/v1/keys/:id", x -> new Call("/admin/v1/keys/" + x.member.keyId(), null));
    sample("DELETE /admin/v1/keys/:id", x -> new Call("/admin/v1/keys/" + x.keyOf(x.member.userId(), x.alpha), null));
    sample("POST /admin/v1/keys/:id/rotate", x -> new Call("/admin/v1/keys/" + x.keyOf(x.member.userId(), x.alpha)
        + "/rotate", "{\"grace_seconds\":60}"));
    sample("PUT /admin/v1/users/:id/password", x -> new Call("/admin/v1/users/" + x.user("member") + "/password",
        "{\"password\":\"" + AdminFixture.PASSWORD + "\"}"));
    sample("POST /admin/v1/me/totp", x -> new Call("/admin/v1/me/totp", null, x.viewer.secret()));
    sample("POST /admin/v1/me/totp/confirm", x -> {
      HttpResponse<String> begun = gateway.call("POST", "/admin/v1/me/totp", x.auditor.secret(), null);
      String code = TotpCodes.now(AdminFixture.json(begun).get("secret").asText());
      return new Call("/admin/v1/me/totp/confirm", "{\"code\":\"" + code + "\"}", x.auditor.secret());
    });
    sample("DELETE /admin/v1/me/totp", x -> new Call("/admin/v1/me/totp", null, x.member.secret()));
    sample("GET /admin/v1/audit", x -> new Call("/admin/v1/audit", null));
    sample("GET /admin/v1/audit/export", x -> new Call("/admin/v1/audit/export", null));
    sample("GET /admin/v1/providers/secrets", x -> new Call("/admin/v1/providers/secrets", null));
    sample("PUT /admin/v1/providers/:provider/secrets/:field", x -> new Call("/admin/v1/providers/demo/secrets/api_key",
        "{\"value\":\"sk-doc-" + AdminFixture.suffix() + "\"}"));
    sample("DELETE /admin/v1/providers/:provider/secrets/:field", x -> {
      AdminFixture.ok(gateway.call("PUT", "/admin/v1/providers/demo/secrets/aws_session_token", MASTER,
          "{\"value\":\"token-" + AdminFixture.suffix() + "\"}"), 200);
      return new Call("/admin/v1/providers/demo/secrets/aws_session_token", null);
    });
    sample("GET /admin/v1/usage/export", x -> new Call("/admin/v1/usage/export", null));
    sample("GET /admin/v1/usage", x -> new Call("/admin/v1/usage?group_by=day,model,key,team,user", null));
    sample("GET /admin/v1/budgets", x -> {
      x.budget("user", x.member.userId());
      return new Call("/admin/v1/budgets", null);
    });
    sample("GET /admin/v1/budgets/:id", x -> new Call("/admin/v1/budgets/" + x.budget("key", x.member.keyId()), null));
    sample("PUT /admin/v1/budgets/:id", x -> new Call("/admin/v1/budgets/b-" + AdminFixture.suffix(),
        "{\"scope\":\"team\",\"scope_id\":\"" + x.alpha + "\",\"amount_usd\":\"12.50\",\"period\":\"daily\","
            + "\"thresholds\":[50,90]}"));
    sample("DELETE /admin/v1/budgets/:id", x -> new Call("/admin/v1/budgets/" + x.budget("organization", "default"),
        null));
    sample("GET /admin/v1/providers/health", x -> new Call("/admin/v1/providers/health", null));
    // One billed call, so the export has a line to check.
    HttpResponse<String> chat = gateway.post("/v1/chat/completions", f.member.secret(),
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
    gateway.awaitUsageSettled();
  }

  private void sample(String route, Function<AdminFixture, Call> call) {
    assertThat(samples.put(route, call)).as("duplicate sample " + route).isNull();
  }

  @AfterAll
  void stop() {
    gateway.close();
  }

  private static String key(AdminRoute r) {
    return r.method().name() + " " + r.path();
  }

  private List<AdminRoute> routes() {
    return gateway.tollgate().adminRoutes();
  }

  /** Every operation of the document as "METHOD /openapi/{path}". */
  private Set<String> documented() {
    Set<String> out = new TreeSet<>();
    doc.get("paths").fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(method -> {
      assertThat(METHODS).as("a path item key of " + path.getKey()).contains(method);
      out.add(method.toUpperCase(java.util.Locale.ROOT) + " " + path.getKey());
    }));
    return out;
  }

  private JsonNode operation(AdminRoute route) {
    return doc.path("paths").path(route.openApiPath()).path(route.method().name().toLowerCase(java.util.Locale.ROOT));
  }

  @Test
  void everyMountedRouteIsDocumentedAndEveryDocumentedOperationIsMounted() {
    Set<String> mounted = new TreeSet<>();
    routes().forEach(r -> mounted.add(r.method().name() + " " + r.openApiPath()));
    mounted.add(SELF);
    assertThat(documented()).as("documented operations that are not mounted").isSubsetOf(mounted);
    assertThat(mounted).as("mounted routes missing from the document").isSubsetOf(documented());
  }

  @TestFactory
  Stream<DynamicTest> everyDocumentedOperationIsAnsweredByTheRouterWithTheDocumentedError() {
    // Without a key, a mounted operation says 401 in the error shape; an unmounted one would be 404 or 405.
    return routes().stream().map(route -> dynamicTest(key(route), () -> {
      String path = route.path().replaceAll(":[A-Za-z_]+", "x");
      HttpResponse<String> r = gateway.call(route.method().name(), path, null, route.body().isEmpty() ? null : "{}");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
      assertThat(r.headers().firstValue("x-request-id")).isPresent();
      JsonNode documented = operation(route).path("responses").path("401");
      assertThat(documented.isMissingNode()).as("401 documented").isFalse();
      JsonNode schema = doc.at(documented.get("$ref").asText().substring(1)).at("/content/application~1json/schema");
      assertThat(schemas.problems(TestGateway.json(r.body()), schema)).isEmpty();
    }));
  }

  @Test
  void theDocumentIsServedWithoutAKeyAndEqualsTheBuiltOne() {
    HttpResponse<String> r = gateway.call("GET", OpenApiDocument.PATH, null, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    // Compared as parsed text: the built tree holds longs where parsing gives ints.
    JsonNode built = TestGateway.json(doc.toString());
    assertThat(TestGateway.json(r.body())).isEqualTo(built);
    // A wrong key changes nothing either: the document is not behind authentication.
    assertThat(TestGateway.json(gateway.call("GET", OpenApiDocument.PATH, "tg-wrong", null).body())).isEqualTo(built);
  }

  @Test
  void isStructurallyOpenApi31() {
    assertThat(doc.path("openapi").asText()).isEqualTo("3.1.0");
    assertThat(doc.at("/info/title").asText()).isNotBlank();
    assertThat(doc.at("/info/version").asText()).isNotBlank();
    assertThat(doc.at("/servers/0/url").asText()).as("a relative server").startsWith("/");
    assertThat(doc.path("paths").size()).isPositive();
    Set<String> schemes = new TreeSet<>();
    doc.at("/components/securitySchemes").fieldNames().forEachRemaining(schemes::add);
    doc.path("security").forEach(req -> req.fieldNames().forEachRemaining(s ->
        assertThat(schemes).as("security scheme").contains(s)));
    Set<String> tags = new TreeSet<>();
    doc.path("tags").forEach(t -> tags.add(t.get("name").asText()));
    Set<String> operationIds = new TreeSet<>();
    doc.get("paths").fields().forEachRemaining(path -> {
      assertThat(path.getKey()).startsWith("/admin/v1/");
      path.getValue().fields().forEachRemaining(m -> {
        JsonNode op = m.getValue();
        String where = m.getKey() + " " + path.getKey();
        assertThat(operationIds.add(op.path("operationId").asText())).as("unique operationId of " + where).isTrue();
        assertThat(op.path("operationId").asText()).as(where).matches("[a-z][A-Za-z]+");
        assertThat(op.path("summary").asText()).as(where).isNotBlank();
        op.path("tags").forEach(t -> assertThat(tags).as("declared tag of " + where).contains(t.asText()));
        assertThat(op.path("responses").size()).as("responses of " + where).isPositive();
        op.path("responses").fields().forEachRemaining(resp -> {
          assertThat(resp.getKey()).as(where).matches("default|[1-5][0-9][0-9]");
          JsonNode response = resp.getValue().has("$ref") ? doc.at(resp.getValue().get("$ref").asText().substring(1))
              : resp.getValue();
          assertThat(response.path("description").asText()).as("description of " + where + " " + resp.getKey())
              .isNotBlank();
        });
        op.path("parameters").forEach(p -> {
          assertThat(p.path("in").asText()).as(where).isIn("path", "query", "header", "cookie");
          assertThat(p.path("name").asText()).as(where).isNotBlank();
          assertThat(p.path("schema").isObject()).as("schema of " + p.path("name") + " in " + where).isTrue();
        });
      });
    });
    // JSON Schema 2020-12 only: OpenAPI 3.0's nullable keyword means nothing in 3.1.
    assertThat(doc.toString()).doesNotContain("\"nullable\"");
    walk(doc, "", (at, node) -> {
      // Under "properties", "type" names a property, not the schema's type.
      if (node.has("type") && !at.endsWith("/properties")) {
        JsonNode type = node.get("type");
        List<JsonNode> types = new ArrayList<>();
        if (type.isArray()) {
          type.forEach(types::add);
        } else {
          types.add(type);
        }
        // Security schemes and the like also have a "type"; only schema types are JSON Schema's.
        if (!at.contains("/securitySchemes/")) {
          types.forEach(t -> assertThat(t.asText()).as(at).isIn("object", "array", "string", "integer", "number",
              "boolean", "null"));
        }
      }
    });
  }

  @Test
  void everyReferenceResolvesAndEverySchemaIsUsed() {
    List<String> refs = new ArrayList<>();
    walk(doc, "", (at, node) -> {
      if (node.has("$ref")) {
        refs.add(node.get("$ref").asText());
      }
    });
    assertThat(refs).hasSizeGreaterThan(routes().size());
    for (String ref : refs) {
      assertThat(ref).startsWith("#/components/");
      assertThat(doc.at(ref.substring(1)).isMissingNode()).as(ref + " resolves").isFalse();
    }
    Set<String> unused = new TreeSet<>();
    doc.at("/components/schemas").fieldNames().forEachRemaining(name -> {
      if (!refs.contains(OpenApiDocument.SCHEMAS + name)) {
        unused.add(name);
      }
    });
    assertThat(unused).as("schemas no operation answers with").isEmpty();
  }

  @Test
  void pathParametersAreThoseOfThePathAndRequired() {
    Pattern template = Pattern.compile("\\{([^}]+)}");
    doc.get("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(m -> {
      Set<String> inPath = new TreeSet<>();
      Matcher matcher = template.matcher(path.getKey());
      while (matcher.find()) {
        inPath.add(matcher.group(1));
      }
      Set<String> declared = new TreeSet<>();
      m.getValue().path("parameters").forEach(p -> {
        if (p.get("in").asText().equals("path")) {
          declared.add(p.get("name").asText());
          assertThat(p.path("required").asBoolean()).as(p + " required").isTrue();
        }
      });
      assertThat(declared).as(m.getKey() + " " + path.getKey()).isEqualTo(inPath);
    }));
    assertThat(operation(route("PUT /admin/v1/teams/:id/members/:user_id")).path("parameters").findValuesAsText("name"))
        .containsExactly("id", "user_id");
  }

  private AdminRoute route(String key) {
    return routes().stream().filter(r -> key(r).equals(key)).findFirst().orElseThrow();
  }

  /** A route answers a list in the wrapper exactly when documented so; a paged one refuses limit=0, an unpaged one ignores it. */
  @TestFactory
  Stream<DynamicTest> everyListRouteDocumentsLimitAndAfterAndHonoursThem() {
    return routes().stream().filter(r -> r.method() == HttpMethod.GET && r.doc().answer() instanceof Doc.Listing)
        .map(route -> dynamicTest(key(route), () -> {
          boolean paged = ((Doc.Listing) route.doc().answer()).paged();
          List<String> query = queryParams(operation(route));
          String path = samples.get(key(route)).apply(f).path();
          HttpResponse<String> r = gateway.call("GET", path + "?limit=0", MASTER, null);
          if (paged) {
            assertThat(query).contains("limit", "after");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
            assertThat(TestGateway.json(r.body()).at("/error/param").asText()).isEqualTo("limit");
            HttpResponse<String> first = gateway.call("GET", path + "?limit=1", MASTER, null);
            JsonNode page = TestGateway.json(first.body());
            assertThat(page.get("data").size()).as(first.body()).isEqualTo(1);
            if (page.get("has_more").asBoolean()) {
              HttpResponse<String> next = gateway.call("GET", path + "?limit=1&after="
                  + page.get("next_cursor").asText(), MASTER, null);
              assertThat(TestGateway.json(next.body()).at("/data/0/id")).isNotEqualTo(page.at("/data/0/id"));
            }
          } else {
            assertThat(query).doesNotContain("limit", "after");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
          }
        }));
  }

  @Test
  void everyPagedListIsAGetAnsweringTheListWrapper() {
    long paged = routes().stream().filter(r -> r.doc().answer() instanceof Doc.Listing l && l.paged()).count();
    assertThat(paged).as("organizations, teams, users, keys, audit").isEqualTo(5);
    for (AdminRoute route : routes()) {
      boolean listing = route.doc().answer() instanceof Doc.Listing;
      JsonNode schema = operation(route).at("/responses/" + route.status() + "/content/application~1json/schema");
      assertThat(schema.at("/allOf/0/$ref").asText().equals(OpenApiDocument.SCHEMAS + "List")).as(key(route))
          .isEqualTo(listing);
    }
  }

  /** Each value of an enumerated query parameter is accepted, and any other value is a 400 naming the parameter. */
  @TestFactory
  Stream<DynamicTest> enumeratedQueryParametersAcceptExactlyTheirValues() {
    List<DynamicTest> tests = new ArrayList<>();
    for (AdminRoute route : routes()) {
      for (Doc.Param param : route.doc().query()) {
        Object values = param.schema().json().get("enum");
        if (!(values instanceof List<?> list)) {
          continue;
        }
        tests.add(dynamicTest(key(route) + " ?" + param.name(), () -> {
          String path = samples.get(key(route)).apply(f).path();
          for (Object value : list) {
            HttpResponse<String> r = gateway.call("GET", path + "?" + param.name() + "=" + value, MASTER, null);
            assertThat(r.statusCode()).as(param.name() + "=" + value + ": " + r.body()).isEqualTo(200);
          }
          HttpResponse<String> r = gateway.call("GET", path + "?" + param.name() + "=bogus", MASTER, null);
          assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
          assertThat(TestGateway.json(r.body()).at("/error/param").asText()).isEqualTo(param.name());
        }));
      }
    }
    assertThat(tests).as("users role/status, keys status, usage format, audit actor_type (list, export), budgets scope")
        .hasSize(7);
    return tests.stream();
  }

  @Test
  void everyRouteHasASample() {
    Set<String> mounted = new TreeSet<>();
    routes().forEach(r -> mounted.add(key(r)));
    assertThat(samples.keySet()).as("samples for routes that do not exist").isSubsetOf(mounted);
    assertThat(mounted).as("routes without a sample call here (add one)").isSubsetOf(samples.keySet());
  }

  /** The sample request conforms to the documented body, and the answer to the documented status and schema. */
  @TestFactory
  Stream<DynamicTest> everyAnswerConformsToItsDocumentedSchema() {
    return routes().stream().filter(r -> samples.containsKey(key(r))).map(route -> dynamicTest(key(route), () -> {
      JsonNode op = operation(route);
      Call call = samples.get(key(route)).apply(f);
      if (call.body() != null) {
        JsonNode bodySchema = op.at("/requestBody/content/application~1json/schema");
        assertThat(schemas.problems(TestGateway.json(call.body()), bodySchema)).as("sample body").isEmpty();
      }
      HttpResponse<String> r = gateway.call(route.method().name(), call.path(), call.keyOr(MASTER), call.body());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(route.status());
      JsonNode documented = op.path("responses").path(Integer.toString(r.statusCode()));
      String type = r.headers().firstValue("content-type").orElse("").split(";")[0];
      JsonNode schema = documented.path("content").path(type).path("schema");
      assertThat(schema.isObject()).as("a schema for " + type + " in " + documented).isTrue();
      if (type.equals("application/x-ndjson")) {
        List<String> lines = r.body().lines().toList();
        assertThat(lines).as("the billed call's line").isNotEmpty();
        lines.forEach(line -> assertThat(schemas.problems(TestGateway.json(line), schema)).as(line).isEmpty());
      } else {
        assertThat(schemas.problems(TestGateway.json(r.body()), schema)).as(r.body()).isEmpty();
      }
    }));
  }

  @Test
  void aPersonsPrincipalAndTheCsvExportConformToo() {
    HttpResponse<String> me = gateway.call("GET", "/admin/v1/me", f.member.secret(), null);
    JsonNode principal = TestGateway.json(me.body());
    assertThat(principal.get("type").asText()).isEqualTo("user");
    assertThat(schemas.problems(principal, doc.at("/components/schemas/Principal"))).isEmpty();
    HttpResponse<String> csv = gateway.call("GET", "/admin/v1/usage/export?format=csv", MASTER, null);
    assertThat(csv.headers().firstValue("content-type").orElse("")).startsWith("text/csv");
    assertThat(doc.at("/paths/~1admin~1v1~1usage~1export/get/responses/200/content").has("text/csv")).isTrue();
    // The csv columns are the jsonl fields, in the order the schema lists them.
    List<String> required = new ArrayList<>();
    doc.at("/components/schemas/UsageExportLine/required").forEach(n -> required.add(n.asText()));
    assertThat(csv.body().lines().findFirst().orElseThrow()).isEqualTo(String.join(",", required));
  }

  @Test
  void theCheckerRejectsWhatDoesNotConform() {
    JsonNode team = doc.at("/components/schemas/Team");
    ObjectNode good = json.createObjectNode().put("id", "t").put("object", "team").put("org_id", "o").put("name", "n")
        .put("created_at", "2026-01-01T00:00:00Z");
    good.putObject("metadata");
    assertThat(schemas.problems(good, team)).isEmpty();
    assertThat(schemas.problems(good.deepCopy().without("name"), team)).containsExactly(": 'name' is missing");
    assertThat(schemas.problems(good.deepCopy().put("object", "user"), team)).hasSize(1);
    assertThat(schemas.problems(good.deepCopy().put("created_at", "yesterday"), team)).hasSize(1);
    JsonNode body = operation(route("POST /admin/v1/keys")).at("/requestBody/content/application~1json/schema");
    assertThat(schemas.problems(TestGateway.json("{\"name\":\"n\",\"nmae\":1}"), body))
        .containsExactly("/nmae: not allowed");
  }

  @Test
  void requestBodiesListExactlyTheFieldsTheRouteAccepts() {
    for (AdminRoute route : routes()) {
      JsonNode body = operation(route).at("/requestBody/content/application~1json/schema");
      Set<String> documented = new TreeSet<>();
      body.path("properties").fieldNames().forEachRemaining(documented::add);
      assertThat(documented).as(key(route)).isEqualTo(new TreeSet<>(route.body()));
      if (!route.body().isEmpty()) {
        assertThat(body.path("additionalProperties").asBoolean(true)).as(key(route)).isFalse();
      }
    }
  }

  static Stream<Arguments> invalidDocs() {
    return Stream.of(
        Arguments.of("a body that differs from the documented fields", (Runnable) () -> new AdminRoute(HttpMethod.POST,
            "/admin/v1/x", Action.TEAM_CREATE, "x", Set.of("name", "extra"), 201,
            Doc.write("createX", "Team", Doc.required("name", Schema.string(10), "n")), call -> null),
            "accepts"),
        Arguments.of("a route without documentation", (Runnable) () -> new AdminRoute(HttpMethod.GET, "/admin/v1/x",
            Action.TEAM_READ, "x", Set.of(), 200, null, call -> null), "documentation"),
        Arguments.of("limit as a filter", (Runnable) () -> Doc.list("listX", "Team",
            Doc.param("limit", Schema.string(), "l")), "paged"),
        Arguments.of("a query parameter twice", (Runnable) () -> Doc.list("listX", "Team",
            Doc.param("a", Schema.string(), "a"), Doc.param("a", Schema.string(), "a")), "twice"),
        Arguments.of("a body field twice", (Runnable) () -> Doc.write("createX", "Team",
            Doc.optional("a", Schema.string(), "a"), Doc.optional("a", Schema.string(), "a")), "twice"),
        Arguments.of("an operationId not in lowerCamelCase", (Runnable) () -> Doc.one("get-x", "Team"), "lowerCamelCase"));
  }

  @ParameterizedTest(name = "{0} is refused")
  @MethodSource("invalidDocs")
  void inconsistentDocumentationIsRefusedAtStartup(String what, Runnable make, String message) {
    assertThatThrownBy(make::run).hasMessageContaining(message);
  }

  @Test
  void twoRoutesForOneOperationOrARouteOutsideTheApiAreRefused() {
    AdminRoute a = AdminRoute.get("/admin/v1/x", Action.TEAM_READ, "x", Doc.one("getX", "Team"), call -> null);
    assertThatThrownBy(() -> new OpenApiDocument(json).build(List.of(a, a))).hasMessageContaining("two admin routes");
    AdminRoute outside = AdminRoute.get("/elsewhere", Action.TEAM_READ, "x", Doc.one("getX", "Team"), call -> null);
    assertThatThrownBy(() -> new OpenApiDocument(json).build(List.of(outside))).hasMessageContaining("outside");
  }

  private static List<String> queryParams(JsonNode op) {
    List<String> names = new ArrayList<>();
    op.path("parameters").forEach(p -> {
      if (p.get("in").asText().equals("query")) {
        names.add(p.get("name").asText());
      }
    });
    return names;
  }

  private static void walk(JsonNode node, String at, java.util.function.BiConsumer<String, JsonNode> visit) {
    if (node.isObject()) {
      visit.accept(at, node);
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        walk(e.getValue(), at + "/" + e.getKey(), visit);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        walk(node.get(i), at + "/" + i, visit);
      }
    }
  }
}
