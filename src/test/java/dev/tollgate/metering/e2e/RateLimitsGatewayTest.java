package dev.tollgate.metering.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.tollgate.testing.FakeUpstream;
import dev.tollgate.testing.TestGateway;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Rate limits through the gateway: requests, tokens and concurrency per key, OpenAI's headers on every
 * answer, a 429 naming the limit, and a changed limit applying without a restart.
 */
class RateLimitsGatewayTest {
  private static final String CHAT = "/v1/chat/completions";
  private static final String BODY = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  @Test
  void theCallersOwnLimitsWinOverTheProvidersHeaders() {
    try (FakeUpstream upstream = FakeUpstream.start();
        TestGateway gateway = TestGateway.withUpstream(upstream, "limits: { defaults: { key: { rpm: 3 } } }")) {
      upstream.byDefault(FakeUpstream.json(200, FakeUpstream.chatCompletion("ok", 5, 2),
          "x-ratelimit-limit-requests", "10000", "x-ratelimit-remaining-requests", "9999",
          "x-ratelimit-limit-tokens", "2000000"));
      HttpResponse<String> ok = gateway.post(CHAT, gateway.createKey(), BODY);

      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.headers().allValues("x-ratelimit-limit-requests")).containsExactly("3");
      assertThat(ok.headers().allValues("x-ratelimit-remaining-requests")).containsExactly("2");
      // No tpm here: the provider's token headers are relayed as before.
      assertThat(ok.headers().allValues("x-ratelimit-limit-tokens")).containsExactly("2000000");
    }
  }

  @Test
  void requestsPerMinuteAreCountedPerKeyWithOpenAiHeadersAndA429NamingTheLimit() {
    try (FakeUpstream upstream = FakeUpstream.start();
        TestGateway gateway = TestGateway.withUpstream(upstream, "limits: { defaults: { key: { rpm: 3 } } }")) {
      upstream.byDefault(FakeUpstream.json(200, FakeUpstream.chatCompletion("ok", 5, 2)));
      String key = gateway.createKey();
      String other = gateway.createKey();
      for (int remaining = 2; remaining >= 0; remaining--) {
        HttpResponse<String> ok = gateway.post(CHAT, key, BODY);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("x-ratelimit-limit-requests")).hasValue("3");
        assertThat(ok.headers().firstValue("x-ratelimit-remaining-requests")).hasValue(Integer.toString(remaining));
        assertThat(ok.headers().firstValue("x-ratelimit-reset-requests")).isPresent();
      }
      HttpResponse<String> refused = gateway.post(CHAT, key, BODY);
      assertThat(refused.statusCode()).isEqualTo(429);
      JsonNode error = TestGateway.json(refused.body()).get("error");
      assertThat(error.get("code").asText()).isEqualTo("rate_limit_exceeded");
      assertThat(error.get("type").asText()).isEqualTo("requests");
      assertThat(error.get("message").asText()).contains("3 requests per minute").contains("key");
      long retryAfter = Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow());
      assertThat(retryAfter).isBetween(1L, 60L);
      assertThat(Long.parseLong(refused.headers().firstValue("retry-after-ms").orElseThrow())).isBetween(1L, 60_000L);
      assertThat(refused.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
      assertThat(refused.headers().firstValue("x-request-id")).isPresent();
      assertThat(upstream.received()).hasSize(3); // the refused call never went out

      // Another key has its own bucket.
      assertThat(gateway.post(CHAT, other, BODY).statusCode()).isEqualTo(200);

      // The official SDK sees the same refusal as OpenAI's own.
      OpenAIClient sdk = OpenAIOkHttpClient.builder().apiKey(key).baseUrl(gateway.baseUrl() + "/v1").maxRetries(0)
          .timeout(Duration.ofSeconds(10)).build();
      assertThatThrownBy(() -> sdk.chat().completions().create(ChatCompletionCreateParams.builder().model("m")
          .addUserMessage("hi").build()))
          .isInstanceOf(RateLimitException.class)
          .hasMessageContaining("3 requests per minute");
      gateway.awaitUsageSettled();
      assertThat(gateway.usageCount()).isEqualTo(4); // refusals leave nothing billed
    }
  }

  @Test
  void tokensPerMinuteAreReservedAtAdmissionAndCorrectedToWhatTheUpstreamReported() {
    try (FakeUpstream upstream = FakeUpstream.start();
        TestGateway gateway = TestGateway.withUpstream(upstream, "limits: { defaults: { key: { tpm: 1000 } } }")) {
      // Reported usage is far below the reservation (prompt + max_tokens 600): the difference comes back.
      upstream.byDefault(FakeUpstream.json(200, FakeUpstream.chatCompletion("ok", 10, 5)));
      String key = gateway.createKey();
      String big = "{\"model\":\"m\",\"max_tokens\":600,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
      HttpResponse<String> first = gateway.post(CHAT, key, big);
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(first.headers().firstValue("x-ratelimit-limit-tokens")).hasValue("1000");
      long remainingAfterFirst = Long.parseLong(first.headers().firstValue("x-ratelimit-remaining-tokens").orElseThrow());
      assertThat(remainingAfterFirst).isLessThan(400); // 600 output + the prompt held
      gateway.awaitUsageSettled();

      // Without the correction the bucket would hold < 400 and refuse a second 600: it was refunded to ~985.
      HttpResponse<String> second = gateway.post(CHAT, key, big);
      assertThat(second.statusCode()).isEqualTo(200);
      gateway.awaitUsageSettled();

      String huge = "{\"model\":\"m\",\"max_tokens\":5000,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
      HttpResponse<String> refused = gateway.post(CHAT, key, huge);
      assertThat(refused.statusCode()).isEqualTo(429);
      JsonNode error = TestGateway.json(refused.body()).get("error");
      assertThat(error.get("type").asText()).isEqualTo("tokens");
      assertThat(error.get("message").asText()).contains("1000 tokens per minute");
      assertThat(upstream.received()).hasSize(2);
    }
  }

  @Test
  void concurrentRequestsAreCappedAndTheSlotComesBackWhenTheCallEnds() {
    try (FakeUpstream upstream = FakeUpstream.start();
        TestGateway gateway = TestGateway.withUpstream(upstream,
            "limits: { defaults: { key: { max_concurrent: 1 } } }")) {
      upstream.enqueue(FakeUpstream.delayed(Duration.ofMillis(600),
          FakeUpstream.json(200, FakeUpstream.chatCompletion("slow", 1, 1))));
      upstream.byDefault(FakeUpstream.json(200, FakeUpstream.chatCompletion("ok", 1, 1)));
      String key = gateway.createKey();
      CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> gateway.post(CHAT, key, BODY));
      Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> upstream.received().size() == 1);
      HttpResponse<String> refused = gateway.post(CHAT, key, BODY);
      assertThat(refused.statusCode()).isEqualTo(429);
      assertThat(TestGateway.json(refused.body()).get("error").get("message").asText())
          .contains("1 concurrent requests");
      assertThat(slow.join().statusCode()).isEqualTo(200);
      Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> gateway.post(CHAT, key, BODY).statusCode() == 200);
    }
  }

  @Test
  void aLimitChangedInTheConfigurationAppliesWithoutARestart() {
    try (FakeUpstream upstream = FakeUpstream.start();
        TestGateway gateway = TestGateway.withUpstream(upstream, "limits: { defaults: { key: { rpm: 1 } } }")) {
      upstream.byDefault(FakeUpstream.json(200, FakeUpstream.chatCompletion("ok", 1, 1)));
      String key = gateway.createKey();
      assertThat(gateway.post(CHAT, key, BODY).statusCode()).isEqualTo(200);
      assertThat(gateway.post(CHAT, key, BODY).statusCode()).isEqualTo(429);

      assertThat(gateway.reconfigure("limits: { defaults: { key: { rpm: 100 } } }")).isEmpty();
      HttpResponse<String> raised = gateway.post(CHAT, key, BODY);
      assertThat(raised.statusCode()).isEqualTo(200);
      assertThat(raised.headers().firstValue("x-ratelimit-limit-requests")).hasValue("100");

      // Removing every limit removes the headers too; other sections report that they need a restart.
      assertThat(gateway.reconfigure("logging: { access_log: false }")).containsExactly("logging");
      HttpResponse<String> unlimited = gateway.post(CHAT, key, BODY);
      assertThat(unlimited.statusCode()).isEqualTo(200);
      assertThat(unlimited.headers().firstValue("x-ratelimit-limit-requests")).isEmpty();

      // And from no limit at all back to one: the next calls are counted again.
      gateway.reconfigure("limits: { defaults: { key: { rpm: 1 } } }");
      HttpResponse<String> first = gateway.post(CHAT, key, BODY);
      if (first.statusCode() == 200) {
        assertThat(first.headers().firstValue("x-ratelimit-limit-requests")).hasValue("1");
      }
      assertThat(gateway.post(CHAT, key, BODY).statusCode()).isEqualTo(429);
    }
  }
}
