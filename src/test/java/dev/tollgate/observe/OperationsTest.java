package dev.tollgate.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.config.DatabaseConfig;
import dev.tollgate.metering.UsageEvent;
import dev.tollgate.store.Database;
import dev.tollgate.store.JdbiUsageStore;
import dev.tollgate.testing.FakeUpstream;
import dev.tollgate.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Health, metrics, overload and graceful shutdown, as an operator sees them. */
class OperationsTest {
  private static final String CHAT = "/v1/chat/completions";
  private static final String BODY = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  @Test
  void healthEndpointsReportEachComponent() {
    try (FakeUpstream upstream = FakeUpstream.start(); TestGateway gateway = TestGateway.withUpstream(upstream)) {
      HttpResponse<String> live = gateway.request("GET", "/health/live", null);
      assertThat(live.statusCode()).isEqualTo(200);
      HttpResponse<String> ready = gateway.request("GET", "/health/ready", null);
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(ready.headers().firstValue("x-request-id")).isPresent();
      JsonNode health = TestGateway.json(gateway.request("GET", "/health", null).body());
      assertThat(health.get("status").asText()).isEqualTo("UP");
      JsonNode components = health.get("components");
      assertThat(components.get("database").get("status").asText()).isEqualTo("UP");
      assertThat(components.get("database").get("detail").asText()).contains("sqlite", "migrations applied");
      assertThat(components.get("ledger").get("status").asText()).isEqualTo("UP");
      assertThat(components.get("ledger").get("lag_events").asLong()).isZero();
      assertThat(components.get("ledger").get("lag_seconds").asDouble()).isZero();
      assertThat(components.get("ledger").get("interrupted").asLong()).isZero();
      assertThat(components.get("ledger").get("unreadable_records").asLong()).isZero();
      assertThat(components.get("providers").get("fake").get("type").asText()).isEqualTo("openai");
      assertThat(health.toString()).doesNotContain("sk-upstream-secret").doesNotContain(TestGateway.MASTER_KEY);
    }
  }

  @Test
  void metricsCoverRequestsLatenciesTokensCostQueueJvmAndPool() {
    try (FakeUpstream upstream = FakeUpstream.start(); TestGateway gateway = TestGateway.withUpstream(upstream)) {
      String key = gateway.createKey();
      upstream.enqueue(FakeUpstream.json(200, FakeUpstream.chatCompletion("a", 100, 50)));
      HttpResponse<String> r = gateway.post(CHAT, key, BODY);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(Double.parseDouble(r.headers().firstValue("x-tollgate-overhead-ms").orElseThrow())).isNotNegative();
      assertThat(r.headers().firstValue("x-tollgate-deployment")).hasValue("fake/upstream-model");
      gateway.post(CHAT, "tg-wrong", BODY);
      gateway.awaitUsageSettled();

      String metrics = gateway.request("GET", "/metrics", null).body();
      assertThat(metrics)
          .contains("tollgate_requests_total{deployment=\"fake/upstream-model\",endpoint=\"chat.completions\","
              + "model=\"m\",status=\"200\"} 1.0")
          .contains("tollgate_request_duration_seconds_bucket")
          .contains("tollgate_upstream_duration_seconds_count")
          .contains("tollgate_time_to_first_token_seconds_count")
          .contains("tollgate_gateway_overhead_seconds_bucket")
          .contains("tollgate_tokens_total{deployment=\"fake/upstream-model\",model=\"m\",type=\"input\"} 100.0")
          .contains("tollgate_tokens_total{deployment=\"fake/upstream-model\",model=\"m\",type=\"output\"} 50.0")
          .contains("tollgate_cost_micros_total{deployment=\"fake/upstream-model\",model=\"m\"} 200.0")
          .contains("tollgate_rejected_total{endpoint=\"chat.completions\",status=\"401\"} 1.0")
          .contains("tollgate_ledger_lag_events")
          .contains("jvm_memory_used_bytes")
          .contains("hikaricp_connections");
      assertThat(metrics).doesNotContain(key).doesNotContain("sk-upstream-secret");
    }
  }

