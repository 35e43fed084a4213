package dev.tollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line as a user meets it: exit codes and messages. */
class MainTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void versionPrintsTheVersion() {
    assertThat(run("--version")).isZero();
    assertThat(out.toString()).startsWith("tollgate ").contains("Java 25");
  }

  @Test
  void anInvalidConfigListsEveryProblemAndExitsWith2(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("bad.yaml");
    Files.writeString(config, """
        auth: { master_key: short }
        providers: [ { name: openai, type: openai, base_url: "http://api.example.com/v1" } ]
        models: [ { name: m, deployments: [ { provider: opnai } ] } ]
        """);

    assertThat(run("serve", "--config", config.toString())).isEqualTo(2);

    assertThat(err.toString()).contains("invalid configuration")
        .contains("auth.master_key: must be at least 32 characters (is 5)")
        .contains("providers[0].base_url: plaintext http:// to non-loopback host 'api.example.com'")
        .contains("models[0].deployments[0].provider: unknown provider 'opnai' (known: openai)")
        .doesNotContain("short");
  }

  @Test
  void devModeRelaxesOnlyTheMasterKeyLength(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("dev.yaml");
    Files.writeString(config, """
        database: { url: "jdbc:sqlite:%s" }
        auth: { master_key: short }
        providers: [ { name: p, type: openai, base_url: "http://api.example.com/v1" } ]
        models: [ { name: m, deployments: [ { provider: p } ] } ]
        """.formatted(dir.resolve("t.db")));

    assertThat(run("migrate", "--dev", "--config", config.toString())).isEqualTo(2);
    assertThat(err.toString()).doesNotContain("master_key").contains("plaintext http://");
  }

  @Test
  void migrateCreatesTheSchemaAndIsIdempotent(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("ok.yaml");
    Files.writeString(config, """
        database: { url: "jdbc:sqlite:%s" }
        auth: { master_key: "0123456789abcdef0123456789abcdef" }
        """.formatted(dir.resolve("data/t.db")));

    assertThat(run("migrate", "--config", config.toString())).isZero();
    assertThat(out.toString()).contains("3 migration(s) applied to sqlite");
    assertThat(Files.exists(dir.resolve("data/t.db"))).isTrue();
    assertThat(run("migrate", "--config", config.toString())).isZero();
    assertThat(out.toString()).contains("0 migration(s) applied");
  }

  @Test
  void aMissingConfigFileIsAConfigError(@TempDir Path dir) {
    assertThat(run("serve", "--config", dir.resolve("nope.yaml").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("nope.yaml: no such file");
  }
}
