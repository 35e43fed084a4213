package dev.tollgate.access.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.store.Database;
import dev.tollgate.store.JdbiPendingLoginStore;
import dev.tollgate.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The pending-login table on SQLite and PostgreSQL: single use, expiry, purge, and a race for one state. */
class PendingLoginStoreTest {
  private static final Instant T0 = Instant.ofEpochMilli(1_770_000_000_000L);

  @TempDir
  Path dir;

  private static PendingLogin login(String state, Instant expires) {
    return new PendingLogin(Digests.sha256(state), Digests.sha256("nonce-" + state), "verifier-" + state,
        "/console?tab=keys", T0, expires);
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void aPendingLoginRoundTripsAndCanBeTakenOnce(TestDatabases.Kind kind) {
    try (Database db = TestDatabases.open(kind, dir)) {
      JdbiPendingLoginStore store = new JdbiPendingLoginStore(db.jdbi());
      PendingLogin login = login("s1", T0.plusSeconds(600));
      store.insert(login);
      store.insert(login("s2", T0.plusSeconds(600)));

      assertThat(store.take(Digests.sha256("s1"))).contains(login);
      assertThat(store.take(Digests.sha256("s1"))).as("single use").isEmpty();
      assertThat(store.take(Digests.sha256("unknown"))).isEmpty();
      assertThat(store.take(Digests.sha256("s2"))).as("other logins are untouched").isPresent();
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void purgeDeletesOnlyExpiredLogins(TestDatabases.Kind kind) {
    try (Database db = TestDatabases.open(kind, dir)) {
      JdbiPendingLoginStore store = new JdbiPendingLoginStore(db.jdbi());
      store.insert(login("old", T0.plusSeconds(10)));
      store.insert(login("edge", T0.plusSeconds(20)));
      store.insert(login("live", T0.plusSeconds(21)));

      assertThat(store.purgeExpired(T0.plusSeconds(20))).isEqualTo(2);
      assertThat(store.take(Digests.sha256("old"))).isEmpty();
      assertThat(store.take(Digests.sha256("edge"))).isEmpty();
      assertThat(store.take(Digests.sha256("live"))).isPresent();
      assertThat(store.purgeExpired(T0.plusSeconds(20))).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void ofConcurrentCallbacksWithOneStateExactlyOneWins(TestDatabases.Kind kind) throws Exception {
    try (Database db = TestDatabases.open(kind, dir);
        ExecutorService threads = Executors.newFixedThreadPool(4)) {
      JdbiPendingLoginStore store = new JdbiPendingLoginStore(db.jdbi());
      int rounds = 20;
      int winners = 0;
      int ran = 0;
      for (int round = 0; round < rounds; round++) {
        String state = "race-" + round;
        store.insert(login(state, T0.plusSeconds(600)));
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Optional<PendingLogin>>> takes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          takes.add(threads.submit(() -> {
            go.await();
            return store.take(Digests.sha256(state));
          }));
        }
        go.countDown();
        for (Future<Optional<PendingLogin>> take : takes) {
          ran++;
          if (take.get(30, TimeUnit.SECONDS).isPresent()) {
            winners++;
          }
        }
      }
      assertThat(ran).as("every racer ran").isEqualTo(rounds * 4);
      assertThat(winners).as("one winner per state").isEqualTo(rounds);
    }
  }
}
