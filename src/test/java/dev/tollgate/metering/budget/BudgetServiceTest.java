package dev.tollgate.metering.budget;

import dev.tollgate.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.tollgate.metering.Price;
import dev.tollgate.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The request path's view: admit by the caller's entities, settle or release the reservation. */
class BudgetServiceTest {
  @TempDir
  Path dir;
  private BudgetFixture fixture;
  private LocalBudgetStore store;
  private BudgetService service;

  private final List<BudgetScope> caller = List.of(BudgetScope.key("k1"), BudgetScope.user("u1"),
      BudgetScope.team("t1"), BudgetScope.organization("acme"));
  private final Budget user = new Budget("u1-weekly", BudgetScope.user("u1"), 1_000, BudgetPeriod.WEEKLY);
  private final Budget team = new Budget("t1-monthly", BudgetScope.team("t1"), 5_000, BudgetPeriod.MONTHLY);

  @BeforeEach
  void open() {
    fixture = new BudgetFixture(TestDatabases.Kind.SQLITE, dir, new ManualClock(Instant.parse("2026-01-01T00:00:00Z")));
    store = fixture.store();
    service = new BudgetService(store, BudgetFixture.TTL);
  }

  @AfterEach
  void close() {
    fixture.close();
  }

  @Test
  void aCallNoBudgetLimitsIsAdmittedWithNothingToSettle() {
    ReserveResult r = service.admit(caller, 1_000_000);

    assertThat(r).isInstanceOfSatisfying(Reservation.class, res -> {
      assertThat(res.unlimited()).isTrue();
      assertThat(service.settle(res, 5)).isEqualTo(new SettleResult.Settled(BudgetService.UNLIMITED, 5, 0, false));
    });
    assertThat(store.liveReservations()).isZero();
  }

  @Test
  void admitsAgainstEveryBudgetOfTheCallersEntities() {
    store.define(user);
    store.define(team);

    Reservation r = (Reservation) service.admit(caller, 800);
    assertThat(r.budgets()).containsExactly(team.ref(), user.ref());
    assertThat(service.admit(caller, 201)).isInstanceOfSatisfying(Refused.class,
        refused -> assertThat(refused.budget()).isEqualTo(user));
    assertThat(service.admit(List.of(BudgetScope.team("t1")), 201)).isInstanceOf(Reservation.class);

    service.settle(r, 500);
    assertThat(service.statusOf(caller)).extracting(s -> s.budget().id(), BudgetStatus::spentMicros,
        BudgetStatus::reservedMicros).containsExactly(
            tuple("t1-monthly", 500L, 201L),
            tuple("u1-weekly", 500L, 0L));
  }

  @Test
  void releasingGivesTheRoomBack() {
    store.define(user);
    Reservation r = (Reservation) service.admit(caller, 1_000);
    assertThat(service.admit(caller, 1)).isInstanceOf(Refused.class);

    service.release(r);

    assertThat(service.admit(caller, 1_000)).isInstanceOf(Reservation.class);
  }

  @Test
  void theWorstCaseIsEveryPromptTokenUncachedPlusEveryOutputTokenAllowed() {
    Price price = Price.usdPerMtok("2.50", "10.00", "1.25");

    // 1,000 prompt tokens at $2.50/M + 500 output tokens at $10/M = $0.0025 + $0.005
    assertThat(dev.tollgate.metering.WorstCase.micros(price, 1_000, 500)).isEqualTo(7_500);
    assertThat(dev.tollgate.metering.WorstCase.micros(price, 0, 0)).isZero();
  }
}
