package dev.tollgate.testing;

import dev.tollgate.config.DatabaseConfig;
import dev.tollgate.store.Database;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * Fresh, migrated databases for store tests: a SQLite file in a directory the test owns, or a new
 * database on one embedded PostgreSQL server shared by the whole test JVM (started on first use,
 * stopped at exit; starting one per class would cost seconds each). Use
 * {@code @ParameterizedTest @EnumSource(TestDatabases.Kind.class)} to run a contract on both.
 */
public final class TestDatabases {
  /** The two databases every SQL statement must run on. */
  public enum Kind { SQLITE, POSTGRESQL }

  private TestDatabases() {}

  /** A migrated database of the given kind; SQLite files go under {@code dir}. Close it after the test. */
  public static Database open(Kind kind, Path dir) {
    String url = switch (kind) {
      case SQLITE -> "jdbc:sqlite:" + dir.resolve("t-" + UUID.randomUUID() + ".db");
      case POSTGRESQL -> freshPostgresUrl();
    };
    Database db = Database.open(new DatabaseConfig(url, 4), null);
    db.migrate();
    return db;
  }

  /** The URL of a new, empty database on the shared PostgreSQL server. */
  public static String freshPostgresUrl() {
    EmbeddedPostgres server = SharedPostgres.SERVER;
    String name = "t_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create a test database", e);
    }
    return "jdbc:postgresql://127.0.0.1:" + server.getPort() + "/" + name + "?user=postgres";
  }

  /** Lazy holder: the server starts when a test first asks for PostgreSQL. */
  private static final class SharedPostgres {
    static final EmbeddedPostgres SERVER = start();

    private static EmbeddedPostgres start() {
      try {
        EmbeddedPostgres server = EmbeddedPostgres.builder().start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            server.close();
          } catch (IOException ignored) {
            // the JVM is exiting; the server's data directory is temporary
          }
        }, "test-postgres-stop"));
        return server;
      } catch (IOException e) {
        throw new UncheckedIOException("embedded PostgreSQL did not start", e);
      }
    }
  }
}
