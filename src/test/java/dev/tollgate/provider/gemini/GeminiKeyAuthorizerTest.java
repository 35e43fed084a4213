package dev.tollgate.provider.gemini;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.Secret;
import dev.tollgate.provider.ProviderHttpRequest;
import dev.tollgate.provider.UpstreamException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The API key travels in the x-goog-api-key header and nowhere else. */
class GeminiKeyAuthorizerTest {
  private final ProviderHttpRequest request = new ProviderHttpRequest("POST",
      "/v1beta/models/gemini-2.5-flash:generateContent", Map.of("content-type", "application/json"), Buffer.buffer("{}"));

  @Test
  void addsTheKeyHeader() {
    Future<Map<String, String>> headers = new GeminiKeyAuthorizer("gemini", new Secret("AIzaSy-test-key"))
        .authorize("generativelanguage.googleapis.com", request);

    assertThat(headers.succeeded()).isTrue();
    assertThat(headers.result()).containsExactly(Map.entry("x-goog-api-key", "AIzaSy-test-key"));
    assertThat(request.pathAndQuery()).doesNotContain("key=");
  }

  @Test
  void anEmptyKeyFailsAsUnreachableNamingTheProvider() {
    Future<Map<String, String>> headers = new GeminiKeyAuthorizer("gemini-eu", new Secret(""))
        .authorize("generativelanguage.googleapis.com", request);

    assertThat(headers.failed()).isTrue();
    assertThat(headers.cause()).isInstanceOfSatisfying(UpstreamException.class, e -> {
      assertThat(e.kind()).isEqualTo(UpstreamException.Kind.UNREACHABLE);
      assertThat(e.provider()).isEqualTo("gemini-eu");
    });
  }

  @Test
  void theKeyNeverAppearsInToString() {
    assertThat(new GeminiKeyAuthorizer("gemini", new Secret("AIzaSy-test-key")).toString())
        .doesNotContain("AIzaSy");
  }
}
