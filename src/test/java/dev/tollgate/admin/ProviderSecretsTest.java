package dev.tollgate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testing.FakeUpstream;
import dev.tollgate.testing.TestGateway;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A provider key set through the admin API: stored encrypted, used by the next start (the YAML holds the
 * placeholder "stored"), and never seen again: not in any answer, log line (TestGateway scans every one
 * at close) or audit entry.
 */
class ProviderSecretsTest {
  private static final String VALUE = "sk-live-4f9Qm2ZxR7pL0aVt8WcYbN3e";

  @TempDir
  Path dir;

  private static String config(FakeUpstream upstream) {
    return """
        providers:
          - name: fake
            type: openai
            base_url: "%s"
            api_key: "stored"
        models:
          - name: m
            deployments: [ { provider: fake, model: upstream-model } ]
        """.formatted(upstream.baseUrl());
  }

  private static String extra() {
    return "secrets: { encryption_key: \"" + AdminFixture.ENCRYPTION_KEY + "\" }";
  }

  @Test
  void aStoredKeyIsUsedAtTheNextStartAndNeverShown() throws Exception {
    String url = "jdbc:sqlite:" + dir.resolve("t.db");
    List<String> answers = new ArrayList<>();
    try (FakeUpstream upstream = FakeUpstream.start()) {
      try (TestGateway first = TestGateway.start(config(upstream), extra(), url)) {
        first.secret(VALUE);
        HttpResponse<String> set = first.call("PUT", "/admin/v1/providers/fake/secrets/api_key",
            AdminFixture.MASTER, "{\"value\":\"" + VALUE + "\"}");
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        assertThat(TestGateway.json(set.body()).get("fingerprint").asText()).startsWith("sha256:");
        answers.add(set.body());
        answers.add(first.call("GET", "/admin/v1/providers/secrets", AdminFixture.MASTER, null).body());
        // Bad input names the problem, never the value.
        for (String[] bad : new String[][] {
            {"/admin/v1/providers/fake/secrets/password", "{\"value\":\"" + VALUE + "\"}"},
            {"/admin/v1/providers/nope/secrets/api_key", "{\"value\":\"" + VALUE + "\"}"},
            {"/admin/v1/providers/fake/secrets/api_key", "{\"value\":\"" + VALUE + "\n\"}"},
            {"/admin/v1/providers/fake/secrets/api_key", "{\"value\":" + VALUE + "}"},
            {"/admin/v1/providers/fake/secrets/api_key", "{\"valu\":\"" + VALUE + "\"}"}}) {
          HttpResponse<String> r = first.call("PUT", bad[0], AdminFixture.MASTER, bad[1]);
          assertThat(r.statusCode()).as(bad[0] + " " + r.body()).isBetween(400, 404);
          assertThat(r.headers().firstValue("x-request-id")).isPresent();
          answers.add(r.body());
        }
        answers.add(first.call("GET", "/admin/v1/audit/export", AdminFixture.MASTER, null).body());
        answers.add(first.call("GET", "/admin/v1/audit?action=provider_secret", AdminFixture.MASTER, null).body());
        assertThat(answers.get(answers.size() - 1)).contains("provider_secret.set");
      }
      // The next start reads it: the upstream is called with the stored key.
      try (TestGateway second = TestGateway.start(config(upstream), extra(), url)) {
        second.secret(VALUE);
        upstream.enqueue(FakeUpstream.json(200, FakeUpstream.chatCompletion("hi", 3, 1)));
        HttpResponse<String> call = second.post("/v1/chat/completions", TestGateway.MASTER_KEY,
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(call.statusCode()).as(call.body()).isEqualTo(200);
        assertThat(FakeUpstream.headersOf(upstream.last())).containsEntry("authorization", "Bearer " + VALUE);
        answers.add(call.body());
        HttpResponse<String> deleted = second.call("DELETE", "/admin/v1/providers/fake/secrets/api_key",
            AdminFixture.MASTER, null);
        assertThat(deleted.statusCode()).isEqualTo(200);
        answers.add(deleted.body());
        answers.add(second.call("GET", "/admin/v1/audit/export", AdminFixture.MASTER, null).body());
      }
    }
    assertThat(answers).allSatisfy(body -> assertThat(body).doesNotContain(VALUE));
    // Not in the database files in clear either (the main file and SQLite's write-ahead log).
    try (var files = Files.list(dir)) {
      for (Path file : files.filter(p -> p.getFileName().toString().startsWith("t.db")).toList()) {
        assertThat(new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1)).as(file.toString())
            .doesNotContain(VALUE);
      }
    }
  }

  @Test
  void withoutAnEncryptionKeyNothingCanBeStored() {
    try (TestGateway gateway = TestGateway.start("""
        providers:
          - { name: demo, type: mock }
        models:
          - name: m
            deployments: [ { provider: demo, model: mock-model } ]
        """, "")) {
      HttpResponse<String> r = gateway.call("PUT", "/admin/v1/providers/demo/secrets/api_key", AdminFixture.MASTER,
          "{\"value\":\"" + VALUE + "\"}");
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body()).contains("TOLLGATE_ENCRYPTION_KEY").doesNotContain(VALUE);
    }
  }
}
