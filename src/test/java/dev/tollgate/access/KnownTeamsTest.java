package dev.tollgate.access;

import dev.tollgate.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tollgate.access.directory.Organization;
import dev.tollgate.access.directory.Team;
import dev.tollgate.store.Database;
import dev.tollgate.store.JdbiDirectory;
import dev.tollgate.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** The team snapshot JWT callers are checked against, on a real directory of both kinds, time moved by hand. */
class KnownTeamsTest {
  private static final Duration REFRESH = Duration.ofSeconds(30);
  private static final Duration MIN_RELOAD = Duration.ofSeconds(5);

  @TempDir
  Path dir;

  private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T10:00:00Z"));
  private final ExecutorService loads = Executors.newVirtualThreadPerTaskExecutor();
  private Database db;
  private JdbiDirectory directory;
  private KnownTeams teams;

  private void open(TestDatabases.Kind kind) {
    db = TestDatabases.open(kind, dir);
    directory = new JdbiDirectory(db.jdbi());
    teams = new KnownTeams(directory, loads, clock, REFRESH, MIN_RELOAD);
  }

  @AfterEach
  void close() {
    loads.close();
    if (db != null) {
      db.close();
    }
  }

  private void team(String id, String org, String name) {
    directory.insert(new Team(id, org, name, Map.of(), clock.instant()));
  }

  private KnownTeams.Resolution resolve(String idOrName) {
    return teams.resolve(idOrName).join();
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void resolvesIdsAndUniqueNamesAndRefusesToGuessBetweenOrganisations(TestDatabases.Kind kind) {
    open(kind);
    directory.insert(new Organization("acme", "acme", clock.instant()));
    team("t-search", "default", "search");
    team("t-ads-1", "default", "ads");
    team("t-ads-2", "acme", "ads");
    // More than one page, so paging is exercised.
    for (int i = 0; i < 250; i++) {
      team(String.format("t-bulk-%03d", i), "acme", "bulk-" + i);
    }

    assertThat(resolve("t-search")).isEqualTo(new KnownTeams.Resolution.Found("t-search"));
    assertThat(resolve("search")).isEqualTo(new KnownTeams.Resolution.Found("t-search"));
    assertThat(resolve("default")).isEqualTo(new KnownTeams.Resolution.Found("default"));
    assertThat(resolve("bulk-249")).isEqualTo(new KnownTeams.Resolution.Found("t-bulk-249"));
    assertThat(resolve("ads")).isInstanceOfSatisfying(KnownTeams.Resolution.Ambiguous.class,
        a -> assertThat(a.teamIds()).containsExactlyInAnyOrder("t-ads-1", "t-ads-2"));
    assertThat(resolve("t-ads-2")).isEqualTo(new KnownTeams.Resolution.Found("t-ads-2"));
    assertThat(teams.loads()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void aTeamCreatedLaterIsFoundByReloadingAtMostOncePerInterval(TestDatabases.Kind kind) {
    open(kind);
    assertThat(resolve("new-team")).isEqualTo(new KnownTeams.Resolution.Unknown());
    team("t-new", "default", "new-team");

    // Within the interval a miss does not reload: made-up team names cannot become a query each.
    for (int i = 0; i < 10; i++) {
      assertThat(resolve("new-team")).isEqualTo(new KnownTeams.Resolution.Unknown());
    }
    assertThat(teams.loads()).isEqualTo(1);

    clock.advance(MIN_RELOAD);
    assertThat(resolve("new-team")).isEqualTo(new KnownTeams.Resolution.Found("t-new"));
    assertThat(teams.loads()).isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void aStaleSnapshotAnswersAtOnceWhileItReloadsBehindTheCaller(TestDatabases.Kind kind) {
    open(kind);
    team("t-gone", "default", "gone");
    assertThat(resolve("gone")).isEqualTo(new KnownTeams.Resolution.Found("t-gone"));
    directory.deleteTeam("t-gone");

    clock.advance(REFRESH);
    assertThat(resolve("gone")).isEqualTo(new KnownTeams.Resolution.Found("t-gone"));
    await().atMost(Duration.ofSeconds(10)).until(() -> teams.loads() == 2
        && teams.resolve("gone").isDone() && teams.resolve("gone").join() instanceof KnownTeams.Resolution.Unknown);
    assertThat(teams.loads()).isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void aDirectoryOutageKeepsTheLastSnapshotAndWithoutOneFailsAsUnavailable(TestDatabases.Kind kind) {
    open(kind);
    team("t-search", "default", "search");
    assertThat(resolve("search")).isEqualTo(new KnownTeams.Resolution.Found("t-search"));
    db.close();

    clock.advance(REFRESH);
    assertThat(resolve("search")).isEqualTo(new KnownTeams.Resolution.Found("t-search"));
    // A miss waits for the reload the stale hit started (it fails) and answers from the old snapshot.
    assertThat(resolve("unknown")).isEqualTo(new KnownTeams.Resolution.Unknown());
    assertThat(teams.loads()).isEqualTo(2);
    clock.advance(MIN_RELOAD);
    assertThat(resolve("unknown")).isEqualTo(new KnownTeams.Resolution.Unknown());
    assertThat(teams.loads()).isEqualTo(3);

    KnownTeams cold = new KnownTeams(directory, loads, clock, REFRESH, MIN_RELOAD);
    assertThatThrownBy(() -> cold.resolve("search").join()).isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(KnownTeams.Unavailable.class);
    // Until the interval passes, the failure is answered without another attempt.
    assertThatThrownBy(() -> cold.resolve("search").join()).hasCauseInstanceOf(KnownTeams.Unavailable.class);
    assertThat(cold.loads()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void refusesIntervalsThatMakeNoSense(TestDatabases.Kind kind) {
    open(kind);
    for (List<Duration> bad : List.of(List.of(Duration.ZERO, Duration.ZERO),
        List.of(REFRESH, REFRESH.plusSeconds(1)), List.of(REFRESH, Duration.ofSeconds(-1)))) {
      assertThatThrownBy(() -> new KnownTeams(directory, loads, clock, bad.get(0), bad.get(1)))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
