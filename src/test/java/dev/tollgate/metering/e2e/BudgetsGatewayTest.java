package dev.tollgate.metering.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.metering.UsageEvent;
import dev.tollgate.metering.budget.BudgetRef;
import dev.tollgate.metering.budget.BudgetStatus;
import dev.tollgate.testing.FakeUpstream;
import dev.tollgate.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Hard budgets through the gateway: reserved before the call, settled after, never overspent. */
class BudgetsGatewayTest {
  private static final String CHAT = "/v1/chat/completions";
  /** Output only, 1,000 micro-dollars a token: a call with max_tokens 1 costs exactly its worst case. */
  private static final String PRICED = """
      models:
        - name: m
          price: { input_per_mtok: 0, output_per_mtok: 1000 }
          deployments: [ { provider: fake, model: upstream-model } ]
      """;

  private static TestGateway gateway(FakeUpstream upstream, String budgets) {
    // Generous timeouts: hundreds of calls at once on a small shared machine must not time out.
    return TestGateway.start("""
        providers:
          - name: fake
            type: openai
            base_url: "%s"
            api_key: "sk-upstream-secret"
            timeouts: { connect: 10s, first_byte: 30s, idle: 30s, total: 60s }
        """.formatted(upstream.baseUrl()) + PRICED, budgets);
  }

  @Test
  void fiveHundredConcurrentCallsAgainstABudgetForAHundredServeAHundredAndNeverOverspend() throws Exception {
    try (FakeUpstream upstream = FakeUpstream.start();
        TestGateway gateway = gateway(upstream, """
            budgets:
              limits: [ { id: team-cap, scope: team, scope_id: default, amount_usd: "0.1005", period: daily } ]
            """)) {
      // Each call holds its upstream for a while, so hundreds are in flight at once.
      upstream.byDefault(FakeUpstream.delayed(Duration.ofMillis(50),
          FakeUpstream.json(200, FakeUpstream.chatCompletion("ok", 5, 1))));
      String key = gateway.createKey();
      String body = "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
      List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        calls.add(http.sendAsync(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + CHAT))
            .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
      }
      List<HttpResponse<String>> answers = calls.stream().map(CompletableFuture::join).toList();
      Map<Integer, Long> byStatus = answers.stream()
          .collect(Collectors.groupingBy(HttpResponse::statusCode, Collectors.counting()));
      System.out.println("500 concurrent calls, budget for 100.5: " + byStatus);

      // 100 are affordable; a worst case equal to the real cost lets exactly that many through.
      assertThat(byStatus).containsOnlyKeys(200, 429);
      assertThat(byStatus.get(200)).isEqualTo(100L);
      HttpResponse<String> refused = answers.stream().filter(r -> r.statusCode() == 429).findFirst().orElseThrow();
      JsonNode error = TestGateway.json(refused.body()).get("error");
      assertThat(error.get("type").asText()).isEqualTo("budget_exceeded");
      assertThat(error.get("code").asText()).isEqualTo("budget_exceeded");
      assertThat(error.get("message").asText()).contains("team-cap").contains("daily").contains("resets at");
      long retryAfter = Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow());
      assertThat(retryAfter).isBetween(1L, 86_400L);
      assertThat(upstream.received()).hasSize(100);

