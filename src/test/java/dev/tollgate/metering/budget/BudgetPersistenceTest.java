package dev.tollgate.metering.budget;

import dev.tollgate.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.store.IdGenerator;
import dev.tollgate.store.JdbiBudgetPersistence;
import dev.tollgate.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Budgets and settled spend survive a restart, on SQLite and PostgreSQL alike. */
class BudgetPersistenceTest {
  private static final Instant START = Instant.parse("2026-07-20T09:00:00Z");
  private static final Duration TTL = BudgetFixture.TTL;

  @TempDir
  Path dir;

  private final Budget key = new Budget("k1-daily", BudgetScope.key("k1"), 1_000, BudgetPeriod.DAILY, List.of(25, 90));
  private final Budget org = new Budget("acme-lifetime", BudgetScope.organization("acme"), 50_000,
      BudgetPeriod.LIFETIME);

  private static Reservation reserve(LocalBudgetStore store, long micros, Budget... budgets) {
    return (Reservation) store.reserve(List.of(budgets).stream().map(Budget::ref).toList(), micros, TTL);
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void budgetsAndSettledSpendSurviveARestartButReservationsDoNot(TestDatabases.Kind kind) {
    ManualClock clock = new ManualClock(START);
    try (BudgetFixture fixture = new BudgetFixture(kind, dir, clock)) {
      LocalBudgetStore first = fixture.store();
      first.define(key);
      first.define(org);
      first.settle(reserve(first, 300, key, org).id(), 200);
      first.settle(reserve(first, 100, key, org).id(), 160); // 60 over its worst case
      Reservation inFlight = reserve(first, 500, key, org);
      assertThat(fixture.events).extracting(ThresholdCrossed::percent).containsExactly(25);
      first.close(); // writes what the flusher has not

      LocalBudgetStore second = fixture.store();

      assertThat(second.budgetsFor(List.of(BudgetScope.key("k1"), BudgetScope.organization("acme"))))
          .containsExactly(org.ref(), key.ref());
      assertThat(second.status(key.ref()).orElseThrow()).isEqualTo(new BudgetStatus(key,
          Instant.parse("2026-07-20T00:00:00Z"), Optional.of(Instant.parse("2026-07-21T00:00:00Z")), 360, 0, 640,
          60));
      assertThat(second.status(org.ref()).orElseThrow()).extracting(BudgetStatus::spentMicros,
          BudgetStatus::reservedMicros, BudgetStatus::overrunMicros).containsExactly(360L, 0L, 60L);
      assertThat(second.settle(inFlight.id(), 10)).as("the call died with the old process")
          .isInstanceOf(SettleResult.Unknown.class);

      // 25% was announced before the restart; only 90% is new.
      second.settle(reserve(second, 600, key).id(), 600);
      assertThat(fixture.events).extracting(ThresholdCrossed::percent).containsExactly(25, 90);
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void eachWindowKeepsItsOwnSpendAndANewWindowStartsFromZero(TestDatabases.Kind kind) {
    ManualClock clock = new ManualClock(START);
    try (BudgetFixture fixture = new BudgetFixture(kind, dir, clock)) {
      LocalBudgetStore store = fixture.store();
      store.define(key);
      store.settle(reserve(store, 400, key).id(), 400);
      store.flush();
      assertThat(store.unsavedWindows()).isZero();
      clock.set(Instant.parse("2026-07-21T08:00:00Z"));
      store.settle(reserve(store, 70, key).id(), 70);
      store.flush();

      JdbiBudgetPersistence persistence = new JdbiBudgetPersistence(fixture.db.jdbi());
      assertThat(persistence.loadSpend(key.id(), Instant.parse("2026-07-20T00:00:00Z").toEpochMilli()))
          .contains(new SpendRow(key.id(), Instant.parse("2026-07-20T00:00:00Z").toEpochMilli(), 400, 0));
      assertThat(persistence.loadSpend(key.id(), Instant.parse("2026-07-21T00:00:00Z").toEpochMilli()))
          .map(SpendRow::spentMicros).contains(70L);

      clock.set(Instant.parse("2026-07-22T00:00:00Z"));
      LocalBudgetStore restarted = fixture.store();
      assertThat(restarted.status(key.ref()).orElseThrow().spentMicros()).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void aWindowThatClosesBeforeItsSpendIsWrittenIsStillWrittenWithItsFinalSpend(TestDatabases.Kind kind) {
    ManualClock clock = new ManualClock(START);
    try (BudgetFixture fixture = new BudgetFixture(kind, dir, clock)) {
      LocalBudgetStore store = fixture.store();
      store.define(key);
      store.settle(reserve(store, 400, key).id(), 300);
      store.settle(reserve(store, 200, key).id(), 0); // a second settle of the day, still not written
      assertThat(store.unsavedWindows()).isEqualTo(1);

      clock.set(Instant.parse("2026-07-21T08:00:00Z"));
      store.settle(reserve(store, 70, key).id(), 70); // rolls the window: day one closes unwritten
      assertThat(store.unsavedWindows()).isEqualTo(2);
      store.flush();
      assertThat(store.unsavedWindows()).isZero();

      JdbiBudgetPersistence persistence = new JdbiBudgetPersistence(fixture.db.jdbi());
      assertThat(persistence.loadSpend(key.id(), Instant.parse("2026-07-20T00:00:00Z").toEpochMilli()))
          .map(SpendRow::spentMicros).contains(300L);
      assertThat(persistence.loadSpend(key.id(), Instant.parse("2026-07-21T00:00:00Z").toEpochMilli()))
          .map(SpendRow::spentMicros).contains(70L);
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void aRemovedBudgetsUnwrittenSpendIsNeverWrittenEvenWhenALateSettleClosesItsWindow(TestDatabases.Kind kind) {
    ManualClock clock = new ManualClock(START);
    try (BudgetFixture fixture = new BudgetFixture(kind, dir, clock)) {
      LocalBudgetStore store = fixture.store();
      store.define(key);
      Reservation inFlight = reserve(store, 100, key);
      store.settle(reserve(store, 50, key).id(), 50); // spend not written yet
      assertThat(store.remove(key.id())).isTrue();

      clock.set(Instant.parse("2026-07-21T08:00:00Z"));
      store.settle(inFlight.id(), 80); // the removed budget's window rolls over here
      store.flush();

      assertThat(store.unsavedWindows()).isZero();
      JdbiBudgetPersistence persistence = new JdbiBudgetPersistence(fixture.db.jdbi());
      assertThat(persistence.loadSpend(key.id(), Instant.parse("2026-07-20T00:00:00Z").toEpochMilli())).isEmpty();
      assertThat(persistence.loadSpend(key.id(), Instant.parse("2026-07-21T00:00:00Z").toEpochMilli())).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void rowsOfAFailedWriteStayQueuedAndTheNextWriteStoresTheLatestSpend(TestDatabases.Kind kind) {
    ManualClock clock = new ManualClock(START);
    try (BudgetFixture fixture = new BudgetFixture(kind, dir, clock)) {
      JdbiBudgetPersistence real = new JdbiBudgetPersistence(fixture.db.jdbi());
      boolean[] down = {false};
      LocalBudgetStore store = started(failingWhile(real, down), clock, Duration.ofHours(1));
      try {
        store.define(key);
        store.define(org);
        store.settle(reserve(store, 100, key, org).id(), 100);
        down[0] = true;
        assertThatThrownBy(store::flush).hasMessageContaining("database down");
        assertThat(store.unsavedWindows()).isEqualTo(2);

        clock.set(Instant.parse("2026-07-21T08:00:00Z"));
        store.settle(reserve(store, 40, key, org).id(), 40); // key: a new day; org: the same lifetime window
        assertThatThrownBy(store::flush).hasMessageContaining("database down");
        down[0] = false;
        store.flush();
        assertThat(store.unsavedWindows()).isZero();

        assertThat(real.loadSpend(key.id(), Instant.parse("2026-07-20T00:00:00Z").toEpochMilli()))
            .map(SpendRow::spentMicros).contains(100L);
        assertThat(real.loadSpend(key.id(), Instant.parse("2026-07-21T00:00:00Z").toEpochMilli()))
            .map(SpendRow::spentMicros).contains(40L);
        assertThat(real.loadSpend(org.id(), 0)).map(SpendRow::spentMicros).contains(140L);
      } finally {
        store.close();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void aRowQueuedByAFailedWriteIsNotWrittenAgainOverTheNewerSpendWrittenSince(TestDatabases.Kind kind) {
    ManualClock clock = new ManualClock(START);
    try (BudgetFixture fixture = new BudgetFixture(kind, dir, clock)) {
      JdbiBudgetPersistence real = new JdbiBudgetPersistence(fixture.db.jdbi());
      boolean[] down = {true};
      LocalBudgetStore store = started(failingWhile(real, down), clock, Duration.ofHours(1));
      try {
        store.define(org);
        store.settle(reserve(store, 100, org).id(), 100);
        assertThatThrownBy(store::flush).hasMessageContaining("database down"); // 100 queued
        store.settle(reserve(store, 40, org).id(), 40);
        down[0] = false;
        store.flush(); // writes 140, which covers the queued 100

        assertThat(store.unsavedWindows()).isZero();
        store.flush();
        assertThat(real.loadSpend(org.id(), 0)).map(SpendRow::spentMicros).contains(140L);
      } finally {
        store.close();
      }
    }
  }

  /** A started store over {@code persistence}, flushing every {@code flushInterval}; the caller closes it. */
  private static LocalBudgetStore started(BudgetPersistence persistence, ManualClock clock, Duration flushInterval) {
    LocalBudgetStore store = new LocalBudgetStore(persistence, BudgetListener.NONE, clock,
        new IdGenerator(clock, () -> new Random(5)), flushInterval, TTL);
    store.start();
    return store;
  }

  /** The database, with spend writes failing while {@code down[0]}. */
  private static BudgetPersistence failingWhile(BudgetPersistence real, boolean[] down) {
    return new BudgetPersistence() {
      @Override
      public List<Budget> loadBudgets() {
        return real.loadBudgets();
      }

      @Override
      public Optional<SpendRow> loadSpend(String budgetId, long periodStartMillis) {
        return real.loadSpend(budgetId, periodStartMillis);
      }

      @Override
      public void saveBudget(Budget budget, long nowMillis) {
        real.saveBudget(budget, nowMillis);
      }

      @Override
      public void deleteBudget(String budgetId) {
        real.deleteBudget(budgetId);
      }

      @Override
      public void saveSpend(List<SpendRow> rows, long nowMillis) {
        if (down[0]) {
          throw new IllegalStateException("database down");
        }
        real.saveSpend(rows, nowMillis);
      }
    };
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void theFlusherWritesSettledSpendInTheBackground(TestDatabases.Kind kind) {
    ManualClock clock = new ManualClock(START);
    try (BudgetFixture fixture = new BudgetFixture(kind, dir, clock)) {
      JdbiBudgetPersistence persistence = new JdbiBudgetPersistence(fixture.db.jdbi());
      LocalBudgetStore store = started(persistence, clock, Duration.ofMillis(20));
      try {
        store.define(org);
        store.settle(reserve(store, 900, org).id(), 850);

        // Real time only for the flusher's own wake-ups; nothing here depends on the test clock moving.
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
            assertThat(persistence.loadSpend(org.id(), 0)).map(SpendRow::spentMicros).contains(850L));
        assertThat(store.unsavedWindows()).isZero();
      } finally {
        store.close();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void definitionsAreUpsertedAndRemovalDeletesSpend(TestDatabases.Kind kind) {
    try (BudgetFixture fixture = new BudgetFixture(kind, dir, new ManualClock(START))) {
      JdbiBudgetPersistence persistence = new JdbiBudgetPersistence(fixture.db.jdbi());
      persistence.saveBudget(key, 1);
      persistence.saveBudget(org, 1);
      Budget raised = new Budget(key.id(), BudgetScope.user("u9"), 2_000, BudgetPeriod.WEEKLY, List.of());
      persistence.saveBudget(raised, 2);
      assertThat(persistence.loadBudgets()).containsExactly(org, raised);

      persistence.saveSpend(List.of(new SpendRow(key.id(), 5, 10, 0), new SpendRow(org.id(), 0, 7, 1)), 3);
      persistence.saveSpend(List.of(new SpendRow(key.id(), 5, 12, 2)), 4); // absolute: overwrites
      assertThat(persistence.loadSpend(key.id(), 5)).contains(new SpendRow(key.id(), 5, 12, 2));
      assertThat(persistence.loadSpend(key.id(), 6)).isEmpty();

      persistence.deleteBudget(key.id());
      assertThat(persistence.loadBudgets()).containsExactly(org);
      assertThat(persistence.loadSpend(key.id(), 5)).isEmpty();
      assertThat(persistence.loadSpend(org.id(), 0)).map(SpendRow::spentMicros).contains(7L);
    }
  }
}
