package dev.tollgate.metering.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.metering.budget.BudgetRef;
import dev.tollgate.testing.FakeUpstream;
import dev.tollgate.testing.TestGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A budget's spend comes from the usage ledger when its own counters are behind: after a crash, or when it is new. */
class BudgetRecoveryTest {
  private static final String CHAT = "/v1/chat/completions";
  private static final String BODY =
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  private static String models(FakeUpstream upstream) {
    return TestGateway.providerYaml(upstream.baseUrl(), "") + """
        models:
          - name: m
            price: { input_per_mtok: 0, output_per_mtok: 1000 }
            deployments: [ { provider: fake, model: upstream-model } ]
        """;
  }

  @Test
  void countersLostWithTheProcessAreRebuiltFromTheLedgerAtTheNextStart() throws Exception {
    Path dir = Files.createTempDirectory("tollgate-budget-recovery");
    String url = "jdbc:sqlite:" + dir.resolve("t.db");
    String extra = "ledger: { wal: { directory: \"" + dir.resolve("wal") + "\" } }\n"
        + "budgets: { limits: [ { id: cap, scope: team, scope_id: default, amount_usd: \"0.005\", period: daily } ] }";
    try (FakeUpstream upstream = FakeUpstream.start()) {
      upstream.byDefault(FakeUpstream.json(200, FakeUpstream.chatCompletion("ok", 5, 1)));
      String key;
      try (TestGateway first = TestGateway.start(models(upstream), extra, url)) {
        key = first.createKey();
        for (int i = 0; i < 3; i++) {
          assertThat(first.post(CHAT, key, BODY).statusCode()).isEqualTo(200);
        }
        first.awaitUsageSettled();
      }
      // As if the process had died before its budget counters were written: only the ledger knows.
      try (var db = java.sql.DriverManager.getConnection(url); var st = db.createStatement()) {
        st.executeUpdate("DELETE FROM budget_spend");
      }
      try (TestGateway second = TestGateway.start(models(upstream), extra, url)) {
        assertThat(second.tollgate().budgets().status(new BudgetRef("cap")).orElseThrow().spentMicros())
            .isEqualTo(3_000);
        assertThat(second.post(CHAT, key, BODY).statusCode()).isEqualTo(200);
        assertThat(second.post(CHAT, key, BODY).statusCode()).isEqualTo(200);
        // 5,000 of 5,000 spent: without the ledger's 3,000 two more calls would have got through.
        assertThat(second.post(CHAT, key, BODY).statusCode()).isEqualTo(429);
      }
    }
  }

  @Test
  void aBudgetDefinedDuringItsWindowCountsWhatWasAlreadySpentInIt() {
    try (FakeUpstream upstream = FakeUpstream.start();
        TestGateway gateway = TestGateway.start(models(upstream), "")) {
      upstream.byDefault(FakeUpstream.json(200, FakeUpstream.chatCompletion("ok", 5, 1)));
      String key = gateway.createKey();
      for (int i = 0; i < 4; i++) {
        assertThat(gateway.post(CHAT, key, BODY).statusCode()).isEqualTo(200);
      }
      gateway.awaitUsageSettled();
      gateway.reconfigure(
          "budgets: { limits: [ { id: late, scope: team, scope_id: default, amount_usd: \"0.005\", period: daily } ] }");
      assertThat(gateway.tollgate().budgets().status(new BudgetRef("late")).orElseThrow().spentMicros())
          .isEqualTo(4_000);
      assertThat(gateway.post(CHAT, key, BODY).statusCode()).isEqualTo(200);
      assertThat(gateway.post(CHAT, key, BODY).statusCode()).isEqualTo(429);
    }
  }
}
