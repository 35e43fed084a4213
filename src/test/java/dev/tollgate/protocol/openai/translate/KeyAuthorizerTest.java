package dev.tollgate.protocol.openai.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.config.Secret;
import dev.tollgate.provider.ProviderHttpRequest;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Static provider keys become the header each provider expects, and never show up in toString. */
class KeyAuthorizerTest {
  private static final ProviderHttpRequest REQUEST =
      new ProviderHttpRequest("POST", "/chat/completions", Map.of(), Buffer.buffer("{}"));
  private static final Secret KEY = new Secret("sk-proj-abc123secret");

  @Test
  void bearerKeysGoInTheAuthorizationHeader() {
    Future<Map<String, String>> headers = new BearerKeyAuthorizer(KEY).authorize("api.openai.com", REQUEST);
    assertThat(headers.succeeded()).isTrue();
    assertThat(headers.result()).isEqualTo(Map.of("Authorization", "Bearer sk-proj-abc123secret"));
  }

  @Test
  void azureKeysGoInTheApiKeyHeader() {
    Future<Map<String, String>> headers = new AzureKeyAuthorizer(KEY).authorize("x.openai.azure.com", REQUEST);
    assertThat(headers.succeeded()).isTrue();
    assertThat(headers.result()).isEqualTo(Map.of("api-key", "sk-proj-abc123secret"));
  }

  @Test
  void emptyKeysAreAConfigurationError() {
    assertThatThrownBy(() -> new BearerKeyAuthorizer(new Secret(""))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new AzureKeyAuthorizer(new Secret(""))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theKeyNeverAppearsInToString() {
    assertThat(new BearerKeyAuthorizer(KEY).toString()).doesNotContain("abc123");
    assertThat(new AzureKeyAuthorizer(KEY).toString()).doesNotContain("abc123");
  }
}
