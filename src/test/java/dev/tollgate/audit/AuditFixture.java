package dev.tollgate.audit;

import dev.tollgate.testing.ManualClock;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.config.DatabaseConfig;
import dev.tollgate.store.Database;
import dev.tollgate.store.IdGenerator;
import dev.tollgate.testing.TestDatabases;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Databases for audit tests, by URL so a test can open a second pool (a second "node") on the same one. */
final class AuditFixture {
  static final long START = 1_767_225_600_000L;

  private AuditFixture() {}

  static String freshUrl(TestDatabases.Kind kind, Path dir) {
    return switch (kind) {
      case SQLITE -> "jdbc:sqlite:" + dir.resolve("audit-" + UUID.randomUUID() + ".db");
      case POSTGRESQL -> TestDatabases.freshPostgresUrl();
    };
  }

  /** A pool on {@code url}, migrated. */
  static Database open(String url) {
    Database db = Database.open(new DatabaseConfig(url, 4), null);
    db.migrate();
    return db;
  }

  static AuditLog log(Database db, ManualClock clock) {
    return new AuditLog(db, AuditConfig.defaults(), new IdGenerator(clock, ThreadLocalRandom::current), clock);
  }

  static JsonNode json(String text) {
    try {
      return AuditRows.JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  /** An event with every field set, so changing any stored column changes something. */
  static AuditEvent fullEvent(int n) {
    return AuditEvent.of(Actor.user("u-" + n, "User " + n), AuditActions.KEY_CREATE, Target.of("key", "k-" + n))
        .withOrg("org-" + n)
        .withChange(json("{\"name\":\"before " + n + "\",\"models\":[\"a\"]}"),
            json("{\"name\":\"after " + n + "\",\"models\":[\"a\",\"b\"]}"))
        .withRequest("req-" + n, "10.0.0." + n);
  }
}
