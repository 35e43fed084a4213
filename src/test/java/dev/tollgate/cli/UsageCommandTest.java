package dev.tollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.DatabaseConfig;
import dev.tollgate.metering.UsageEvent;
import dev.tollgate.store.Database;
import dev.tollgate.store.JdbiUsageStore;
import dev.tollgate.testing.TestDatabases;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

/** {@code tollgate usage rebuild} against real databases: what it rebuilds, what it prints, its exit codes. */
class UsageCommandTest {
  private static final String MASTER_KEY = "0123456789abcdef0123456789abcdef";
  private static final long START = LocalDate.of(2026, 5, 1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
  private static final String SNAPSHOT = "SELECT day || '|' || team_id || '|' || user_id || '|' || key_id || '|' "
      + "|| model || '=' || requests || ',' || input_tokens || ',' || output_tokens || ',' || cached_tokens || ',' "
      + "|| reasoning_tokens || ',' || cost_micros || ',' || estimated_requests || ',' || error_requests "
      + "FROM usage_daily ORDER BY 1";

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

  private String url(TestDatabases.Kind kind) {
    return switch (kind) {
      case SQLITE -> "jdbc:sqlite:" + dir.resolve("tollgate.db");
      case POSTGRESQL -> TestDatabases.freshPostgresUrl();
    };
  }

  /** 600 events over three days, stored with incremental maintenance; returns the rows it produced. */
  private List<String> seed(String url) {
    try (Database db = Database.open(new DatabaseConfig(url, 2), null)) {
      db.migrate();
      Random random = new Random(21);
      List<UsageEvent> events = new ArrayList<>();
      for (int i = 0; i < 600; i++) {
        int key = random.nextInt(6);
        events.add(new UsageEvent("e" + i, "r" + i, "k" + key, "/v1/chat/completions", "m" + random.nextInt(2), "d",
            "p", "u", random.nextInt(900), random.nextInt(300), 0, 0, random.nextInt(9) == 0, random.nextInt(5000),
            random.nextInt(5) == 0 ? "upstream_error" : "ok", 200, 5, 1, false, null,
            START + random.nextLong(3 * 86_400_000L), 1, null, "default", key % 2 == 0 ? null : "u" + key));
      }
      new JdbiUsageStore(db.jdbi()).insert(events);
      return snapshot(db);
    }
  }

  private static List<String> snapshot(Database db) {
    return db.jdbi().withHandle(h -> h.createQuery(SNAPSHOT).mapTo(String.class).list());
  }

  private static List<String> rows(String url) {
    try (Database db = Database.open(new DatabaseConfig(url, 1), null)) {
      return snapshot(db);
    }
  }

  private static List<String> sql(String url, String statement) {
    try (Database db = Database.open(new DatabaseConfig(url, 1), null)) {
      db.jdbi().useHandle(h -> h.execute(statement));
      return snapshot(db);
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void aRebuildRestoresExactlyWhatIncrementalMaintenanceWrote(TestDatabases.Kind kind) throws Exception {
    String url = url(kind);
    List<String> incremental = seed(url);
    assertThat(incremental).hasSizeGreaterThan(20);
    assertThat(sql(url, "UPDATE usage_daily SET cost_micros = 0, requests = 1")).isNotEqualTo(incremental);
    sql(url, "DELETE FROM usage_daily WHERE day = '2026-05-02'");

    assertThat(run("usage", "rebuild", "--config", config(url).toString())).as(err.toString()).isZero();

    assertThat(rows(url)).isEqualTo(incremental);
    assertThat(out.toString()).matches("tollgate: usage aggregates rebuilt for every day: 600 event\\(s\\) summed "
        + "into " + incremental.size() + " row\\(s\\), replacing \\d+ row\\(s\\)\\R");
    assertThat(err.toString()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void aRebuildOfSomeDaysLeavesTheOthersAlone(TestDatabases.Kind kind) throws Exception {
    String url = url(kind);
    List<String> incremental = seed(url);
    List<String> damaged = sql(url, "UPDATE usage_daily SET requests = requests + 1000");

    assertThat(run("usage", "rebuild", "--from", "2026-05-02", "--to", "2026-05-02", "--config",
        config(url).toString())).as(err.toString()).isZero();

    List<String> after = rows(url);
    for (int i = 0; i < after.size(); i++) {
      assertThat(after.get(i)).isEqualTo(after.get(i).startsWith("2026-05-02") ? incremental.get(i) : damaged.get(i));
    }
    assertThat(after).anyMatch(r -> r.startsWith("2026-05-02")).anyMatch(r -> r.startsWith("2026-05-01"));
    assertThat(out.toString()).startsWith("tollgate: usage aggregates rebuilt for days 2026-05-02 to 2026-05-02: ");
  }

  @Test
  void anInvertedRangeExits2AndChangesNothing() throws Exception {
    String url = url(TestDatabases.Kind.SQLITE);
    List<String> incremental = seed(url);

    assertThat(run("usage", "rebuild", "--from", "2026-05-03", "--to", "2026-05-01", "--config",
        config(url).toString())).isEqualTo(2);

    assertThat(err.toString()).contains("--from 2026-05-03 is after --to 2026-05-01");
    assertThat(rows(url)).isEqualTo(incremental);
  }

  @Test
  void aDayThatIsNotADayExits2NamingIt() throws Exception {
    Path config = config(url(TestDatabases.Kind.SQLITE));

    assertThat(run("usage", "rebuild", "--from", "May 1st", "--config", config.toString())).isEqualTo(2);

    assertThat(err.toString()).contains("'May 1st' is not a day such as 2026-01-31");
  }

  @Test
  void anUnmigratedDatabaseExits2() throws Exception {
    Path config = config("jdbc:sqlite:" + dir.resolve("empty.db"));

    assertThat(run("usage", "rebuild", "--config", config.toString())).isEqualTo(2);

    assertThat(err.toString()).contains("schema is not up to date; run tollgate migrate first");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void usageAloneShowsItsSubcommands() {
    assertThat(run("usage")).isZero();
    assertThat(out.toString()).contains("rebuild");
  }
}
