package dev.tollgate.admin;

import static dev.tollgate.testing.FakeUpstream.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.testing.FakeUpstream;
import dev.tollgate.testing.TestGateway;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class ProviderHealthApiTest {

  @Test
  void reportsEachProviderAndCachesTheProbesForAFewSeconds() {
    try (FakeUpstream up = FakeUpstream.start(); FakeUpstream down = FakeUpstream.start()) {
      up.byDefault(json(200, "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o-mini\",\"object\":\"model\"}]}"));
      down.byDefault(json(401, "{\"error\":{\"message\":\"Incorrect API key provided: sk-wrong\"}}"));
      try (TestGateway gateway = TestGateway.start("""
          providers:
            - { name: good, type: openai, base_url: "%s", api_key: "sk-upstream-secret" }
            - { name: bad, type: openai, base_url: "%s", api_key: "sk-wrong" }
            - { name: demo, type: mock }
          models:
            - { name: m, deployments: [ { provider: demo } ] }
          """.formatted(up.baseUrl(), down.baseUrl()), "")) {
        gateway.secret("sk-wrong");

        HttpResponse<String> r = gateway.request("GET", "/admin/v1/providers/health", TestGateway.MASTER_KEY);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode report = TestGateway.json(r.body());
        assertThat(report.get("healthy").asBoolean()).isFalse();
        assertThat(report.at("/providers/0/name").asText()).isEqualTo("good");
        assertThat(report.at("/providers/0/status").asText()).isEqualTo("up");
        assertThat(report.at("/providers/1/status").asText()).isEqualTo("auth_failed");
        assertThat(report.at("/providers/2/status").asText()).isEqualTo("up");
        assertThat(r.body()).doesNotContain("sk-wrong").doesNotContain("sk-upstream-secret");

        gateway.request("GET", "/admin/v1/providers/health", TestGateway.MASTER_KEY);
        assertThat(up.received()).as("the second look within the cache time probes nothing").hasSize(1);

        String key = gateway.createKey();
        assertThat(gateway.request("GET", "/admin/v1/providers/health", key).statusCode()).isEqualTo(403);
      }
    }
  }
}
