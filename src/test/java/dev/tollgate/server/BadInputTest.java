package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.access.KeyService;
import dev.tollgate.testing.FakeUpstream;
import dev.tollgate.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of bad request gets OpenAI's error shape with the right status, code and param, carries
 * the request id, never reaches the upstream, and leaves no usage record.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {
  private static final String CHAT = "/v1/chat/completions";
  private static final String OK_BODY = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  private FakeUpstream upstream;
  private TestGateway gateway;
  private String key;
  private String limitedKey;
  private String revokedKey;
  private String expiredKey;

  @BeforeAll
  void start() {
    upstream = FakeUpstream.start();
    gateway = TestGateway.withUpstream(upstream, "server: { host: 127.0.0.1, port: 0, max_body_size: 2KB }");
    key = gateway.createKey();
    limitedKey = gateway.createKey("{\"name\":\"only-other\",\"models\":[\"other\"]}");
    JsonNode toRevoke = TestGateway.json(gateway.post("/admin/v1/keys", TestGateway.MASTER_KEY,
        "{\"name\":\"to-revoke\"}").body());
    assertThat(gateway.request("DELETE", "/admin/v1/keys/" + toRevoke.get("id").asText(), TestGateway.MASTER_KEY)
        .statusCode()).isEqualTo(200);
    revokedKey = toRevoke.get("key").asText();
    // Expiry in the past cannot be set through the API (it refuses); the key service can.
    expiredKey = gateway.tollgate().keys()
        .create(new KeyService.Spec("expired", "default", Optional.empty(), Set.of(),
            Optional.of(Instant.now().minusSeconds(60)), Map.of())).secret();
  }

  @AfterAll
  void stop() {
    gateway.close();
    upstream.close();
  }

  /** One row: how to send it, and what must come back. */
  record Case(String name, Function<BadInputTest, HttpResponse<String>> send, int status, String code, String param) {
    @Override
    public String toString() {
      return name;
    }
  }

  private HttpResponse<String> chat(String body, String requestId) {
    return gateway.post(CHAT, key, body, "x-request-id", requestId);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        c("malformed JSON", t -> t.chat("{\"model\":", t.rid()), 400, "invalid_json", null),
        c("empty body", t -> t.chat("", t.rid()), 400, "invalid_json", null),
        c("trailing garbage", t -> t.chat(OK_BODY + " x", t.rid()), 400, "invalid_json", null),
        c("duplicate field", t -> t.chat("{\"model\":\"m\",\"model\":\"x\",\"messages\":[]}", t.rid()),
            400, "invalid_json", null),
        c("body is an array", t -> t.chat("[1,2]", t.rid()), 400, "invalid_request", null),
        c("missing model", t -> t.chat("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", t.rid()),
            400, "invalid_request", "model"),
        c("model is a number", t -> t.chat("{\"model\":4,\"messages\":[]}", t.rid()), 400, "invalid_request", "model"),
        c("model is blank", t -> t.chat("{\"model\":\" \",\"messages\":[]}", t.rid()), 400, "invalid_request", "model"),
        c("missing messages", t -> t.chat("{\"model\":\"m\"}", t.rid()), 400, "invalid_request", "messages"),
        c("messages not an array", t -> t.chat("{\"model\":\"m\",\"messages\":\"hi\"}", t.rid()),
            400, "invalid_request", "messages"),
        c("messages empty", t -> t.chat("{\"model\":\"m\",\"messages\":[]}", t.rid()), 400, "invalid_request",
            "messages"),
        c("message without role", t -> t.chat("{\"model\":\"m\",\"messages\":[{\"content\":\"x\"}]}", t.rid()),
            400, "invalid_request", "messages[0].role"),
        c("message content is a number",
            t -> t.chat("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":5}]}", t.rid()),
            400, "invalid_request", "messages[0].content"),
        c("stream not a boolean", t -> t.chat(OK_BODY.replace("{\"model\"", "{\"stream\":\"yes\",\"model\""), t.rid()),
            400, "invalid_request", "stream"),
        c("stream_options without stream",
            t -> t.chat(OK_BODY.replace("{\"model\"", "{\"stream_options\":{\"include_usage\":true},\"model\""), t.rid()),
            400, "invalid_request", "stream_options"),
        c("n is zero", t -> t.chat(OK_BODY.replace("{\"model\"", "{\"n\":0,\"model\""), t.rid()),
            400, "invalid_request", "n"),
        c("max_tokens is text", t -> t.chat(OK_BODY.replace("{\"model\"", "{\"max_tokens\":\"ten\",\"model\""), t.rid()),
            400, "invalid_request", "max_tokens"),
        c("embeddings without input", t -> t.gateway.post("/v1/embeddings", t.key, "{\"model\":\"m\"}",
            "x-request-id", t.rid()), 400, "invalid_request", "input"),
        c("streamed embeddings", t -> t.gateway.post("/v1/embeddings", t.key,
            "{\"model\":\"m\",\"input\":\"x\",\"stream\":true}", "x-request-id", t.rid()), 400, "invalid_request", "stream"),
        c("completions without prompt", t -> t.gateway.post("/v1/completions", t.key, "{\"model\":\"m\"}",
            "x-request-id", t.rid()), 400, "invalid_request", "prompt"),
        c("no key", t -> t.gateway.post(CHAT, null, OK_BODY, "x-request-id", t.rid()), 401, "missing_api_key", null),
        c("unknown key", t -> t.gateway.post(CHAT, "tg-not-a-real-key", OK_BODY, "x-request-id", t.rid()),
            401, "invalid_api_key", null),
        c("unknown key in x-api-key", t -> t.gateway.send(HttpRequest.newBuilder(URI.create(t.gateway.baseUrl() + CHAT))
            .header("x-api-key", "tg-nope").header("Content-Type", "application/json").header("x-request-id", t.rid())
            .POST(HttpRequest.BodyPublishers.ofString(OK_BODY)).build()), 401, "invalid_api_key", null),
        c("revoked key", t -> t.gateway.post(CHAT, t.revokedKey, OK_BODY, "x-request-id", t.rid()),
            401, "revoked_api_key", null),
        c("expired key", t -> t.gateway.post(CHAT, t.expiredKey, OK_BODY, "x-request-id", t.rid()),
            401, "expired_api_key", null),
        c("model not allowed for the key", t -> t.gateway.post(CHAT, t.limitedKey, OK_BODY, "x-request-id", t.rid()),
            403, "model_not_allowed", "model"),
        c("unknown model", t -> t.chat(OK_BODY.replace("\"m\"", "\"gpt-9\""), t.rid()), 404, "model_not_found", "model"),
        c("unknown route", t -> t.gateway.post("/v1/nothing-here", t.key, OK_BODY, "x-request-id", t.rid()),
            404, "not_found", null),
        c("wrong method", t -> t.gateway.send(HttpRequest.newBuilder(URI.create(t.gateway.baseUrl() + CHAT))
            .header("x-request-id", t.rid()).GET().build()), 405, "method_not_allowed", null),
        c("body over the limit", t -> t.chat("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\""
            + "x".repeat(4096) + "\"}]}", t.rid()), 413, "request_too_large", null),
        c("wrong content type", t -> t.gateway.post(CHAT, t.key, OK_BODY, "Content-Type", "text/plain",
            "x-request-id", t.rid()), 415, "unsupported_media_type", null),
        c("form content type", t -> t.gateway.post(CHAT, t.key, "model=m",
            "Content-Type", "application/x-www-form-urlencoded", "x-request-id", t.rid()),
            415, "unsupported_media_type", null));
  }

  private static Arguments c(String name, Function<BadInputTest, HttpResponse<String>> send, int status, String code,
      String param) {
    return Arguments.of(new Case(name, send, status, code, param));
  }

  private String lastRequestId;

  private String rid() {
    lastRequestId = "bad-" + UUID.randomUUID();
    return lastRequestId;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void isRejectedCleanly(Case c) {
    int upstreamCallsBefore = upstream.received().size();
    long usageBefore = gateway.usageCount();

    HttpResponse<String> response = c.send().apply(this);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(c.status());
    assertThat(response.headers().firstValue("x-request-id")).hasValue(lastRequestId);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode error = TestGateway.json(response.body()).get("error");
    assertThat(error).as(response.body()).isNotNull();
    assertThat(error.get("message").asText()).isNotBlank();
    assertThat(error.get("type").isTextual()).isTrue();
    assertThat(error.has("param")).isTrue();
    assertThat(error.get("code").asText()).isEqualTo(c.code());
    if (c.param() == null) {
      assertThat(error.get("param").isNull()).isTrue();
    } else {
      assertThat(error.get("param").asText()).isEqualTo(c.param());
    }
    assertThat(upstream.received()).hasSize(upstreamCallsBefore);
    assertThat(gateway.usageCount()).isEqualTo(usageBefore);
  }

  @Test
  void errorMessagesNameTheField() {
    HttpResponse<String> r = chat("{\"model\":\"m\",\"messages\":[{\"content\":\"x\"}]}", rid());
    assertThat(TestGateway.json(r.body()).get("error").get("message").asText())
        .isEqualTo("missing required field 'messages[0].role'");
    r = chat("{\"model\":4}", rid());
    assertThat(TestGateway.json(r.body()).get("error").get("message").asText()).isEqualTo("'model' must be a string");
  }

  @Test
  void anInsaneRequestIdIsReplaced() {
    HttpResponse<String> r = gateway.post(CHAT, null, OK_BODY, "x-request-id", "bad id with spaces!");
    String id = r.headers().firstValue("x-request-id").orElseThrow();
    assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    r = gateway.post(CHAT, null, OK_BODY, "x-request-id", "x".repeat(129));
    assertThat(r.headers().firstValue("x-request-id").orElseThrow()).hasSize(36);
  }

  @Test
  void aValidRequestAfterAllThatStillWorks() {
    upstream.enqueue(FakeUpstream.json(200, FakeUpstream.chatCompletion("fine", 3, 1)));
    HttpResponse<String> r = chat(OK_BODY, rid());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(gateway.usage(lastRequestId)).hasSize(1);
  }
}