  @Test
  void aLedgerAtItsDiskCapAnswers503UpFrontInsteadOfLosingUsage() throws Exception {
    // A slow call's intent pins the log (nothing after it may be deleted until it ends), so a tiny cap fills up.
    Path wal = Files.createTempDirectory("tollgate-cap");
    try (FakeUpstream upstream = FakeUpstream.start();
        TestGateway gateway = TestGateway.withUpstream(upstream, "ledger: { wal: { directory: \"" + wal
            + "\", segment_size: 1KB, max_disk: 4KB, admission_headroom: 1KB } }")) {
      String key = gateway.createKey();
      upstream.enqueue(FakeUpstream.delayed(Duration.ofMillis(1500),
          FakeUpstream.json(200, FakeUpstream.chatCompletion("slow", 1, 1))));
      CompletableFuture<HttpResponse<String>> holding = CompletableFuture.supplyAsync(
          () -> gateway.post(CHAT, key, BODY));
      Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> upstream.received().size() == 1);

      int served = 0;
      HttpResponse<String> refused = null;
      for (int i = 0; i < 20 && refused == null; i++) {
        HttpResponse<String> r = gateway.post(CHAT, key, BODY);
        if (r.statusCode() == 200) {
          served++;
        } else {
          refused = r;
        }
      }
      assertThat(refused).isNotNull();
      assertThat(served).isBetween(1, 10);
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.headers().firstValue("retry-after")).hasValue("1");
      assertThat(TestGateway.json(refused.body()).get("error").get("code").asText()).isEqualTo("overloaded");
      assertThat(TestGateway.json(refused.body()).get("error").get("message").asText()).contains("usage ledger");
      assertThat(upstream.received()).hasSize(1 + served);

      assertThat(holding.join().statusCode()).isEqualTo(200);
      gateway.awaitUsageSettled();
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> gateway.post(CHAT, key, BODY).statusCode() == 200);
      gateway.awaitUsageSettled();
      assertThat(gateway.usageCount()).isEqualTo(1 + served + 1);
    }
  }

  @Test
  void shutdownLetsInFlightStreamsFinishThenWritesTheirUsage() throws Exception {
    Path dir = Files.createTempDirectory("tollgate-drain");
    String url = "jdbc:sqlite:" + dir.resolve("t.db");
    TestGateway gateway = TestGateway.start("""
        providers: [ { name: demo, type: mock, mock: { chunk_tokens: 1, chunk_latency: 40ms } } ]
        models: [ { name: m, deployments: [ { provider: demo } ] } ]
        """, "", url);
    String key = gateway.createKey();
    String rid = "drain-" + UUID.randomUUID();
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + CHAT))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json").header("x-request-id", rid)
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"a long goodbye\"}]}"))
        .build();
    CompletableFuture<HttpResponse<String>> streaming = http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> gateway.tollgate().inFlight() == 1);

    CompletableFuture<Void> closing = CompletableFuture.runAsync(gateway::close);
    HttpClient other = HttpClient.newHttpClient();
    Awaitility.await().atMost(Duration.ofSeconds(3)).untilAsserted(() ->
        assertThatThrownBy(() -> other.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/health/live"))
            .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString())).isNotNull());

    HttpResponse<String> response = streaming.get();
    closing.get();
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).endsWith("data: [DONE]\n\n");
    String text = response.body().lines().filter(l -> l.startsWith("data: {"))
        .map(l -> TestGateway.json(l.substring(6)).get("choices").get(0).get("delta").path("content").asText(""))
        .reduce("", String::concat);
    assertThat(text).endsWith("You said: a long goodbye");
    try (Database db = Database.open(new DatabaseConfig(url, 1), null)) {
      List<UsageEvent> usage = new JdbiUsageStore(db.jdbi()).findByRequestId(rid);
      assertThat(usage).hasSize(1);
      assertThat(usage.getFirst().status()).isEqualTo("ok");
    }
  }
}
