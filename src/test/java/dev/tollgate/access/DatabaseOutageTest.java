package dev.tollgate.access;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.testing.FakeUpstream;
import dev.tollgate.testing.TestGateway;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * DESIGN promise 1 on real PostgreSQL: when the database dies, keys already seen keep working from
 * memory (no 401 storm), unknown keys get 503 rather than a false 401, health says degraded, and
 * usage recorded meanwhile is held and written once the database is back.
 */
class DatabaseOutageTest {
  private static final String BODY = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  @Test
  void aDeadDatabaseDoesNotTurnValidKeysInto401s() throws Exception {
    Path data = Files.createTempDirectory("tollgate-pg");
    EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).start();
    int port = pg.getPort();
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres&connectTimeout=2&socketTimeout=5";
    try (FakeUpstream upstream = FakeUpstream.start();
        TestGateway gateway = TestGateway.start(TestGateway.providerYaml(upstream.baseUrl(), "") + """
            models: [ { name: m, deployments: [ { provider: fake, model: upstream-model } ] } ]
            """, "", url)) {
      String key = gateway.createKey();
      assertThat(gateway.post("/v1/chat/completions", key, BODY).statusCode()).isEqualTo(200);
      gateway.awaitUsageSettled();
      long before = gateway.usageCount();

      pg.close(); // the database is gone

      HttpResponse<String> stillWorks = gateway.post("/v1/chat/completions", key, BODY);
      assertThat(stillWorks.statusCode()).isEqualTo(200);
      HttpResponse<String> unknown = gateway.post("/v1/chat/completions", "tg-never-seen-before", BODY);
      assertThat(unknown.statusCode()).isEqualTo(503);
      assertThat(TestGateway.json(unknown.body()).get("error").get("code").asText()).isEqualTo("overloaded");
      assertThat(gateway.request("GET", "/health/ready", null).statusCode()).isEqualTo(503);
      JsonNode health = TestGateway.json(gateway.request("GET", "/health", null).body());
      assertThat(health.get("status").asText()).isEqualTo("DEGRADED");
      assertThat(health.get("components").get("database").get("status").asText()).isEqualTo("DOWN");
      assertThat(health.get("components").get("api_keys").get("status").asText()).isEqualTo("DEGRADED");
      Awaitility.await().atMost(Duration.ofSeconds(15))
          .until(() -> !gateway.tollgate().ledger().status().databaseHealthy());
      assertThat(gateway.tollgate().ledger().status().lagEvents()).isEqualTo(1); // kept in the local log, not dropped

      pg = EmbeddedPostgres.builder().setPort(port).setDataDirectory(data).setCleanDataDirectory(false).start();
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> gateway.tollgate().ledger().status().lagEvents() == 0);
      assertThat(gateway.usageCount()).isEqualTo(before + 1);
    } finally {
      pg.close();
    }
  }
}
