package dev.tollgate.access.local;

import dev.tollgate.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.store.Database;
import dev.tollgate.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class LoginThrottleTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final String LOGIN = "ana@example.com";

  @TempDir
  Path dir;

  /** The schedule the issue asks for: 5 failures, then 30 s doubling, capped at 15 min. */
  @ParameterizedTest
  @CsvSource({"1,0", "4,0", "5,30", "6,60", "7,120", "8,240", "9,480", "10,900", "11,900", "70,900",
      "2147483647,900"})
  void lockLengthDoublesFromTheFifthFailureUpToTheCap(int failures, long seconds) {
    LoginThrottle throttle = new LoginThrottle(null, new ManualClock(T0), 5, Duration.ofSeconds(30),
        Duration.ofMinutes(15), Duration.ofHours(24));
    assertThat(throttle.lockFor(failures)).isEqualTo(Duration.ofSeconds(seconds));
  }

  @Test
  void aCapThatIsAnExactDoublingIsReached() {
    LoginThrottle throttle = new LoginThrottle(null, new ManualClock(T0), 1, Duration.ofSeconds(1),
        Duration.ofSeconds(8), Duration.ofHours(1));
    assertThat(throttle.lockFor(4)).isEqualTo(Duration.ofSeconds(8));
    assertThat(throttle.lockFor(5)).isEqualTo(Duration.ofSeconds(8));
    assertThat(throttle.lockFor(3)).isEqualTo(Duration.ofSeconds(4));
  }

  @Test
  void theLoginNameIsStoredAsADigestOfItsNormalForm() {
    assertThat(LoginThrottle.subject(" Ana@Example.COM ")).isEqualTo(LoginThrottle.subject(LOGIN))
        .matches("[0-9a-f]{64}").doesNotContain("ana");
    assertThat(LoginThrottle.subject("bob@example.com")).isNotEqualTo(LoginThrottle.subject(LOGIN));
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void locksAfterFiveFailuresWithBackoffUntilASuccess(TestDatabases.Kind kind) {
    try (Database db = TestDatabases.open(kind, dir)) {
      ManualClock clock = new ManualClock(T0);
      LoginThrottle throttle = throttle(db, clock);

      for (int i = 1; i <= 4; i++) {
        assertThat(throttle.recordFailure(LOGIN)).as("failure %d", i).isEmpty();
        assertThat(throttle.lockedUntil(LOGIN)).isEmpty();
      }
      assertThat(throttle.recordFailure(LOGIN)).contains(T0.plusSeconds(30));
      assertThat(throttle.lockedUntil(LOGIN)).contains(T0.plusSeconds(30));
      assertThat(throttle.lockedUntil("other@example.com")).as("names are independent").isEmpty();

      clock.advance(Duration.ofSeconds(29));
      assertThat(throttle.lockedUntil(LOGIN)).isPresent();
      clock.advance(Duration.ofSeconds(1));
      assertThat(throttle.lockedUntil(LOGIN)).as("the lock ends on time").isEmpty();

      Instant sixth = clock.instant();
      assertThat(throttle.recordFailure(LOGIN)).as("the next failure doubles").contains(sixth.plusSeconds(60));
      clock.advance(Duration.ofSeconds(60));
      assertThat(throttle.recordFailure(LOGIN)).contains(clock.instant().plusSeconds(120));

      clock.advance(Duration.ofSeconds(120));
      throttle.recordSuccess(LOGIN);
      assertThat(throttle.lockedUntil(LOGIN)).isEmpty();
      for (int i = 1; i <= 4; i++) {
        assertThat(throttle.recordFailure(LOGIN)).as("after a success, failure %d starts over", i).isEmpty();
      }
      assertThat(throttle.recordFailure(LOGIN)).contains(clock.instant().plusSeconds(30));
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void theLockHoldsAcrossARestartAndOnAnotherNode(TestDatabases.Kind kind) {
    try (Database db = TestDatabases.open(kind, dir)) {
      ManualClock clock = new ManualClock(T0);
      LoginThrottle first = throttle(db, clock);
      for (int i = 0; i < 5; i++) {
        first.recordFailure(LOGIN);
      }
      // A new instance over the same database is a restarted process or a second node.
      LoginThrottle second = throttle(db, clock);
      assertThat(second.lockedUntil(LOGIN)).contains(T0.plusSeconds(30));
      clock.advance(Duration.ofSeconds(30));
      assertThat(second.recordFailure(LOGIN)).contains(clock.instant().plusSeconds(60));
      assertThat(first.lockedUntil(LOGIN)).contains(clock.instant().plusSeconds(60));
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void oldFailuresAreForgotten(TestDatabases.Kind kind) {
    try (Database db = TestDatabases.open(kind, dir)) {
      ManualClock clock = new ManualClock(T0);
      LoginThrottle throttle = throttle(db, clock);
      for (int i = 0; i < 4; i++) {
        throttle.recordFailure(LOGIN);
      }
      clock.advance(Duration.ofHours(24).plusMillis(1));
      assertThat(throttle.recordFailure(LOGIN)).as("counts as the first failure again").isEmpty();
      for (int i = 0; i < 3; i++) {
        assertThat(throttle.recordFailure(LOGIN)).isEmpty();
      }
      assertThat(throttle.recordFailure(LOGIN)).isPresent();
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void purgeDeletesOnlyStaleUnlockedRows(TestDatabases.Kind kind) {
    try (Database db = TestDatabases.open(kind, dir)) {
      ManualClock clock = new ManualClock(T0);
      LoginThrottle throttle = throttle(db, clock);
      LocalCredentialStore store = new LocalCredentialStore(db.jdbi());
      throttle.recordFailure("stale@example.com");
      clock.advance(Duration.ofHours(25));
      throttle.recordFailure("recent@example.com");

      assertThat(throttle.purge()).isEqualTo(1);
      assertThat(store.throttle(LoginThrottle.subject("stale@example.com"))).isEmpty();
      assertThat(store.throttle(LoginThrottle.subject("recent@example.com"))).isPresent();
      assertThat(throttle.purge()).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void concurrentFailuresAreAllCounted(TestDatabases.Kind kind) throws Exception {
    try (Database db = TestDatabases.open(kind, dir);
        ExecutorService pool = Executors.newFixedThreadPool(4)) {
      ManualClock clock = new ManualClock(T0);
      LoginThrottle throttle = new LoginThrottle(new LocalCredentialStore(db.jdbi()), clock, 1000,
          Duration.ofSeconds(30), Duration.ofMinutes(15), Duration.ofHours(24));
      List<Callable<Optional<Instant>>> tasks = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        tasks.add(() -> throttle.recordFailure(LOGIN));
      }
      int done = 0;
      for (Future<Optional<Instant>> f : pool.invokeAll(tasks)) {
        f.get();
        done++;
      }
      assertThat(done).isEqualTo(40);
      assertThat(new LocalCredentialStore(db.jdbi()).throttle(LoginThrottle.subject(LOGIN)).orElseThrow().failures())
          .as("no increment lost").isEqualTo(40);
    }
  }

  private static LoginThrottle throttle(Database db, ManualClock clock) {
    return LoginThrottle.of(LocalAccountsConfig.DEFAULTS, new LocalCredentialStore(db.jdbi()), clock);
  }
}
