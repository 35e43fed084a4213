package dev.tollgate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.access.directory.Scope;
import dev.tollgate.metering.UsageEvent;
import dev.tollgate.store.JdbiUsageStore.DailyQuery;
import dev.tollgate.store.JdbiUsageStore.DailyRow;
import dev.tollgate.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The daily usage aggregates on both databases: maintained by inserts counting each event once
 * (replays, mixed batches, duplicates within a batch), equal to an independent sum of the events,
 * rebuilt to exactly the same rows, and queried with filters, group-bys and scopes.
 */
class DailyUsageTest {
  private static final LocalDate DAY1 = LocalDate.of(2026, 3, 1);
  private static final long START = DAY1.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
  private static final long DAY = 86_400_000L;
  private static final List<String> STATUSES = List.of("ok", "ok", "ok", "partial", "upstream_error", "timeout",
      "client_closed");

  @TempDir
  Path dir;

  private static UsageEvent event(String id, long createdAt, String key, String team, String user, String model,
      long in, long out, long cost, boolean estimated, String status) {
    return new UsageEvent(id, "req-" + id, key, "/v1/chat/completions", model, "dep", "prov", "up-" + model, in, out,
        in / 10, out / 10, estimated, cost, status, "ok".equals(status) ? 200 : 502, 12, 3, false, null, createdAt, 1,
        null, team, user);
  }

