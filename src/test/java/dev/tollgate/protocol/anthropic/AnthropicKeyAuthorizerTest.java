package dev.tollgate.protocol.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.Secret;
import dev.tollgate.provider.ProviderHttpRequest;
import dev.tollgate.provider.UpstreamException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The x-api-key header, and nothing that reveals the key elsewhere. */
class AnthropicKeyAuthorizerTest {
  private final ProviderHttpRequest request = new ProviderHttpRequest("POST", "/v1/messages", Map.of(), Buffer.buffer());

  @Test
  void addsTheKeyAsXApiKey() {
    Future<Map<String, String>> headers = new AnthropicKeyAuthorizer("claude", new Secret("sk-ant-api03-abc"))
        .authorize("api.anthropic.com", request);
    assertThat(headers.succeeded()).isTrue();
    assertThat(headers.result()).containsExactly(Map.entry("x-api-key", "sk-ant-api03-abc"));
  }

  @Test
  void failsAsUnreachableWithoutAKey() {
    Future<Map<String, String>> headers = new AnthropicKeyAuthorizer("claude", new Secret(""))
        .authorize("api.anthropic.com", request);
    assertThat(headers.failed()).isTrue();
    assertThat(headers.cause()).isInstanceOfSatisfying(UpstreamException.class, e -> {
      assertThat(e.kind()).isEqualTo(UpstreamException.Kind.UNREACHABLE);
      assertThat(e.provider()).isEqualTo("claude");
    });
  }

  @Test
  void neverPrintsTheKey() {
    assertThat(new AnthropicKeyAuthorizer("claude", new Secret("sk-ant-api03-abc")).toString())
        .doesNotContain("sk-ant").contains("claude");
  }
}
