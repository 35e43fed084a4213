package dev.tollgate.metering.budget;

import dev.tollgate.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.tollgate.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reserve / settle / release / expire contract of the single-node store, on a real SQLite database. */
class LocalBudgetStoreTest {
  private static final Instant START = Instant.parse("2026-03-14T10:00:00Z");
  private static final Duration TTL = BudgetFixture.TTL;

  @TempDir
  Path dir;
  private BudgetFixture fixture;
  private ManualClock clock;
  private LocalBudgetStore store;

  private final Budget key = new Budget("k1-daily", BudgetScope.key("k1"), 1_000, BudgetPeriod.DAILY);
  private final Budget team = new Budget("t1-monthly", BudgetScope.team("t1"), 500, BudgetPeriod.MONTHLY);

  @BeforeEach
  void open() {
    clock = new ManualClock(START);
    fixture = new BudgetFixture(TestDatabases.Kind.SQLITE, dir, clock);
    store = fixture.store();
    store.define(key);
    store.define(team);
  }

  @AfterEach
  void close() {
    fixture.close();
  }

  private BudgetStatus status(Budget b) {
    return store.status(b.ref()).orElseThrow();
  }

  private Reservation reserve(long micros, Budget... budgets) {
    ReserveResult r = store.reserve(List.of(budgets).stream().map(Budget::ref).toList(), micros, TTL);
    assertThat(r).isInstanceOf(Reservation.class);
    return (Reservation) r;
  }

  @Test
  void aReservationHoldsTheWorstCaseOnEveryTouchedBudget() {
    Reservation r = reserve(300, key, team);

    assertThat(r.budgets()).containsExactly(key.ref(), team.ref());
    assertThat(r.expiresAt()).isEqualTo(START.plus(TTL));
    assertThat(status(key)).extracting(BudgetStatus::reservedMicros, BudgetStatus::remainingMicros,
        BudgetStatus::spentMicros).containsExactly(300L, 700L, 0L);
    assertThat(status(team)).extracting(BudgetStatus::reservedMicros, BudgetStatus::remainingMicros)
        .containsExactly(300L, 200L);
  }

  @Test
  void refusesAllOrNothingNamingTheBudgetThatCannotHoldIt() {
    ReserveResult r = store.reserve(List.of(key.ref(), team.ref()), 600, TTL);

    assertThat(r).isEqualTo(new Refused(team, 600, 500, Optional.of(Instant.parse("2026-04-01T00:00:00Z"))));
    assertThat(status(key).reservedMicros()).as("nothing held on the budget that could afford it").isZero();
    Refused refused = (Refused) r;
    assertThat(refused.retryAfter(START)).contains(Duration.between(START, Instant.parse("2026-04-01T00:00:00Z")));
    assertThat(refused.message()).contains("t1-monthly", "team:t1", "$0.0006", "$0.0005", "2026-04-01T00:00:00Z");
  }

  @Test
  void aCallThatFitsExactlyIsAdmittedAndTheNextMicroIsNot() {
    reserve(500, key, team);
    assertThat(store.reserve(List.of(team.ref()), 1, TTL)).isInstanceOf(Refused.class);
    assertThat(store.reserve(List.of(key.ref()), 500, TTL)).isInstanceOf(Reservation.class);
  }

  @Test
  void settlingReplacesTheHoldWithTheActualCost() {
    Reservation r = reserve(400, key, team);

    assertThat(store.settle(r.id(), 150)).isEqualTo(new SettleResult.Settled(r.id(), 150, 0, false));
    assertThat(status(key)).extracting(BudgetStatus::spentMicros, BudgetStatus::reservedMicros,
        BudgetStatus::remainingMicros, BudgetStatus::overrunMicros).containsExactly(150L, 0L, 850L, 0L);
    assertThat(status(team).remainingMicros()).isEqualTo(350);
    assertThat(store.liveReservations()).isZero();
  }

  @Test
  void settlingTwiceChargesOnce() {
    Reservation r = reserve(400, key);
    store.settle(r.id(), 100);

    assertThat(store.settle(r.id(), 100)).isEqualTo(new SettleResult.Unknown(r.id()));
    assertThat(store.release(r.id())).isFalse();
    assertThat(status(key).spentMicros()).isEqualTo(100);
  }

  @Test
  void releasingFreesTheHoldAndChargesNothing() {
    Reservation r = reserve(400, key, team);

    assertThat(store.release(r.id())).isTrue();
    assertThat(store.release(r.id())).isFalse();
    assertThat(store.settle(r.id(), 10)).isInstanceOf(SettleResult.Unknown.class);
    assertThat(status(key)).extracting(BudgetStatus::spentMicros, BudgetStatus::reservedMicros).containsExactly(0L, 0L);
    assertThat(status(team).remainingMicros()).isEqualTo(500);
  }