      gateway.awaitUsageSettled();
      BudgetStatus status = gateway.tollgate().budgets().status(new BudgetRef("team-cap")).orElseThrow();
      assertThat(status.spentMicros()).isEqualTo(100_000).isLessThanOrEqualTo(status.budget().amountMicros());
      assertThat(status.reservedMicros()).isZero();
      assertThat(status.overrunMicros()).isZero();
      assertThat(gateway.usageCount()).isEqualTo(100);
    }
  }

  @Test
  void aCallThatCostsLessThanItsWorstCaseGivesTheDifferenceBack() {
    try (FakeUpstream upstream = FakeUpstream.start();
        TestGateway gateway = gateway(upstream, """
            budgets:
              limits: [ { id: key-cap, scope: team, scope_id: default, amount_usd: "0.1", period: lifetime } ]
            """)) {
      // Worst case 40 tokens out = 40,000; the upstream reports 4 = 4,000.
      upstream.byDefault(FakeUpstream.json(200, FakeUpstream.chatCompletion("ok", 5, 4)));
      String key = gateway.createKey();
      String body = "{\"model\":\"m\",\"max_tokens\":40,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
      // Held at 40,000 but charged 4,000: 16 calls fit, where charging the worst case would allow only 2.
      for (int i = 0; i < 16; i++) {
        assertThat(gateway.post(CHAT, key, body).statusCode()).as("call %d", i).isEqualTo(200);
        gateway.awaitUsageSettled();
      }
      // 64,000 spent: 36,000 left, less than the 40,000 worst case of another call.
      HttpResponse<String> refused = gateway.post(CHAT, key, body);
      assertThat(refused.statusCode()).isEqualTo(429);
      assertThat(refused.headers().firstValue("retry-after")).isEmpty(); // a lifetime budget never resets
      assertThat(TestGateway.json(refused.body()).get("error").get("message").asText()).contains("never resets");
      // A smaller call still fits.
      String small = body.replace("\"max_tokens\":40", "\"max_tokens\":5");
      assertThat(gateway.post(CHAT, key, small).statusCode()).isEqualTo(200);
      gateway.awaitUsageSettled();
      BudgetStatus status = gateway.tollgate().budgets().status(new BudgetRef("key-cap")).orElseThrow();
      assertThat(status.spentMicros()).isEqualTo(68_000);
      assertThat(status.reservedMicros()).isZero();
      assertThat(gateway.tollgate().usageStore().count()).isEqualTo(17);
    }
  }

  @Test
  void retriesHoldTheirOwnWorstCaseAndAreRefusedWhenTheBudgetCannotCoverThem() {
    try (FakeUpstream upstream = FakeUpstream.start();
        TestGateway gateway = gateway(upstream, """
            budgets:
              limits: [ { id: tight, scope: team, scope_id: default, amount_usd: "0.015", period: daily } ]
            """)) {
      // The first attempt streams, is cut off and billed for 10 output tokens; a retry would need 10 more.
      upstream.enqueue(FakeUpstream.json(500, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}"));
      upstream.byDefault(FakeUpstream.json(200, FakeUpstream.chatCompletion("ok", 5, 10)));
      String key = gateway.createKey();
      String body = "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
      HttpResponse<String> first = gateway.post(CHAT, key, body);
      assertThat(first.statusCode()).isEqualTo(200); // the 500 cost nothing, the retry was covered
      gateway.awaitUsageSettled();
      List<UsageEvent> events = gateway.usage(first.headers().firstValue("x-request-id").orElseThrow());
      assertThat(events).extracting(UsageEvent::costMicros).containsExactlyInAnyOrder(0L, 10_000L);
      // 5,000 left: the next call's worst case (10,000) does not fit.
      HttpResponse<String> refused = gateway.post(CHAT, key, body);
      assertThat(refused.statusCode()).isEqualTo(429);
      assertThat(TestGateway.json(refused.body()).get("error").get("type").asText()).isEqualTo("budget_exceeded");
      assertThat(upstream.received()).hasSize(2);
    }
  }

  @Test
  void aBudgetDeclaredInTheFileFollowsAReload() {
    try (FakeUpstream upstream = FakeUpstream.start();
        TestGateway gateway = gateway(upstream, """
            budgets:
              limits: [ { id: reloadable, scope: team, scope_id: default, amount_usd: "0.001", period: daily } ]
            """)) {
      upstream.byDefault(FakeUpstream.json(200, FakeUpstream.chatCompletion("ok", 5, 1)));
      String key = gateway.createKey();
      String body = "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
      assertThat(gateway.post(CHAT, key, body).statusCode()).isEqualTo(200);
      gateway.awaitUsageSettled();
      assertThat(gateway.post(CHAT, key, body).statusCode()).isEqualTo(429);
      gateway.reconfigure("""
          budgets:
            limits: [ { id: reloadable, scope: team, scope_id: default, amount_usd: "0.002", period: daily } ]
          """);
      assertThat(gateway.post(CHAT, key, body).statusCode()).isEqualTo(200);
      gateway.awaitUsageSettled();
      assertThat(gateway.post(CHAT, key, body).statusCode()).isEqualTo(429);
      // Taken out of the file: gone at the next reload, through the admin API too.
      gateway.reconfigure("");
      assertThat(gateway.tollgate().budgets().status(new BudgetRef("reloadable"))).isEmpty();
      assertThat(gateway.post(CHAT, key, body).statusCode()).isEqualTo(200);
      assertThat(gateway.request("GET", "/admin/v1/budgets/reloadable", TestGateway.MASTER_KEY).statusCode())
          .isEqualTo(404);
    }
  }

}