  /** Keys belong to one team and (mostly) one user, as in life; times span four days, midnights included. */
  private static List<UsageEvent> randomEvents(Random random, int count, String prefix) {
    List<UsageEvent> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int key = random.nextInt(12);
      String team = key % 3 == 0 ? "t-beta" : "t-alpha";
      String user = key % 4 == 0 ? null : "u-" + key % 5;
      long at = START + random.nextLong(4 * DAY);
      if (random.nextInt(20) == 0) {
        at = START + (1 + random.nextInt(3)) * DAY - random.nextInt(2); // the last or first millisecond of a day
      }
      out.add(event(prefix + i, at, "k-" + key, team, user, "m-" + random.nextInt(3), random.nextInt(5000),
          random.nextInt(2000), random.nextInt(100_000), random.nextInt(7) == 0,
          STATUSES.get(random.nextInt(STATUSES.size()))));
    }
    return out;
  }

  /** The aggregates computed independently: the key and sums of every (day, team, user, key, model). */
  private static Map<String, UsageTotals> expected(List<UsageEvent> events) {
    Map<String, UsageTotals> out = new TreeMap<>();
    for (UsageEvent e : events) {
      String day = Instant.ofEpochMilli(e.createdAt()).atZone(ZoneOffset.UTC).toLocalDate().toString();
      String key = String.join("|", day, e.teamId(), e.userId() == null ? "" : e.userId(), e.keyId(), e.model());
      UsageTotals one = new UsageTotals(1, e.inputTokens(), e.outputTokens(), e.cachedTokens(), e.reasoningTokens(),
          e.costMicros(), e.estimated() ? 1 : 0, e.status().equals("ok") ? 0 : 1);
      out.merge(key, one, UsageTotals::plus);
    }
    return out;
  }

  private static Map<String, UsageTotals> stored(Database db) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT * FROM usage_daily").map((rs, ctx) -> Map.entry(
            String.join("|", rs.getString("day"), rs.getString("team_id"), rs.getString("user_id"),
                rs.getString("key_id"), rs.getString("model")), DailyUsage.totals(rs))).list())
        .stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> {
          throw new AssertionError("two rows for one key");
        }, TreeMap::new));
  }

  private static void seedOrganisations(Database db) {
    db.jdbi().useHandle(h -> {
      h.execute("INSERT INTO organizations (id, name, created_at) VALUES ('acme', 'acme', 0)");
      h.execute("INSERT INTO teams (id, org_id, name, metadata, created_at) VALUES ('t-alpha', 'default', 'alpha', '{}', 0)");
      h.execute("INSERT INTO teams (id, org_id, name, metadata, created_at) VALUES ('t-beta', 'default', 'beta', '{}', 0)");
      h.execute("INSERT INTO teams (id, org_id, name, metadata, created_at) VALUES ('t-acme', 'acme', 'x', '{}', 0)");
    });
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void aggregatesEqualTheSumOfTheEventsAndReplaysCountOnce(TestDatabases.Kind kind) {
    try (Database db = TestDatabases.open(kind, dir)) {
      JdbiUsageStore store = new JdbiUsageStore(db.jdbi());
      Random random = new Random(5);
      List<UsageEvent> all = new ArrayList<>();
      for (int batch = 0; batch < 4; batch++) {
        // 1,234 rows: more than one insert statement per batch (500 rows each).
        List<UsageEvent> events = randomEvents(random, 1234, "b" + batch + "-");
        store.insert(events);
        all.addAll(events);
      }
      Map<String, UsageTotals> expected = expected(all);
      assertThat(stored(db)).isEqualTo(expected);

      // A replay of old batches in a new order, whole and in parts: nothing changes.
      List<UsageEvent> replay = new ArrayList<>(all);
      Collections.shuffle(replay, random);
      store.insert(replay.subList(0, 2000));
      store.insert(replay);
      assertThat(stored(db)).isEqualTo(expected);
      assertThat(store.count()).isEqualTo(all.size());
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void aBatchMixingStoredAndNewEventsCountsOnlyTheNewOnes(TestDatabases.Kind kind) {
    try (Database db = TestDatabases.open(kind, dir)) {
      JdbiUsageStore store = new JdbiUsageStore(db.jdbi());
      UsageEvent a = event("a", START + 10, "k1", "default", "u1", "m", 100, 10, 1_000, false, "ok");
      UsageEvent b = event("b", START + 20, "k1", "default", "u1", "m", 200, 20, 2_000, true, "ok");
      UsageEvent c = event("c", START + 30, "k1", "default", "u1", "m", 400, 40, 4_000, false, "timeout");
      store.insert(List.of(a));
      // b twice in one batch: stored once, counted once.
      store.insert(List.of(a, b, b, c, a));

      assertThat(stored(db)).containsExactly(Map.entry("2026-03-01|default|u1|k1|m",
          new UsageTotals(3, 700, 70, 70, 7, 7_000, 1, 1)));
      assertThat(store.count()).isEqualTo(3);
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void aFailedBatchLeavesNeitherEventsNorAggregates(TestDatabases.Kind kind) {
    try (Database db = TestDatabases.open(kind, dir)) {
      JdbiUsageStore store = new JdbiUsageStore(db.jdbi());
      UsageEvent good = event("good", START, "k1", "default", null, "m", 1, 1, 1, false, "ok");
      UsageEvent broken = event("broken", START, null, "default", null, "m", 1, 1, 1, false, "ok"); // key_id NOT NULL
      assertThatThrownBy(() -> store.insert(List.of(good, broken))).isInstanceOf(RuntimeException.class);

      assertThat(store.count()).isZero();
      assertThat(stored(db)).isEmpty();
      store.insert(List.of(good));
      assertThat(stored(db)).hasSize(1);
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void aRebuildReproducesIncrementalMaintenanceExactly(TestDatabases.Kind kind) {
    try (Database db = TestDatabases.open(kind, dir)) {
      JdbiUsageStore store = new JdbiUsageStore(db.jdbi());
      Random random = new Random(11);
      for (int batch = 0; batch < 5; batch++) {
        store.insert(randomEvents(random, 700, "r" + batch + "-"));
      }
      Map<String, UsageTotals> incremental = stored(db);
      assertThat(incremental).hasSizeGreaterThan(100);

      JdbiUsageStore.Rebuilt all = store.rebuildDaily(Optional.empty(), Optional.empty());
      assertThat(stored(db)).isEqualTo(incremental);
      assertThat(all.events()).isEqualTo(3500);
      assertThat(all.rows()).isEqualTo(incremental.size());
      assertThat(all.removedRows()).isEqualTo(incremental.size());

      // Damage two days and a third, then rebuild only the second and third: those are fixed, the first
      // stays damaged, the fourth untouched.
      db.jdbi().useHandle(h -> {
        h.execute("UPDATE usage_daily SET requests = requests + 100 WHERE day = '2026-03-01'");
        h.execute("DELETE FROM usage_daily WHERE day = '2026-03-02'");
        h.execute("UPDATE usage_daily SET cost_micros = 0 WHERE day = '2026-03-03'");
      });
      JdbiUsageStore.Rebuilt some = store.rebuildDaily(Optional.of(DAY1.plusDays(1)), Optional.of(DAY1.plusDays(2)));
      Map<String, UsageTotals> after = stored(db);
      Predicate<String> rebuilt = k -> k.startsWith("2026-03-02") || k.startsWith("2026-03-03");
      assertThat(filter(after, rebuilt)).isEqualTo(filter(incremental, rebuilt));
      assertThat(filter(after, k -> k.startsWith("2026-03-04"))).isEqualTo(filter(incremental,
          k -> k.startsWith("2026-03-04")));
      assertThat(filter(after, k -> k.startsWith("2026-03-01")).values())
          .allSatisfy(t -> assertThat(t.requests()).isGreaterThan(100));
      assertThat(some.rows()).isEqualTo(filter(incremental, rebuilt).size());
      assertThat(some.events()).isEqualTo(filter(incremental, rebuilt).values().stream()
          .mapToLong(UsageTotals::requests).sum());

      // Incremental maintenance carries on from rebuilt rows, and a rebuild of bounded days equals an unbounded one.
      store.rebuildDaily(Optional.empty(), Optional.empty());
      store.insert(randomEvents(new Random(12), 300, "late-"));
      Map<String, UsageTotals> carriedOn = stored(db);
      db.jdbi().useHandle(h -> h.execute("DELETE FROM usage_daily"));
      store.rebuildDaily(Optional.of(DAY1), Optional.of(DAY1.plusDays(3)));
      assertThat(stored(db)).isEqualTo(carriedOn);
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void aRebuildOfAnInvertedRangeIsRefused(TestDatabases.Kind kind) {
    try (Database db = TestDatabases.open(kind, dir)) {
      JdbiUsageStore store = new JdbiUsageStore(db.jdbi());
      assertThatThrownBy(() -> store.rebuildDaily(Optional.of(DAY1.plusDays(1)), Optional.of(DAY1)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("after");
    }
  }

  private static Map<String, UsageTotals> filter(Map<String, UsageTotals> rows, Predicate<String> key) {
    return rows.entrySet().stream().filter(e -> key.test(e.getKey()))
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
  }

  private static DailyQuery query(LocalDate from, LocalDate to, Scope scope, List<UsageGroup> groupBy) {
    return new DailyQuery(from, to, scope, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        groupBy);
  }

  /** Sums of the events that pass {@code keep}, grouped by {@code groupBy}, as report rows would show them. */
  private static Map<Map<UsageGroup, String>, UsageTotals> sums(List<UsageEvent> events, Predicate<UsageEvent> keep,
      List<UsageGroup> groupBy) {
    Map<Map<UsageGroup, String>, UsageTotals> out = new java.util.HashMap<>();
    for (UsageEvent e : events) {
      if (!keep.test(e)) {
        continue;
      }
      Map<UsageGroup, String> groups = new EnumMap<>(UsageGroup.class);
      for (UsageGroup g : groupBy) {
        groups.put(g, switch (g) {
          case DAY -> Instant.ofEpochMilli(e.createdAt()).atZone(ZoneOffset.UTC).toLocalDate().toString();
          case MODEL -> e.model();
          case KEY -> e.keyId();
          case TEAM -> e.teamId();
          case USER -> e.userId();
        });
      }
      out.merge(groups, UsageTotals.of(e), UsageTotals::plus);
    }
    return out;
  }

  private static Map<Map<UsageGroup, String>, UsageTotals> asMap(List<DailyRow> rows) {
    Map<Map<UsageGroup, String>, UsageTotals> out = new java.util.HashMap<>();
    rows.forEach(r -> assertThat(out.put(r.groups(), r.totals())).as("one row per group").isNull());
    return out;
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void reportsSumTheRightRowsForEveryGroupingFilterAndScope(TestDatabases.Kind kind) {
    try (Database db = TestDatabases.open(kind, dir)) {
      seedOrganisations(db);
      JdbiUsageStore store = new JdbiUsageStore(db.jdbi());
      List<UsageEvent> events = new ArrayList<>(randomEvents(new Random(3), 2000, "e"));
      events.add(event("acme-1", START + 5, "k-acme", "t-acme", "u-acme", "m-0", 7, 7, 7, false, "ok"));
      store.insert(events);
      LocalDate from = DAY1.plusDays(1);
      LocalDate to = DAY1.plusDays(2);
      Predicate<UsageEvent> inRange = e -> e.createdAt() >= START + DAY && e.createdAt() < START + 3 * DAY;

      List<List<UsageGroup>> groupings = List.of(List.of(), List.of(UsageGroup.DAY), List.of(UsageGroup.MODEL),
          List.of(UsageGroup.KEY), List.of(UsageGroup.TEAM), List.of(UsageGroup.USER),
          List.of(UsageGroup.DAY, UsageGroup.MODEL), List.of(UsageGroup.USER, UsageGroup.KEY, UsageGroup.DAY),
          List.of(UsageGroup.values()));
      Map<String, Map.Entry<Scope, Predicate<UsageEvent>>> scopes = Map.of(
          "master", Map.entry(Scope.everything(), e -> true),
          "default org", Map.entry(Scope.organisation("default"), e -> !e.teamId().equals("t-acme")),
          "acme org", Map.entry(Scope.organisation("acme"), e -> e.teamId().equals("t-acme")),
          "team beta and own", Map.entry(new Scope(Optional.of("default"), Optional.of(Set.of("t-beta")),
              Optional.of("u-1")), e -> e.teamId().equals("t-beta") || "u-1".equals(e.userId())),
          "own only", Map.entry(new Scope(Optional.of("default"), Optional.of(Set.of()), Optional.of("u-2")),
              e -> "u-2".equals(e.userId())),
          "own only, in the wrong organisation", Map.entry(new Scope(Optional.of("acme"), Optional.of(Set.of()),
              Optional.of("u-2")), e -> false),
          "nothing", Map.entry(new Scope(Optional.of("default"), Optional.of(Set.of()), Optional.empty()), e -> false));
      int checked = 0;
      for (var scope : scopes.entrySet()) {
        for (List<UsageGroup> groupBy : groupings) {
          List<DailyRow> rows = store.daily(query(from, to, scope.getValue().getKey(), groupBy), 10_000);
          Map<Map<UsageGroup, String>, UsageTotals> expected = sums(events,
              inRange.and(scope.getValue().getValue()), groupBy);
          if (groupBy.isEmpty()) {
            assertThat(rows).as(scope.getKey()).hasSize(1);
            assertThat(rows.getFirst().totals()).as(scope.getKey())
                .isEqualTo(expected.getOrDefault(Map.of(), UsageTotals.ZERO));
          } else {
            assertThat(asMap(rows)).as(scope.getKey() + " by " + groupBy).isEqualTo(expected);
          }
          checked++;
        }
      }
      assertThat(checked).isEqualTo(63);

      // Filters narrow within the scope, never widen it.
      DailyQuery filtered = new DailyQuery(DAY1, to, Scope.everything(), Optional.of("k-1"), Optional.empty(),
          Optional.of("u-1"), Optional.of("m-2"), List.of(UsageGroup.DAY));
      assertThat(asMap(store.daily(filtered, 10_000))).isEqualTo(sums(events, e -> e.createdAt() < START + 3 * DAY
          && e.keyId().equals("k-1") && "u-1".equals(e.userId()) && e.model().equals("m-2"), List.of(UsageGroup.DAY)));
      DailyQuery otherTeam = new DailyQuery(DAY1, to, new Scope(Optional.of("default"), Optional.of(Set.of("t-beta")),
          Optional.empty()), Optional.empty(), Optional.of("t-alpha"), Optional.empty(), Optional.empty(), List.of());
      assertThat(store.daily(otherTeam, 10).getFirst().totals()).isEqualTo(UsageTotals.ZERO);
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void reportRowsAreOrderedAndCappedAtOneMoreThanAsked(TestDatabases.Kind kind) {
    try (Database db = TestDatabases.open(kind, dir)) {
      JdbiUsageStore store = new JdbiUsageStore(db.jdbi());
      store.insert(randomEvents(new Random(8), 500, "c"));
      List<DailyRow> rows = store.daily(query(DAY1, DAY1.plusDays(3), Scope.everything(),
          List.of(UsageGroup.DAY, UsageGroup.KEY)), 5);
      assertThat(rows).hasSize(6);
      List<DailyRow> all = store.daily(query(DAY1, DAY1.plusDays(3), Scope.everything(),
          List.of(UsageGroup.DAY, UsageGroup.KEY)), 1000);
      assertThat(all).startsWith(rows.toArray(DailyRow[]::new));
      List<String> order = all.stream().map(r -> r.groups().get(UsageGroup.DAY) + " " + r.groups().get(UsageGroup.KEY))
          .toList();
      assertThat(order).isSorted();
      // A user-less row grouped by user shows null, not the stored ''.
      List<DailyRow> byUser = store.daily(query(DAY1, DAY1.plusDays(3), Scope.everything(), List.of(UsageGroup.USER)),
          100);
      assertThat(byUser).anySatisfy(r -> assertThat(r.groups()).containsEntry(UsageGroup.USER, null));
      assertThat(byUser).noneSatisfy(r -> assertThat(r.groups()).containsEntry(UsageGroup.USER, ""));
    }
  }
}
