package dev.tollgate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.time.Instant;
import dev.tollgate.access.directory.Scope;
import dev.tollgate.access.directory.Page;
import dev.tollgate.access.KeyStore;
import dev.tollgate.access.ApiKey;
import dev.tollgate.access.KeySecrets;
import dev.tollgate.testing.FakeUpstream;
import dev.tollgate.testing.TestGateway;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The admin API: keys shown once, stored as digests, revoked at once; usage exported as JSONL and CSV. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminApiTest {
  private static final String MASTER = TestGateway.MASTER_KEY;
  private FakeUpstream upstream;
  private TestGateway gateway;

  @BeforeAll
  void start() {
    upstream = FakeUpstream.start();
    gateway = TestGateway.withUpstream(upstream);
  }

  @AfterAll
  void stop() {
    gateway.close();
    upstream.close();
  }

  private JsonNode created(String body) {
    HttpResponse<String> r = gateway.post("/admin/v1/keys", MASTER, body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return TestGateway.json(r.body());
  }

  @Test
  void aKeyIsShownOnceStoredAsADigestAndListedWithoutItsSecret() {
    JsonNode key = created("""
        {"name":"team-a","models":["m"],"expires_at":"2099-01-01T00:00:00Z","metadata":{"team":"a","n":[1,null]}}""");
    String secret = key.get("key").asText();
    assertThat(secret).startsWith("tg-").hasSize(46);
    assertThat(key.get("key_prefix").asText()).isEqualTo(secret.substring(0, 8));
    assertThat(key.get("models").toString()).isEqualTo("[\"m\"]");
    assertThat(key.get("expires_at").asText()).isEqualTo("2099-01-01T00:00:00Z");
    assertThat(key.get("metadata").toString()).isEqualTo("{\"team\":\"a\",\"n\":[1,null]}");
    assertThat(key.get("status").asText()).isEqualTo("active");

    HttpResponse<String> list = gateway.request("GET", "/admin/v1/keys", MASTER);
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.body()).doesNotContain(secret).contains(key.get("id").asText());
    HttpResponse<String> one = gateway.request("GET", "/admin/v1/keys/" + key.get("id").asText(), MASTER);
    assertThat(one.body()).doesNotContain(secret);

    String stored = gateway.tollgate().database().jdbi().withHandle(h -> h.createQuery(
        "SELECT key_hash FROM api_keys WHERE id = :id").bind("id", key.get("id").asText()).mapTo(String.class).one());
    assertThat(stored).isEqualTo(KeySecrets.digest(secret)).doesNotContain(secret);
    long rowsWithSecret = gateway.tollgate().database().jdbi().withHandle(h -> h.createQuery(
        "SELECT COUNT(*) FROM api_keys WHERE key_hash = :s OR key_prefix = :s OR name = :s OR metadata LIKE :like")
        .bind("s", secret).bind("like", "%" + secret + "%").mapTo(Long.class).one());
    assertThat(rowsWithSecret).isZero();
  }

  @Test
  void revocationIsEffectiveAtOnce() {
    JsonNode key = created("{\"name\":\"short-lived\"}");
    String secret = key.get("key").asText();
    String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    assertThat(gateway.post("/v1/chat/completions", secret, body).statusCode()).isEqualTo(200);

    HttpResponse<String> revoked = gateway.request("DELETE", "/admin/v1/keys/" + key.get("id").asText(), MASTER);
    assertThat(revoked.statusCode()).isEqualTo(200);
    assertThat(TestGateway.json(revoked.body()).get("status").asText()).isEqualTo("revoked");

    HttpResponse<String> after = gateway.post("/v1/chat/completions", secret, body);
    assertThat(after.statusCode()).isEqualTo(401);
    assertThat(TestGateway.json(after.body()).get("error").get("code").asText()).isEqualTo("revoked_api_key");
  }

  @Test
  void unknownKeyIdsAre404() {
    assertThat(gateway.request("DELETE", "/admin/v1/keys/nope", MASTER).statusCode()).isEqualTo(404);
    assertThat(gateway.request("GET", "/admin/v1/keys/nope", MASTER).statusCode()).isEqualTo(404);
  }

  static Stream<Arguments> badKeyRequests() {
    return Stream.of(
        Arguments.of("{", "invalid_json", null),
        Arguments.of("[]", "invalid_request", null),
        Arguments.of("{}", "invalid_request", "name"),
        Arguments.of("{\"name\":\"\"}", "invalid_request", "name"),
        Arguments.of("{\"name\":7}", "invalid_request", "name"),
        Arguments.of("{\"name\":\"x\",\"models\":\"m\"}", "invalid_request", "models"),
        Arguments.of("{\"name\":\"x\",\"models\":[\"no-such-model\"]}", "invalid_request", "models"),
        Arguments.of("{\"name\":\"x\",\"expires_at\":\"tomorrow\"}", "invalid_request", "expires_at"),
        Arguments.of("{\"name\":\"x\",\"expires_at\":\"2001-01-01T00:00:00Z\"}", "invalid_request", "expires_at"),
        Arguments.of("{\"name\":\"x\",\"metadata\":[1]}", "invalid_request", "metadata"),
        Arguments.of("{\"name\":\"x\",\"colour\":\"red\"}", "invalid_request", "colour"));
  }

  @ParameterizedTest
  @MethodSource("badKeyRequests")
  void badKeyRequestsCreateNothing(String body, String code, String param) {
    int before = allKeys().size();
    HttpResponse<String> r = gateway.post("/admin/v1/keys", MASTER, body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonNode error = TestGateway.json(r.body()).get("error");
    assertThat(error.get("code").asText()).isEqualTo(code);
    assertThat(param == null ? error.get("param").isNull() : error.get("param").asText().equals(param)).isTrue();
    assertThat(r.headers().firstValue("x-request-id")).isPresent();
    assertThat(allKeys()).hasSize(before);
  }

  List<ApiKey> allKeys() {
    return gateway.tollgate().keys().list(Scope.everything(), KeyStore.Filter.none(Instant.now()),
        new Page.Request(Page.Request.MAX_LIMIT, Optional.empty())).items();
  }

  @Test
  void serviceAccountKeysAndUnknownSecretsDoNotAdminister() {
    String virtual = gateway.createKey();
    HttpResponse<String> none = gateway.request("GET", "/admin/v1/keys", null);
    assertThat(none.statusCode()).isEqualTo(401);
    HttpResponse<String> serviceAccount = gateway.request("GET", "/admin/v1/keys", virtual);
    assertThat(serviceAccount.statusCode()).isEqualTo(403);
    assertThat(TestGateway.json(serviceAccount.body()).get("error").get("code").asText()).isEqualTo("forbidden");
    assertThat(gateway.post("/admin/v1/keys", "wrong", "{\"name\":\"x\"}").statusCode()).isEqualTo(401);
    assertThat(gateway.post("/admin/v1/keys", MASTER, "name=x", "Content-Type", "text/plain").statusCode())
        .isEqualTo(415);
  }

  @Test
  void usageExportsAsJsonLinesAndCsv() {
    String secret = gateway.createKey("{\"name\":\"exporter\"}");
    String keyId = allKeys().stream().filter(k -> k.name().equals("exporter")).findFirst()
        .orElseThrow().id();
    String rid = "export-" + UUID.randomUUID();
    upstream.enqueue(FakeUpstream.json(200, FakeUpstream.chatCompletion("x,\"y\"", 5, 3)));
    assertThat(gateway.post("/v1/chat/completions", secret,
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "x-request-id", rid).statusCode())
        .isEqualTo(200);
    gateway.awaitUsageSettled();

    HttpResponse<String> jsonl = gateway.request("GET", "/admin/v1/usage/export?format=jsonl&key_id=" + keyId, MASTER);
    assertThat(jsonl.statusCode()).isEqualTo(200);
    assertThat(jsonl.headers().firstValue("content-type")).hasValue("application/x-ndjson");
    List<String> lines = jsonl.body().lines().toList();
    assertThat(lines).hasSize(1);
    JsonNode row = TestGateway.json(lines.getFirst());
    assertThat(row.get("request_id").asText()).isEqualTo(rid);
    assertThat(row.get("key_id").asText()).isEqualTo(keyId);
    assertThat(row.get("model").asText()).isEqualTo("m");
    assertThat(row.get("deployment").asText()).isEqualTo("fake/upstream-model");
    assertThat(row.get("input_tokens").asLong()).isEqualTo(5);
    assertThat(row.get("output_tokens").asLong()).isEqualTo(3);
    assertThat(row.get("cost_micros").asLong()).isEqualTo(11);
    assertThat(row.get("status").asText()).isEqualTo("ok");
    assertThat(row.get("created_at").asText()).endsWith("Z");

    HttpResponse<String> csv = gateway.request("GET", "/admin/v1/usage/export?format=csv&key_id=" + keyId, MASTER);
    List<String> csvLines = csv.body().lines().toList();
    assertThat(csvLines).hasSize(2);
    assertThat(csvLines.getFirst()).startsWith("id,request_id,key_id,endpoint,model,deployment");
    assertThat(csvLines.get(1)).contains("," + rid + ",").contains(",5,3,0,0,false,11,ok,200,");

    HttpResponse<String> none = gateway.request("GET", "/admin/v1/usage/export?from=2099-01-01", MASTER);
    assertThat(none.body()).isEmpty();
    HttpResponse<String> bad = gateway.request("GET", "/admin/v1/usage/export?format=xml", MASTER);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(gateway.request("GET", "/admin/v1/usage/export?from=yesterday", MASTER).statusCode()).isEqualTo(400);
  }
}
