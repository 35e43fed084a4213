package dev.tollgate.server;

import static dev.tollgate.testing.FakeUpstream.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.config.ConfigException;
import dev.tollgate.testing.FakeUpstream;
import dev.tollgate.testing.TestGateway;
import java.net.http.HttpResponse;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Vertex AI through the gateway: a service-account key exchanged for a token, Gemini on Vertex paths. */
class VertexProviderTest {

  private static String serviceAccountJson(String tokenUri) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    String pem = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(generator.generateKeyPair().getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    return new ObjectMapper().writeValueAsString(Map.of("type", "service_account", "project_id", "proj-from-key",
        "private_key_id", "kid-1", "private_key", pem, "client_email", "tollgate@proj-from-key.iam.gserviceaccount.com",
        "token_uri", tokenUri));
  }

  @Test
  void anOpenAiCallerReachesGeminiOnVertexWithAnExchangedToken() throws Exception {
    try (FakeUpstream tokens = FakeUpstream.start(); FakeUpstream vertex = FakeUpstream.start()) {
      tokens.byDefault(json(200, "{\"access_token\":\"ya29.test-token\",\"expires_in\":3600,\"token_type\":\"Bearer\"}"));
      vertex.byDefault(json(200, "{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Hi from Vertex\"}]},"
          + "\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":5,\"candidatesTokenCount\":3}}"));
      String key = serviceAccountJson("http://127.0.0.1:" + tokens.port() + "/token");
      try (TestGateway gateway = TestGateway.start("""
          providers:
            - name: vtx
              type: vertex
              base_url: "%s"
              location: us-central1
              publisher: google
              credentials_json: '%s'
          models:
            - { name: flash, deployments: [ { provider: vtx, model: gemini-2.0-flash } ] }
          """.formatted(vertex.baseUrl().replace("/v1", ""), key.replace("'", "''")), "")) {
        gateway.secret("ya29.test-token");

        for (int i = 0; i < 2; i++) {
          HttpResponse<String> r = gateway.post("/v1/chat/completions", TestGateway.MASTER_KEY,
              "{\"model\":\"flash\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
          assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
          assertThat(TestGateway.json(r.body()).at("/choices/0/message/content").asText()).isEqualTo("Hi from Vertex");
        }
        assertThat(vertex.last().uri())
            .isEqualTo("/v1/projects/proj-from-key/locations/us-central1/publishers/google/models/gemini-2.0-flash"
                + ":generateContent");
        assertThat(FakeUpstream.headersOf(vertex.last())).containsEntry("authorization", "Bearer ya29.test-token");
        assertThat(tokens.received()).as("the token is cached").hasSize(1);
        assertThat(tokens.last().uri()).isEqualTo("/token");
      }
    }
  }

  @Test
  void anUnusableServiceAccountKeyStopsStartupAsAConfigurationError() {
    assertThatThrownBy(() -> TestGateway.start("""
        providers:
          - { name: vtx, type: vertex, location: us-central1, credentials_json: '{"type":"service_account"}' }
        models:
          - { name: flash, deployments: [ { provider: vtx, model: gemini-2.0-flash } ] }
        """, "")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("providers[0]: the service-account key is not usable");
  }
}