  @Test
  void anOverrunIsChargedInFullAndIsTheOnlyWaySpendPassesTheAmount() {
    Reservation r = reserve(400, team);

    assertThat(store.settle(r.id(), 650)).isEqualTo(new SettleResult.Settled(r.id(), 650, 250, false));
    BudgetStatus s = status(team);
    assertThat(s).extracting(BudgetStatus::spentMicros, BudgetStatus::overrunMicros, BudgetStatus::remainingMicros)
        .containsExactly(650L, 250L, 0L);
    assertThat(s.spentMicros() - s.overrunMicros()).isLessThanOrEqualTo(team.amountMicros());
    assertThat(store.reserve(List.of(team.ref()), 1, TTL)).isEqualTo(
        new Refused(team, 1, 0, Optional.of(Instant.parse("2026-04-01T00:00:00Z"))));
  }

  @Test
  void aLapsedHoldFreesItsBudgetAndALateSettlementIsStillChargedAsOverrun() {
    Reservation crashed = reserve(500, team);
    assertThat(store.reserve(List.of(team.ref()), 100, TTL)).isInstanceOf(Refused.class);

    clock.advance(TTL.minusSeconds(1));
    assertThat(store.reserve(List.of(team.ref()), 100, TTL)).as("not yet expired").isInstanceOf(Refused.class);
    clock.advance(Duration.ofSeconds(1));
    // The refusal path sweeps lapsed holds before answering.
    Reservation next = reserve(100, team);

    assertThat(status(team).reservedMicros()).isEqualTo(100);
    assertThat(store.settle(crashed.id(), 70)).isEqualTo(new SettleResult.Settled(crashed.id(), 70, 70, true));
    store.settle(next.id(), 100);
    assertThat(status(team)).extracting(BudgetStatus::spentMicros, BudgetStatus::overrunMicros,
        BudgetStatus::reservedMicros).containsExactly(170L, 70L, 0L);
  }

  @Test
  void aHoldWithAShorterTtlThanTheLiveOnesLapsesOnTheRefusalPathToo() {
    reserve(100, team);
    assertThat(store.expireOverdue()).as("nothing due: the sweep's bound is now the live hold's expiry").isZero();
    ReserveResult brief = store.reserve(List.of(team.ref()), 400, Duration.ofSeconds(1));
    assertThat(brief).isInstanceOf(Reservation.class);
    assertThat(store.reserve(List.of(team.ref()), 400, TTL)).isInstanceOf(Refused.class);

    clock.advance(Duration.ofSeconds(1));

    assertThat(store.reserve(List.of(team.ref()), 400, TTL)).as("the brief hold lapsed, below the bound")
        .isInstanceOf(Reservation.class);
    assertThat(status(team).reservedMicros()).isEqualTo(500);
  }

  @Test
  void anExpiredHoldIsForgottenOneTtlAfterItLapsed() {
    Reservation r = reserve(500, team);
    clock.advance(TTL);
    assertThat(store.expireOverdue()).isEqualTo(1);
    assertThat(store.expireOverdue()).as("each hold lapses once").isZero();
    assertThat(store.liveReservations()).as("kept for a late settlement").isEqualTo(1);

    clock.advance(TTL);
    store.expireOverdue();

    assertThat(store.liveReservations()).isZero();
    assertThat(store.settle(r.id(), 10)).isEqualTo(new SettleResult.Unknown(r.id()));
    assertThat(status(team)).extracting(BudgetStatus::spentMicros, BudgetStatus::reservedMicros)
        .containsExactly(0L, 0L);
  }

  @Test
  void releasingALapsedHoldDoesNotFreeItTwice() {
    Reservation r = reserve(300, team);
    Reservation other = reserve(100, team);
    clock.advance(TTL.minusSeconds(1));
    Reservation fresh = reserve(50, team);
    clock.advance(Duration.ofSeconds(1));
    assertThat(store.expireOverdue()).isEqualTo(2);

    assertThat(store.release(r.id())).isTrue();
    assertThat(store.release(other.id())).isTrue();
    assertThat(status(team).reservedMicros()).as("only the live hold").isEqualTo(fresh.amountMicros());
  }

  @Test
  void settledThresholdsFireOnceEachPerWindow() {
    settle(key, 400);
    assertThat(fixture.events).isEmpty();
    settle(key, 100); // 500 = 50%
    settle(key, 0);
    settle(key, 299); // 799
    settle(key, 1); // 800 = 80%
    settle(key, 150);
    settle(key, 50); // 1000 = 100%
    Reservation r = reserve(0, key);
    store.settle(r.id(), 300); // overrun; nothing left to announce

    assertThat(fixture.events).extracting(ThresholdCrossed::percent, ThresholdCrossed::spentMicros)
        .containsExactly(tuple(50, 500L), tuple(80, 800L), tuple(100, 1000L));

    clock.set(Instant.parse("2026-03-15T00:00:00Z"));
    fixture.events.clear();
    settle(key, 950); // the new day: 50 and 80 at once
    assertThat(fixture.events).extracting(ThresholdCrossed::percent, ThresholdCrossed::windowStart)
        .containsExactly(tuple(50, Instant.parse("2026-03-15T00:00:00Z")),
            tuple(80, Instant.parse("2026-03-15T00:00:00Z")));
  }

