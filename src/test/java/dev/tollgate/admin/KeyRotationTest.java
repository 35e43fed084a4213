package dev.tollgate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.testing.TestGateway;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Rotating a key: the new secret works at once, the old one for the grace period and then never again. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeyRotationTest {
  private static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  private TestGateway gateway;

  @BeforeAll
  void start() {
    gateway = TestGateway.start("""
        providers:
          - { name: demo, type: mock }
        models:
          - name: m
            deployments: [ { provider: demo, model: mock-model } ]
        """, "");
  }

  @AfterAll
  void stop() {
    gateway.close();
  }

  private JsonNode create() {
    return AdminFixture.json(AdminFixture.ok(gateway.call("POST", "/admin/v1/keys", AdminFixture.MASTER,
        "{\"name\":\"rotating\"}"), 201));
  }

  private HttpResponse<String> rotate(String id, long grace) {
    return gateway.call("POST", "/admin/v1/keys/" + id + "/rotate", AdminFixture.MASTER,
        "{\"grace_seconds\":" + grace + "}");
  }

  private int chat(String secret) {
    return gateway.post("/v1/chat/completions", secret, CHAT).statusCode();
  }

  @Test
  void theOldSecretWorksForTheGracePeriodOnly() {
    JsonNode key = create();
    String old = key.get("key").asText();
    assertThat(chat(old)).isEqualTo(200);

    HttpResponse<String> rotated = rotate(key.get("id").asText(), 2);
    assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
    JsonNode after = AdminFixture.json(rotated);
    String fresh = after.get("key").asText();
    assertThat(fresh).isNotEqualTo(old).startsWith("tg-");
    assertThat(after.get("key_prefix").asText()).isEqualTo(fresh.substring(0, 8));
    assertThat(after.get("previous_secret_valid_until").isTextual()).isTrue();
    assertThat(chat(fresh)).isEqualTo(200);
    assertThat(chat(old)).as("within the grace period").isEqualTo(200);

    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> chat(old) == 401);
    HttpResponse<String> refused = gateway.post("/v1/chat/completions", old, CHAT);
    assertThat(AdminFixture.json(refused).at("/error/code").asText()).isEqualTo("rotated_api_key");
    assertThat(chat(fresh)).isEqualTo(200);
    // The usage of both secrets is the same key's.
    assertThat(gateway.call("GET", "/admin/v1/keys/" + key.get("id").asText(), AdminFixture.MASTER, null).body())
        .doesNotContain(fresh).doesNotContain(old);
  }

  @Test
  void noGraceRetiresTheOldSecretAtOnceAndARevokedKeyCannotBeRotated() {
    JsonNode key = create();
    String old = key.get("key").asText();
    String fresh = AdminFixture.json(AdminFixture.ok(rotate(key.get("id").asText(), 0), 200)).get("key").asText();
    assertThat(chat(old)).isEqualTo(401);
    assertThat(chat(fresh)).isEqualTo(200);

    AdminFixture.ok(gateway.call("DELETE", "/admin/v1/keys/" + key.get("id").asText(), AdminFixture.MASTER, null), 200);
    assertThat(rotate(key.get("id").asText(), 0).statusCode()).isEqualTo(409);
    assertThat(chat(fresh)).isEqualTo(401);
    assertThat(rotate(key.get("id").asText(), -1).statusCode()).isEqualTo(400);
    assertThat(rotate(key.get("id").asText(), 99_999_999).statusCode()).isEqualTo(400);
  }
}
