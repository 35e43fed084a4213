package dev.tollgate.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.tollgate.config.DatabaseConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementExceptions;

/**
 * The control-plane database: a HikariCP pool, Flyway migrations and a Jdbi handle over it. Every call
 * blocks; callers run it on virtual threads, never on an event loop.
 */
public final class Database implements AutoCloseable {
  private static final String MIGRATIONS = "classpath:db/migration/common";

  private final DatabaseConfig config;
  private final HikariDataSource dataSource;
  private final Flyway flyway;
  private final Jdbi jdbi;

  private Database(DatabaseConfig config, HikariDataSource dataSource) {
    this.config = config;
    this.dataSource = dataSource;
    this.flyway = Flyway.configure().dataSource(dataSource).locations(MIGRATIONS).load();
    this.jdbi = Jdbi.create(dataSource);
    // Jdbi's exception messages list the bound values (password hashes, sealed secrets, CSRF tokens), and
    // unexpected failures are logged: keep the values out of every message, whichever store fails.
    jdbi.getConfig(StatementExceptions.class).setMessageRendering(StatementExceptions.MessageRendering.NONE);
  }

  /** Opens the pool; does not migrate. {@code registry} may be null (no pool metrics). */
  public static Database open(DatabaseConfig config, MeterRegistry registry) {
    HikariConfig hikari = new HikariConfig();
    hikari.setJdbcUrl(config.url());
    hikari.setPoolName("tollgate-db");
    hikari.setMaximumPoolSize(config.maxPoolSize());
    hikari.setMinimumIdle(1);
    hikari.setConnectionTimeout(5_000);
    hikari.setValidationTimeout(2_000);
    // Start even when the database is down: the data plane serves from memory meanwhile.
    hikari.setInitializationFailTimeout(-1);
    if (config.isSqlite()) {
      createParentDirectory(config.url());
      hikari.addDataSourceProperty("journal_mode", "WAL");
      // FULL, not NORMAL: in WAL mode NORMAL does not sync the log at commit, so a power cut can roll back
      // transactions already reported done: usage events whose ledger segments were deleted once committed
      // here, admin changes already answered 200. The flusher commits a few times a second, so the extra
      // fsyncs cost next to nothing.
      hikari.addDataSourceProperty("synchronous", "FULL");
      hikari.addDataSourceProperty("busy_timeout", "10000");
      hikari.addDataSourceProperty("foreign_keys", "true");
    }
    if (registry != null) {
      hikari.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
    }
    return new Database(config, new HikariDataSource(hikari));
  }

  private static void createParentDirectory(String url) {
    String file = url.substring("jdbc:sqlite:".length());
    int query = file.indexOf('?');
    if (query >= 0) {
      file = file.substring(0, query);
    }
    if (file.isEmpty() || file.equals(":memory:") || file.startsWith("file::memory:")) {
      return;
    }
    Path parent = Path.of(file.startsWith("file:") ? file.substring(5) : file).toAbsolutePath().getParent();
    if (parent != null) {
      try {
        Files.createDirectories(parent);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the database directory " + parent, e);
      }
    }
  }

  /** Applies pending migrations; returns how many ran. */
  public int migrate() {
    MigrateResult result = flyway.migrate();
    return result.migrationsExecuted;
  }

  /** True when every migration this build knows has been applied. */
  public boolean migrated() {
    return flyway.info().pending().length == 0;
  }

  /** Round trip to the database; throws when it is unreachable. */
  public void ping() {
    jdbi.useHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
  }

  public Jdbi jdbi() {
    return jdbi;
  }

  public String dialect() {
    return config.isSqlite() ? "sqlite" : "postgresql";
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
