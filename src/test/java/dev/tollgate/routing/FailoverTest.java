package dev.tollgate.routing;

import static dev.tollgate.testing.FakeUpstream.chatCompletion;
import static dev.tollgate.testing.FakeUpstream.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.metering.UsageEvent;
import dev.tollgate.testing.FakeUpstream;
import dev.tollgate.testing.TestGateway;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Retries, failover, cooldowns, circuit breakers and fallback chains, end to end: misbehaving fake
 * upstreams behind real deployments, the caller on HTTP. Each test has a fresh gateway (breaker and
 * cooldown state are the gateway's).
 */
class FailoverTest {
  private static final String CHAT = "/v1/chat/completions";
  private static final String ERROR_500 = "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}";

  private FakeUpstream a;
  private FakeUpstream b;
  private FakeUpstream c;
  private TestGateway gateway;
  private String key;
  private String rid;

  @BeforeEach
  void upstreams() {
    a = FakeUpstream.start();
    b = FakeUpstream.start();
    c = FakeUpstream.start();
    b.byDefault(json(200, chatCompletion("from b", 10, 5)));
    c.byDefault(json(200, chatCompletion("from c", 10, 5)));
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
    a.close();
    b.close();
    c.close();
  }

  /** Model {@code m}: deployment a (nearly always first by weight), then b; {@code solo}: a alone. */
  private void start(String modelExtra) {
    gateway = TestGateway.start("""
        providers:
          - { name: pa, type: openai, base_url: "%s", timeouts: { connect: 1s, first_byte: 400ms, idle: 400ms, total: 3s } }
          - { name: pb, type: openai, base_url: "%s", timeouts: { connect: 1s, first_byte: 400ms, idle: 400ms, total: 3s } }
          - { name: pc, type: openai, base_url: "%s", timeouts: { connect: 1s, first_byte: 400ms, idle: 400ms, total: 3s } }
        models:
          - name: m
            deployments:
              - { provider: pa, model: up-a, weight: 1000000 }
              - { provider: pb, model: up-b, weight: 1 }
            %s
          - name: solo
            max_attempts: 1
            deployments: [ { provider: pa, model: up-a } ]
          - name: backup
            deployments: [ { provider: pc, model: up-c } ]
          - name: big
            deployments: [ { provider: pc, model: up-big } ]
        """.formatted(a.baseUrl(), b.baseUrl(), c.baseUrl(), modelExtra),
        "routing: { backoff: { base: 5ms, max: 20ms }, breaker: { window: 4, minimum_calls: 4, failure_rate: 50,"
            + " open_for: 1500ms, half_open_calls: 1 } }");
    key = gateway.createKey();
  }

  private HttpResponse<String> chat(String model) {
    return chatAs(key, model);
  }

  private HttpResponse<String> chatAs(String apiKey, String model) {
    rid = "fo-" + UUID.randomUUID();
    return gateway.post(CHAT, apiKey, "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        "x-request-id", rid);
  }

  private static String content(HttpResponse<String> r) {
    return TestGateway.json(r.body()).at("/choices/0/message/content").asText();
  }

  @Test
  void aServerErrorFailsOverToTheNextDeploymentAndBothCallsAreRecorded() {
    start("");
    a.enqueue(json(500, ERROR_500));

    HttpResponse<String> r = chat("m");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(content(r)).isEqualTo("from b");
    assertThat(r.headers().firstValue("x-tollgate-deployment")).contains("pb/up-b");
    assertThat(r.headers().firstValue("x-tollgate-attempts")).contains("2");
    assertThat(r.headers().firstValue("x-tollgate-route")).contains("retry:server_error");
    List<UsageEvent> usage = gateway.usage(rid);
    assertThat(usage).extracting(UsageEvent::deployment, UsageEvent::status, UsageEvent::httpStatus)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("pa/up-a", "upstream_error", 500),
            org.assertj.core.groups.Tuple.tuple("pb/up-b", "ok", 200));
    assertThat(usage.get(0).costMicros()).isZero();
    assertThat(usage.get(1).inputTokens()).isEqualTo(10);
    assertThat(usage).extracting(UsageEvent::attempt, UsageEvent::route)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(1, "weighted"),
            org.assertj.core.groups.Tuple.tuple(2, "retry:server_error"));
  }

  @Test
  void aSlowFirstByteTimesOutAndTheNextDeploymentAnswers() {
    start("");
    a.enqueue(FakeUpstream.delayed(Duration.ofSeconds(2), json(200, chatCompletion("too late", 1, 1))));

    HttpResponse<String> r = chat("m");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(content(r)).isEqualTo("from b");
    assertThat(r.headers().firstValue("x-tollgate-route")).contains("retry:timeout");
    await().atMost(Duration.ofSeconds(5)).until(() -> a.cancellations() == 1);
  }

  @Test
  void aConnectionResetFailsOver() {
    start("");
    a.enqueue(FakeUpstream.reset());

    HttpResponse<String> r = chat("m");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(content(r)).isEqualTo("from b");
  }

  @Test
  void aRateLimitedDeploymentCoolsDownForItsRetryAfterWithoutCountingAsAFailure() {
    start("");
    a.enqueue(json(429, "{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_error\"}}", "Retry-After", "30"));

    HttpResponse<String> first = chat("m");
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(first.headers().firstValue("x-tollgate-route")).contains("retry:rate_limited");

    for (int i = 0; i < 5; i++) {
      HttpResponse<String> r = chat("m");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("x-tollgate-deployment")).contains("pb/up-b");
      assertThat(r.headers().firstValue("x-tollgate-attempts")).contains("1");
    }
    assertThat(a.received()).as("a cooling deployment gets no traffic").hasSize(1);
    DeploymentHealth health = gateway.tollgate().router().health().get("m::pa/up-a");
    assertThat(health.coolingForMillis()).isBetween(20_000L, 30_000L);
    assertThat(health.failureRate()).as("a 429 is not a health failure").isLessThanOrEqualTo(0);
  }

  @Test
  void whenEveryDeploymentFailsTheCallerGetsOneErrorNamingTheAttempts() {
    start("");
    a.byDefault(json(503, "{\"error\":{\"message\":\"a is down\",\"type\":\"server_error\"}}"));
    b.byDefault(json(503, "{\"error\":{\"message\":\"b is down\",\"type\":\"server_error\"}}"));

    HttpResponse<String> r = chat("m");

    assertThat(r.statusCode()).isEqualTo(503);
    String message = TestGateway.json(r.body()).at("/error/message").asText();
    assertThat(message).contains("after 3 attempts").contains("m via pa/up-a: 503").contains("m via pb/up-b: 503")
        .contains("b is down");
    assertThat(r.headers().firstValue("x-request-id")).contains(rid);
    assertThat(gateway.usage(rid)).hasSize(3).allSatisfy(u -> assertThat(u.costMicros()).isZero());
  }

  @Test
  void aBadRequestIsTheCallersAndIsNeverRetried() {
    start("");
    a.enqueue(json(400, "{\"error\":{\"message\":\"bad temperature\",\"type\":\"invalid_request_error\"}}"));

    HttpResponse<String> r = chat("m");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("bad temperature");
    assertThat(b.received()).isEmpty();
    assertThat(gateway.usage(rid)).hasSize(1);
  }

  @Test
  void theBreakerOpensStopsTrafficProbesHalfOpenAndClosesOnSuccess() {
    start("");
    a.byDefault(json(500, ERROR_500));
    for (int i = 0; i < 4; i++) {
      assertThat(chat("solo").statusCode()).isEqualTo(500);
    }
    DeploymentHealth health = gateway.tollgate().router().health().get("solo::pa/up-a");
    await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(health.breakerState()).hasToString("OPEN"));

    var health503 = TestGateway.json(gateway.request("GET", "/health", null).body());
    assertThat(health503.at("/components/deployments/solo via pa~1up-a/breaker").asText()).isEqualTo("open");
    assertThat(health503.at("/components/deployments/solo via pa~1up-a/status").asText()).isEqualTo("DOWN");
    assertThat(health503.get("status").asText()).isEqualTo("DEGRADED");
    assertThat(gateway.request("GET", "/metrics", null).body())
        .contains("tollgate_deployment_breaker_state{deployment=\"pa/up-a\",model=\"solo\"} 1.0");

    HttpResponse<String> refused = chat("solo");
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.body()).contains("no_deployment_available");
    assertThat(refused.headers().firstValue("retry-after")).isPresent();
    assertThat(a.received()).as("an open breaker sends nothing").hasSize(4);
    assertThat(gateway.usage(rid)).as("nothing reached an upstream, nothing recorded").isEmpty();

    a.byDefault(json(200, chatCompletion("a is back", 3, 2)));
    await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(100))
        .until(() -> chat("solo").statusCode() == 200);
    // The answer reaches the caller a moment before the breaker hears of it.
    await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(health.breakerState()).hasToString("CLOSED"));
    assertThat(content(chat("solo"))).isEqualTo("a is back");
  }

  @Test
  void aStreamThatFailsBeforeItsFirstByteIsRetriedTransparently() {
    start("");
    a.enqueue(FakeUpstream.reset());
    b.enqueue(FakeUpstream.sse(Duration.ZERO, FakeUpstream.stream(List.of("Hello", " world"), 7, 2)));
    rid = "fo-" + UUID.randomUUID();

    HttpResponse<String> r = gateway.post(CHAT, key,
        "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "x-request-id", rid);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("Hello").contains(" world").endsWith("data: [DONE]\n\n");
    assertThat(r.headers().firstValue("x-tollgate-attempts")).contains("2");
  }

  @Test
  void aStreamCutAfterItsFirstByteEndsWithAnErrorEventAndIsNotRetried() {
    start("");
    a.enqueue(FakeUpstream.sseThenReset(List.of(FakeUpstream.chunk("Hel"))));
    rid = "fo-" + UUID.randomUUID();

    HttpResponse<String> r = gateway.post(CHAT, key,
        "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "x-request-id", rid);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("Hel").contains("\"error\"").doesNotContain("[DONE]");
    assertThat(b.received()).isEmpty();
    assertThat(gateway.usage(rid)).singleElement().satisfies(u -> {
      assertThat(u.status()).isEqualTo("partial");
      assertThat(u.outputTokens()).isPositive();
    });
  }

  @Test
  void aModelWhoseDeploymentsFailFallsBackToTheNextModelInItsChain() {
    start("fallbacks: [backup]\n    max_attempts: 4");
    a.byDefault(json(500, ERROR_500));
    b.byDefault(json(502, ERROR_500));

    HttpResponse<String> r = chat("m");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(content(r)).isEqualTo("from c");
    assertThat(r.headers().firstValue("x-tollgate-model")).contains("backup");
    assertThat(r.headers().firstValue("x-tollgate-route")).contains("fallback:server_error:m");
    assertThat(gateway.usage(rid)).extracting(UsageEvent::model).containsExactly("m", "m", "backup"); // each deployment once, then the chain
  }

  @Test
  void aContextWindowErrorGoesStraightToTheLargerModelWithoutTryingSiblings() {
    start("fallbacks: { context_window_exceeded: [big], default: [backup] }");
    a.enqueue(json(400, "{\"error\":{\"message\":\"This model's maximum context length is 128000 tokens\","
        + "\"type\":\"invalid_request_error\",\"code\":\"context_length_exceeded\"}}"));

    HttpResponse<String> r = chat("m");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-tollgate-model")).contains("big");
    assertThat(c.last().body().get("model").asText()).isEqualTo("up-big");
    assertThat(b.received()).as("every deployment of m has the same window").isEmpty();
  }

  @Test
  void neverFallsBackToAModelTheKeyMayNotUse() {
    start("fallbacks: [backup]");
    String limited = gateway.createKey("{\"name\":\"only-m\",\"models\":[\"m\"]}");
    a.byDefault(json(500, ERROR_500));
    b.byDefault(json(500, ERROR_500));

    HttpResponse<String> r = chatAs(limited, "m");

    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(c.received()).isEmpty();
  }

  @Test
  void theRequestTimeBudgetBoundsRetries() {
    start("request_timeout: 300ms\n    max_attempts: 10");
    a.byDefault(FakeUpstream.delayed(Duration.ofMillis(250), json(500, ERROR_500)));
    b.byDefault(FakeUpstream.delayed(Duration.ofMillis(250), json(500, ERROR_500)));

    HttpResponse<String> r = chat("m");

    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(a.received().size() + b.received().size()).isLessThanOrEqualTo(2);
  }

  @Test
  void aHedgeRacesASlowFirstDeploymentAndTheLoserIsCancelledAndNotBilled() {
    start("hedge: { after: 100ms }");
    a.enqueue(FakeUpstream.delayed(Duration.ofMillis(1500), json(200, chatCompletion("from a", 10, 5))));

    HttpResponse<String> r = chat("m");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(content(r)).isEqualTo("from b");
    assertThat(r.headers().firstValue("x-tollgate-route")).contains("hedge");
    assertThat(r.headers().firstValue("x-tollgate-attempts")).contains("2");
    await().atMost(Duration.ofSeconds(5)).until(() -> a.cancellations() == 1);
    List<UsageEvent> usage = gateway.usage(rid);
    assertThat(usage).extracting(UsageEvent::deployment, UsageEvent::status)
        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("pa/up-a", "cancelled"),
            org.assertj.core.groups.Tuple.tuple("pb/up-b", "ok"));
    assertThat(usage).filteredOn(u -> u.status().equals("cancelled")).singleElement()
        .satisfies(u -> assertThat(u.costMicros()).as("nothing reported, nothing billed").isZero());
    DeploymentHealth slow = gateway.tollgate().router().health().get("m::pa/up-a");
    assertThat(slow.failureRate()).as("losing a race is not a failure").isLessThanOrEqualTo(0);
  }

  @Test
  void aHedgedStreamGoesToWhicheverDeploymentProducesTheFirstEvent() {
    start("hedge: { after: 100ms }");
    a.enqueue(FakeUpstream.delayed(Duration.ofMillis(1500),
        FakeUpstream.sse(Duration.ZERO, FakeUpstream.stream(List.of("slow"), 7, 1))));
    b.enqueue(FakeUpstream.sse(Duration.ZERO, FakeUpstream.stream(List.of("fast", " answer"), 7, 2)));
    rid = "fo-" + UUID.randomUUID();

    HttpResponse<String> r = gateway.post(CHAT, key,
        "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "x-request-id", rid);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("fast").contains(" answer").doesNotContain("slow").endsWith("data: [DONE]\n\n");
    await().atMost(Duration.ofSeconds(5)).until(() -> a.cancellations() == 1);
  }

  @Test
  void noHedgeWhenTheFirstDeploymentAnswersInTime() {
    start("hedge: { after: 300ms }");
    a.byDefault(json(200, chatCompletion("from a", 10, 5)));

    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = chat("m");
      assertThat(content(r)).isEqualTo("from a");
      assertThat(gateway.usage(rid)).hasSize(1);
    }
    assertThat(b.received()).isEmpty();
  }
}