  private void settle(Budget b, long micros) {
    Reservation r = reserve(micros, b);
    assertThat(store.settle(r.id(), micros)).isInstanceOf(SettleResult.Settled.class);
  }

  @Test
  void aFailingListenerDoesNotFailTheSettlement() {
    LocalBudgetStore noisy = fixture.store(e -> {
      throw new IllegalStateException("alerting is down");
    });
    Reservation r = (Reservation) noisy.reserve(List.of(key.ref()), 900, TTL);

    assertThat(noisy.settle(r.id(), 900)).isInstanceOf(SettleResult.Settled.class);
    assertThat(noisy.status(key.ref()).orElseThrow().spentMicros()).isEqualTo(900);
  }

  @Test
  void aHoldCarriesOverTheWindowEndAndItsCostLandsWhereItSettles() {
    clock.set(Instant.parse("2026-03-14T23:59:00Z"));
    settle(key, 200);
    Reservation r = reserve(800, key);

    clock.set(Instant.parse("2026-03-15T00:01:00Z"));
    BudgetStatus newDay = status(key);
    assertThat(newDay).extracting(BudgetStatus::windowStart, BudgetStatus::spentMicros, BudgetStatus::reservedMicros,
        BudgetStatus::remainingMicros).containsExactly(Instant.parse("2026-03-15T00:00:00Z"), 0L, 800L, 200L);
    assertThat(newDay.resetsAt()).contains(Instant.parse("2026-03-16T00:00:00Z"));
    assertThat(store.reserve(List.of(key.ref()), 201, TTL)).isInstanceOf(Refused.class);

    store.settle(r.id(), 600);
    assertThat(status(key)).extracting(BudgetStatus::spentMicros, BudgetStatus::reservedMicros)
        .containsExactly(600L, 0L);
  }

  @Test
  void budgetsAreFoundByTheScopesOfACall() {
    Budget org = new Budget("acme", BudgetScope.organization("acme"), 10_000, BudgetPeriod.LIFETIME);
    Budget keyMonthly = new Budget("k1-monthly", BudgetScope.key("k1"), 5_000, BudgetPeriod.MONTHLY);
    store.define(org);
    store.define(keyMonthly);

    assertThat(store.budgetsFor(List.of(BudgetScope.key("k1"), BudgetScope.team("t1"), BudgetScope.user("u1"),
        BudgetScope.organization("acme")))).containsExactly(org.ref(), key.ref(), keyMonthly.ref(), team.ref());
    assertThat(store.budgetsFor(List.of(BudgetScope.key("k2"), BudgetScope.team("k1")))).isEmpty();
    // One scope with budgets among several, then two: sorted by id either way (the order budgets are locked in).
    assertThat(store.budgetsFor(List.of(BudgetScope.key("k2"), BudgetScope.key("k1"), BudgetScope.user("u1"))))
        .containsExactly(key.ref(), keyMonthly.ref());
    assertThat(store.budgetsFor(List.of(BudgetScope.organization("acme"), BudgetScope.key("k1"))))
        .containsExactly(org.ref(), key.ref(), keyMonthly.ref());
    assertThat(store.budgetsFor(List.of(BudgetScope.team("t1"), BudgetScope.organization("acme"))))
        .containsExactly(org.ref(), team.ref());
    for (List<BudgetScope> scopes : List.of(List.of(BudgetScope.key("k1")), List.of(BudgetScope.key("k1"),
        BudgetScope.team("t1")))) {
      assertThatThrownBy(() -> store.budgetsFor(scopes).clear()).isInstanceOf(UnsupportedOperationException.class);
    }
    assertThat(store.status(org.ref()).orElseThrow().resetsAt()).isEmpty();
  }

  @Test
  void unknownAndRemovedBudgetsLimitNothing() {
    Reservation r = reserve(400, key, team);
    assertThat(store.remove(team.id())).isTrue();
    assertThat(store.remove(team.id())).isFalse();

    assertThat(store.reserve(List.of(team.ref(), new BudgetRef("nope")), 10_000, TTL))
        .isInstanceOf(Reservation.class);
    assertThat(store.settle(r.id(), 400)).isInstanceOf(SettleResult.Settled.class);
    assertThat(status(key).spentMicros()).isEqualTo(400);
    assertThat(store.status(team.ref())).isEmpty();
    assertThat(store.budgetsFor(List.of(BudgetScope.team("t1")))).isEmpty();
  }

  @Test
  void redefiningABudgetKeepsItsSpendAndHolds() {
    Reservation r = reserve(300, key);
    settle(key, 200);

    store.define(new Budget(key.id(), key.scope(), 400, BudgetPeriod.DAILY));

    assertThat(status(key)).extracting(BudgetStatus::spentMicros, BudgetStatus::reservedMicros,
        BudgetStatus::remainingMicros).containsExactly(200L, 300L, 0L);
    assertThat(store.reserve(List.of(key.ref()), 1, TTL)).isInstanceOf(Refused.class);
    store.release(r.id());
    assertThat(status(key).remainingMicros()).isEqualTo(200);
  }
}
