package dev.tollgate.server;

import static dev.tollgate.testing.FakeUpstream.chunk;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.metering.UsageEvent;
import dev.tollgate.testing.FakeUpstream;
import dev.tollgate.testing.TestGateway;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A provider that misbehaves in every way we know: each maps to the right status or in-stream error,
 * a broken stream never ends with a clean [DONE], and what reached the upstream is billed once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UpstreamMisbehaviourTest {
  private static final String CHAT = "/v1/chat/completions";
  private static final String BODY = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}";
  private static final String STREAM_BODY =
      "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}";

  private FakeUpstream upstream;
  private TestGateway gateway;
  private TestGateway unreachable;
  private String key;

  @BeforeAll
  void start() {
    upstream = FakeUpstream.start();
    gateway = TestGateway.start(providerWithTimeouts(upstream.baseUrl()) + """
        models:
          - name: m
            deployments: [ { provider: fake, model: upstream-model } ]
            price: { input_per_mtok: 1.00, output_per_mtok: 2.00 }
            max_attempts: 1   # how one failure maps; retries and failover are FailoverTest's
        """, NO_BREAKER);
    key = gateway.createKey();
    unreachable = TestGateway.start(providerWithTimeouts("http://127.0.0.1:" + FakeUpstream.closedPort() + "/v1")
        + "models: [ { name: m, max_attempts: 1, deployments: [ { provider: fake, model: x } ] } ]\n", NO_BREAKER);
  }

  /** One failure after another is this class's point: the breaker must not step in (FailoverTest covers it). */
  private static final String NO_BREAKER = "routing: { breaker: { window: 10000, minimum_calls: 10000 } }";

  private static String providerWithTimeouts(String baseUrl) {
    return """
        providers:
          - name: fake
            type: openai
            base_url: "%s"
            timeouts: { connect: 1s, first_byte: 1s, idle: 1200ms, total: 3s }
        """.formatted(baseUrl);
  }

  @AfterAll
  void stop() {
    gateway.close();
    unreachable.close();
    upstream.close();
  }

  private String rid;

  private HttpResponse<String> send(String body) {
    rid = "mis-" + UUID.randomUUID();
    return gateway.post(CHAT, key, body, "x-request-id", rid);
  }

  private UsageEvent onlyUsage() {
    List<UsageEvent> events = gateway.usage(rid);
    assertThat(events).hasSize(1);
    return events.getFirst();
  }

  private static JsonNode error(HttpResponse<String> r) {
    return TestGateway.json(r.body()).get("error");
  }

  /** The data payloads of an SSE body. */
  private static List<String> dataOf(String sse) {
    return sse.lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
  }

  @Test
  void rateLimitIsRelayedWithRetryAfterAndRateLimitHeaders() {
    String body = "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"param\":null,"
        + "\"code\":\"rate_limit_exceeded\"}}";
    upstream.enqueue(FakeUpstream.json(429, body, "Retry-After", "7", "x-ratelimit-remaining-requests", "0",
        "x-request-id", "req_upstream_1"));

    HttpResponse<String> r = send(BODY);

    assertThat(r.statusCode()).isEqualTo(429);
    assertThat(r.body()).isEqualTo(body);
    assertThat(r.headers().firstValue("retry-after")).hasValue("7");
    assertThat(r.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
    assertThat(r.headers().firstValue("x-request-id")).hasValue(rid);
    assertThat(r.headers().firstValue("x-upstream-request-id")).hasValue("req_upstream_1");
    UsageEvent usage = onlyUsage();
    assertThat(usage.status()).isEqualTo("upstream_error");
    assertThat(usage.httpStatus()).isEqualTo(429);
    assertThat(usage.inputTokens() + usage.outputTokens()).isZero();
    assertThat(usage.costMicros()).isZero();
  }

  @Test
  void serverErrorWithoutAnOpenAiBodyIsWrappedInOne() {
    upstream.enqueue(FakeUpstream.text(500, "text/html", "<html>oops</html>"));

    HttpResponse<String> r = send(BODY);

    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(error(r).get("code").asText()).isEqualTo("upstream_500");
    assertThat(error(r).get("type").asText()).isEqualTo("api_error");
    assertThat(error(r).get("message").asText()).contains("answered 500");
    assertThat(onlyUsage().status()).isEqualTo("upstream_error");
  }

  @Test
  void serviceUnavailableKeepsItsStatusAndBody() {
    String body = "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\",\"param\":null,\"code\":null}}";
    upstream.enqueue(FakeUpstream.json(503, body, "Retry-After", "2"));

    HttpResponse<String> r = send(BODY);

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).isEqualTo(body);
    assertThat(r.headers().firstValue("retry-after")).hasValue("2");
  }

  @Test
  void connectionRefusedIs502AndNotBilled() {
    String id = "refused-" + UUID.randomUUID();
    String k = unreachable.createKey();

    HttpResponse<String> r = unreachable.post(CHAT, k, BODY, "x-request-id", id);

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(error(r).get("code").asText()).isEqualTo("upstream_unreachable");
    assertThat(r.headers().firstValue("x-request-id")).hasValue(id);
    assertThat(unreachable.usageCount()).isZero();
  }

  @Test
  void resetBeforeAnyAnswerIs502() {
    upstream.enqueue(FakeUpstream.reset());

    HttpResponse<String> r = send(BODY);

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(error(r).get("code").asText()).isEqualTo("upstream_protocol_error");
    UsageEvent usage = onlyUsage();
    assertThat(usage.status()).isEqualTo("upstream_error");
    assertThat(usage.httpStatus()).isEqualTo(502);
  }

  @Test
  void resetMidStreamEndsWithAnErrorEventNotDoneAndBillsThePartialAnswer() {
    upstream.enqueue(FakeUpstream.sseThenReset(List.of(chunk("Hello"), chunk(" wor"))));

    HttpResponse<String> r = send(STREAM_BODY);

    assertThat(r.statusCode()).isEqualTo(200);
    List<String> data = dataOf(r.body());
    assertThat(data).doesNotContain("[DONE]");
    assertThat(data).hasSize(3);
    assertThat(TestGateway.json(data.getLast()).get("error").get("code").asText()).isEqualTo("upstream_protocol_error");
    UsageEvent usage = onlyUsage();
    assertThat(usage.status()).isEqualTo("partial");
    assertThat(usage.estimated()).isTrue();
    assertThat(usage.outputTokens()).isEqualTo(2); // "Hello wor" in cl100k
    assertThat(usage.inputTokens()).isPositive();
    assertThat(usage.costMicros()).isPositive();
  }

  @Test
  void slowFirstByteTimesOutWith504AndCancelsTheUpstream() {
    int cancelled = upstream.cancellations();
    upstream.enqueue(FakeUpstream.delayed(Duration.ofSeconds(4), FakeUpstream.json(200, "{}")));

    HttpResponse<String> r = send(BODY);

    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(error(r).get("code").asText()).isEqualTo("upstream_timeout");
    assertThat(error(r).get("message").asText()).contains("first byte");
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> upstream.cancellations() > cancelled);
    assertThat(onlyUsage().status()).isEqualTo("timeout");
  }

  @Test
  void streamHeadersWithoutAFirstEventTimeOutBeforeAnythingIsCommitted() {
    upstream.enqueue(FakeUpstream.sseThenHang(List.of()));

    HttpResponse<String> r = send(STREAM_BODY);

    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(error(r).get("code").asText()).isEqualTo("upstream_timeout");
  }

  @Test
  void aStreamThatGoesSilentEndsWithAnIdleTimeoutEvent() {
    int cancelled = upstream.cancellations();
    upstream.enqueue(FakeUpstream.sseThenHang(List.of(chunk("partial"))));

    HttpResponse<String> r = send(STREAM_BODY);

    List<String> data = dataOf(r.body());
    assertThat(data).doesNotContain("[DONE]");
    JsonNode last = TestGateway.json(data.getLast()).get("error");
    assertThat(last.get("code").asText()).isEqualTo("upstream_timeout");
    assertThat(last.get("message").asText()).contains("idle");
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> upstream.cancellations() > cancelled);
    assertThat(onlyUsage().status()).isEqualTo("timeout");
  }

  @Test
  void aStreamThatNeverEndsIsCutAtTheTotalTimeout() {
    upstream.enqueue(FakeUpstream.endlessSse(Duration.ofMillis(100)));

    long start = System.nanoTime();
    HttpResponse<String> r = send(STREAM_BODY);

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    List<String> data = dataOf(r.body());
    assertThat(data).doesNotContain("[DONE]");
    JsonNode last = TestGateway.json(data.getLast()).get("error");
    assertThat(last.get("message").asText()).contains("total");
    assertThat(data.size()).isGreaterThan(5);
    UsageEvent usage = onlyUsage();
    assertThat(usage.status()).isEqualTo("timeout");
    assertThat(usage.outputTokens()).isPositive();
  }

  @Test
  void malformedEventDataEndsTheStreamWithAnError() {
    upstream.enqueue(FakeUpstream.sse(Duration.ofMillis(2),
        List.of(chunk("ok"), "data: {this is not json}\n\n", chunk("never relayed"), FakeUpstream.DONE)));

    HttpResponse<String> r = send(STREAM_BODY);

    List<String> data = dataOf(r.body());
    assertThat(data).hasSize(2);
    assertThat(r.body()).doesNotContain("never relayed").doesNotContain("[DONE]");
    assertThat(TestGateway.json(data.getLast()).get("error").get("message").asText()).contains("malformed");
    assertThat(onlyUsage().status()).isEqualTo("partial");
  }

  @Test
  void aStreamEndingWithoutDoneIsReportedAsBroken() {
    upstream.enqueue(FakeUpstream.sse(Duration.ofMillis(2), List.of(chunk("a"), FakeUpstream.finishChunk())));

    HttpResponse<String> r = send(STREAM_BODY);

    List<String> data = dataOf(r.body());
    assertThat(data).doesNotContain("[DONE]");
    assertThat(TestGateway.json(data.getLast()).get("error").get("message").asText()).contains("without [DONE]");
  }

  @Test
  void anErrorEventFromTheUpstreamIsPassedOnWithoutDone() {
    String err = "data: {\"error\":{\"message\":\"model crashed\",\"type\":\"server_error\",\"param\":null,"
        + "\"code\":null}}\n\n";
    upstream.enqueue(FakeUpstream.sse(Duration.ofMillis(2), List.of(chunk("a"), err)));

    HttpResponse<String> r = send(STREAM_BODY);

    assertThat(r.body()).endsWith(err);
    assertThat(onlyUsage().status()).isEqualTo("upstream_error");
  }

  @Test
  void nonJsonSuccessIsAProtocolError() {
    upstream.enqueue(FakeUpstream.text(200, "text/plain", "hello"));

    HttpResponse<String> r = send(BODY);

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(error(r).get("code").asText()).isEqualTo("upstream_protocol_error");
  }

  @Test
  void aJsonAnswerToAStreamRequestIsAProtocolError() {
    upstream.enqueue(FakeUpstream.json(200, FakeUpstream.chatCompletion("x", 1, 1)));

    HttpResponse<String> r = send(STREAM_BODY);

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(error(r).get("message").asText()).contains("a stream was asked for");
  }
}
