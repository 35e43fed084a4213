package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.metering.UsageEvent;
import dev.tollgate.testing.FakeUpstream;
import dev.tollgate.testing.TestGateway;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A per-call fee is billed once for a call the provider served, and never for an error answer. */
class RequestFeeTest {
  @Test
  void theFeeIsChargedForServedCallsOnly() {
    try (FakeUpstream upstream = FakeUpstream.start();
        TestGateway gateway = TestGateway.start(TestGateway.providerYaml(upstream.baseUrl(), "") + """
            models:
              - name: search
                deployments: [ { provider: fake, model: sonar } ]
                max_attempts: 1
                price: { input_per_mtok: 1.00, output_per_mtok: 1.00, per_request: "0.005" }
            """, "")) {
      String key = gateway.createKey();
      String chat = "{\"model\":\"search\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

      upstream.enqueue(FakeUpstream.json(200, FakeUpstream.chatCompletion("found", 1_000, 1_000)));
      String ok = "fee-ok-" + UUID.randomUUID();
      assertThat(gateway.post("/v1/chat/completions", key, chat, "x-request-id", ok).statusCode()).isEqualTo(200);

      upstream.enqueue(FakeUpstream.json(500, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}"));
      String failed = "fee-failed-" + UUID.randomUUID();
      assertThat(gateway.post("/v1/chat/completions", key, chat, "x-request-id", failed).statusCode()).isEqualTo(500);

      List<UsageEvent> served = gateway.usage(ok);
      assertThat(served).singleElement().satisfies(u -> assertThat(u.costMicros()).isEqualTo(2_000 + 5_000));
      assertThat(gateway.usage(failed)).singleElement().satisfies(u -> {
        assertThat(u.status()).isEqualTo("upstream_error");
        assertThat(u.costMicros()).isZero();
      });
    }
  }
}
