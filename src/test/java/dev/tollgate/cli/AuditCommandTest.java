package dev.tollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.audit.Actor;
import dev.tollgate.audit.AuditConfig;
import dev.tollgate.audit.AuditEvent;
import dev.tollgate.audit.AuditLog;
import dev.tollgate.audit.Target;
import dev.tollgate.config.DatabaseConfig;
import dev.tollgate.store.Database;
import dev.tollgate.store.IdGenerator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tollgate audit verify} against a SQLite file: exit codes and what it prints. */
class AuditCommandTest {
  private static final String MASTER_KEY = "0123456789abcdef0123456789abcdef";

  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  private Path config(String databaseUrl) throws Exception {
    Path file = dir.resolve("tollgate.yaml");
    Files.writeString(file, """
        database: { url: "%s" }
        auth: { master_key: "%s" }
        """.formatted(databaseUrl, MASTER_KEY));
    return file;
  }

  /** A migrated SQLite file with three entries. */
  private String logWithThreeEntries() {
    String url = "jdbc:sqlite:" + dir.resolve("data/tollgate.db");
    Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    try (Database db = Database.open(new DatabaseConfig(url, 2), null)) {
      db.migrate();
      IdGenerator ids = new IdGenerator(clock, ThreadLocalRandom::current);
      AuditLog log = new AuditLog(db, AuditConfig.defaults(), ids, clock);
      for (int i = 1; i <= 3; i++) {
        log.append(AuditEvent.of(Actor.master(), "key.create", Target.of("key", "k-" + i)));
      }
    }
    return url;
  }

  private void sql(String url, String statement) {
    try (Database db = Database.open(new DatabaseConfig(url, 1), null)) {
      db.jdbi().useHandle(h -> h.execute(statement));
    }
  }

  @Test
  void anIntactChainExits0AndPrintsTheHead() throws Exception {
    Path config = config(logWithThreeEntries());

    assertThat(run("audit", "verify", "--config", config.toString())).isZero();

    assertThat(out.toString()).matches("tollgate: audit chain intact: 3 entries verified; head seq 3, hash "
        + "[0-9a-f]{64}\\R");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void aTamperedEntryExits1AndPrintsThatEntry() throws Exception {
    String url = logWithThreeEntries();
    sql(url, "UPDATE audit_log SET target_id = 'k-other' WHERE seq = 2");

    assertThat(run("audit", "verify", "--config", config(url).toString())).isEqualTo(1);

    String[] lines = out.toString().split("\\R");
    assertThat(lines[0]).matches("tollgate: audit chain BROKEN at entry 2 \\(id [0-9a-f-]{36}\\): "
        + "its stored fields do not hash to its stored hash");
    assertThat(lines[1]).startsWith("  stored: {\"action\":\"key.create\"")
        .contains("\"seq\":2", "\"target_id\":\"k-other\"");
  }

  @Test
  void aDeletedEntryExits1AndNamesIt() throws Exception {
    String url = logWithThreeEntries();
    sql(url, "DELETE FROM audit_log WHERE seq = 1");

    assertThat(run("audit", "verify", "--config", config(url).toString())).isEqualTo(1);

    assertThat(out.toString()).isEqualTo("tollgate: audit chain BROKEN at entry 1: "
        + "entry 1 is missing (the log jumps to seq 2)" + System.lineSeparator());
  }

  @Test
  void anUnmigratedDatabaseExits2() throws Exception {
    Path config = config("jdbc:sqlite:" + dir.resolve("empty.db"));

    assertThat(run("audit", "verify", "--config", config.toString())).isEqualTo(2);

    assertThat(err.toString()).contains("schema is not up to date; run tollgate migrate first");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void anUnreachableDatabaseExits2() throws Exception {
    Path config = config("jdbc:postgresql://127.0.0.1:1/tollgate?user=nobody");

    assertThat(run("audit", "verify", "--config", config.toString())).isEqualTo(2);

    assertThat(err.toString()).startsWith("tollgate: cannot read the audit log: ");
  }

  @Test
  void anInvalidConfigExits2() throws Exception {
    Path config = dir.resolve("bad.yaml");
    Files.writeString(config, "auth: { master_key: short }\n");

    assertThat(run("audit", "verify", "--config", config.toString())).isEqualTo(2);

    assertThat(err.toString()).contains("invalid configuration", "auth.master_key").doesNotContain("short");
  }

  @Test
  void auditAloneShowsItsUsage() {
    assertThat(run("audit")).isZero();
    assertThat(out.toString()).contains("verify");
  }
}
