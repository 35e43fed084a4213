package dev.tollgate.access.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.access.KeySecrets;
import dev.tollgate.config.SessionConfig;
import dev.tollgate.store.Database;
import dev.tollgate.store.JdbiSessionStore;
import dev.tollgate.testing.ManualClock;
import dev.tollgate.testing.TestDatabases;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Sessions end when idle, at their absolute end, or when revoked; the cookie value is never stored. */
class SessionsTest {
  @TempDir
  Path dir;

  private Sessions sessions(Database db, ManualClock clock) {
    return new Sessions(new JdbiSessionStore(db.jdbi()), new SessionConfig(Duration.ofMinutes(30),
        Duration.ofHours(2), true), new SecureRandom(), clock);
  }

  private static void user(Database db, String id) {
    db.jdbi().useHandle(h -> h.execute("INSERT INTO users (id, org_id, email, role, created_at, updated_at) "
        + "VALUES (?, 'default', ?, 'member', 0, 0)", id, id + "@example.com"));
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void anIdleSessionEndsAndActivityKeepsOneAliveUntilItsAbsoluteEnd(TestDatabases.Kind kind) {
    try (Database db = TestDatabases.open(kind, dir)) {
      user(db, "u1");
      ManualClock clock = new ManualClock(Instant.parse("2026-11-26T10:00:00Z"));
      Sessions s = sessions(db, clock);
      Sessions.Started started = s.start("u1", "password", "127.0.0.1", "test");
      String value = started.cookieValue();
      assertThat(value).hasSizeGreaterThanOrEqualTo(43);
      assertThat(started.session().idHash()).isEqualTo(KeySecrets.digest(value)).isNotEqualTo(value);
      long stored = db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM sessions WHERE id_hash = :v")
          .bind("v", value).mapTo(Long.class).one());
      assertThat(stored).isZero();

      // Used every 20 minutes: alive past the idle time, until the absolute end.
      for (int i = 0; i < 5; i++) {
        clock.advance(Duration.ofMinutes(20));
        assertThat(s.resolve(value)).as("after %d x 20 min", i + 1).isPresent();
      }
      clock.advance(Duration.ofMinutes(20));
      assertThat(s.resolve(value)).as("2 h after sign-in").isEmpty();

      Sessions.Started idle = s.start("u1", "password", null, null);
      clock.advance(Duration.ofMinutes(31));
      assertThat(s.resolve(idle.cookieValue())).as("31 min unused").isEmpty();
      assertThat(s.resolve("made-up")).isEmpty();
      assertThat(s.resolve(null)).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void signingOutAndEndingAllRevoke(TestDatabases.Kind kind) {
    try (Database db = TestDatabases.open(kind, dir)) {
      user(db, "u1");
      user(db, "u2");
      ManualClock clock = new ManualClock(Instant.parse("2026-11-26T10:00:00Z"));
      Sessions s = sessions(db, clock);
      Sessions.Started a = s.start("u1", "password", null, null);
      Sessions.Started b = s.start("u1", "oidc", null, null);
      Sessions.Started other = s.start("u2", "password", null, null);
      assertThat(s.end(a.cookieValue())).isTrue();
      assertThat(s.end(a.cookieValue())).isFalse();
      assertThat(s.resolve(a.cookieValue())).isEmpty();
      assertThat(s.resolve(b.cookieValue())).isPresent();
      assertThat(s.endAll("u1")).isEqualTo(1);
      assertThat(s.resolve(b.cookieValue())).isEmpty();
      assertThat(s.resolve(other.cookieValue())).isPresent();
      assertThat(s.cookie(other)).contains("HttpOnly", "SameSite=Lax", "Secure", "Max-Age=7200");
      assertThat(other.toString()).doesNotContain(other.cookieValue());

      // Ended sessions are forgotten a day later; a live one stays.
      assertThat(s.purge()).isZero();
      clock.advance(Duration.ofHours(25));
      Sessions.Started fresh = s.start("u2", "password", null, null);
      assertThat(s.purge()).as("the two revoked over a day ago, not the one expired 23 h ago").isEqualTo(2);
      assertThat(s.resolve(fresh.cookieValue())).isPresent();
    }
  }
}
