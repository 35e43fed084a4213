package dev.tollgate.metering;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.access.Caller;
import dev.tollgate.metering.budget.Budget;
import dev.tollgate.metering.budget.BudgetListener;
import dev.tollgate.metering.budget.BudgetPeriod;
import dev.tollgate.metering.budget.BudgetScope;
import dev.tollgate.metering.budget.BudgetService;
import dev.tollgate.metering.budget.LocalBudgetStore;
import dev.tollgate.metering.ledger.CallIntent;
import dev.tollgate.metering.ledger.Ledger;
import dev.tollgate.metering.ledger.LedgerConfig;
import dev.tollgate.metering.limits.LimitSpec;
import dev.tollgate.metering.limits.LimitsConfig;
import dev.tollgate.metering.limits.RateLimitStatus;
import dev.tollgate.metering.limits.RateLimiter;
import dev.tollgate.metering.limits.Scope;
import dev.tollgate.metering.limits.ScopeKind;
import dev.tollgate.metering.wal.WalConfig;
import dev.tollgate.observe.GatewayMetrics;
import dev.tollgate.routing.Deployment;
import dev.tollgate.routing.Model;
import dev.tollgate.store.Database;
import dev.tollgate.store.IdGenerator;
import dev.tollgate.store.JdbiBudgetPersistence;
import dev.tollgate.store.JdbiUsageStore;
import dev.tollgate.testing.ManualClock;
import dev.tollgate.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Admission's answers about organisations' budgets, whose organisation must be looked up. */
class MeterTest {
  private static final Caller CALLER = new Caller("k1", "key", "t1", Optional.empty(), Set.of(), false);
  private static final Model MODEL = new Model("m", List.of(new Deployment("m::d", "p", "gpt-4o", 1)));

  @TempDir
  Path dir;
  private final ManualClock clock = new ManualClock();
  private Database db;
  private LocalBudgetStore budgets;
  private Ledger ledger;
  private JsonNode body;

  @BeforeEach
  void setUp() throws Exception {
    db = TestDatabases.open(TestDatabases.Kind.SQLITE, dir);
    budgets = new LocalBudgetStore(new JdbiBudgetPersistence(db.jdbi()), BudgetListener.NONE, clock,
        new IdGenerator(clock, () -> new Random(1)), Duration.ofHours(1), Duration.ofMinutes(10));
    budgets.start();
    ledger = Ledger.open(LedgerConfig.defaults(WalConfig.defaults(dir.resolve("wal"))), new JdbiUsageStore(db.jdbi()),
        clock);
    body = new ObjectMapper().readTree(
        "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
  }

  @AfterEach
  void tearDown() {
    ledger.close();
    budgets.close();
    db.close();
  }

  private Meter meter(Function<String, CompletableFuture<Optional<String>>> organizationOf) {
    return meter(new RateLimiter(LimitsConfig.NONE, clock), organizationOf);
  }

  private Meter meter(RateLimiter limiter, Function<String, CompletableFuture<Optional<String>>> organizationOf) {
    return new Meter(ledger, limiter,
        new BudgetService(budgets, Duration.ofMinutes(10)),
        new Settlement(() -> PriceTable.of(List.of()), new TokenCounter(), new GatewayMetrics(), clock),
        new WorstCase(new TokenCounter()), () -> Pricing.of(List.of()), organizationOf);
  }

  private Meter.Verdict admit(Meter meter) {
    return meter.admit(CALLER, MODEL, body, false).toCompletableFuture().join();
  }

  @Test
  void anOrganisationsBudgetIsReservedAgainstOnceItsOrganisationIsKnown() {
    budgets.define(new Budget("org", BudgetScope.organization("o1"), 10, BudgetPeriod.DAILY));
    // gpt-4o's list price: the worst case of this call (10 output tokens alone: 100) is more than 10 micro-dollars.
    Meter.Verdict verdict = admit(meter(team -> CompletableFuture.completedFuture(Optional.of("o1"))));
    assertThat(verdict).isInstanceOfSatisfying(Meter.Verdict.OverBudget.class,
        over -> assertThat(over.refused().budget().id()).isEqualTo("org"));
    // Another organisation's team is not limited by it.
    assertThat(admit(meter(team -> CompletableFuture.completedFuture(Optional.of("o2")))))
        .isInstanceOf(Meter.Verdict.Admitted.class);
  }

  @Test
  void whenTheOrganisationCannotBeLookedUpTheCallIsNotTakenRatherThanLetPastItsBudget() {
    budgets.define(new Budget("org", BudgetScope.organization("o1"), 1_000_000_000, BudgetPeriod.DAILY));
    Meter.Verdict verdict = admit(meter(team -> CompletableFuture.failedFuture(new IllegalStateException("db down"))));
    assertThat(verdict).isInstanceOf(Meter.Verdict.BudgetsUnknown.class);
  }

  @Test
  void withoutBudgetsOfOrganisationsNothingIsLookedUp() {
    Meter.Verdict verdict = admit(meter(team -> {
      throw new AssertionError("looked up " + team);
    }));
    assertThat(verdict).isInstanceOf(Meter.Verdict.Admitted.class);
  }

  @Test
  void limitsConfiguredWhileRunningApplyToTheNextCallAndNoneMeansNothingIsTaken() {
    RateLimiter limiter = new RateLimiter(LimitsConfig.NONE, clock);
    Meter meter = meter(limiter, team -> CompletableFuture.completedFuture(Optional.empty()));
    for (int i = 0; i < 3; i++) {
      assertThat(admit(meter)).isInstanceOfSatisfying(Meter.Verdict.Admitted.class,
          admitted -> assertThat(admitted.tab().rateLimits()).isEqualTo(RateLimitStatus.UNLIMITED));
    }
    assertThat(limiter.trackedScopes()).isZero();

    limiter.update(LimitsConfig.ofDefaults(Map.of(ScopeKind.KEY,
        new LimitSpec(OptionalLong.of(1), OptionalLong.empty(), OptionalInt.empty()))));
    assertThat(admit(meter)).isInstanceOf(Meter.Verdict.Admitted.class);
    assertThat(admit(meter)).isInstanceOfSatisfying(Meter.Verdict.RateLimited.class,
        limited -> assertThat(limited.limited().scope()).isEqualTo(Scope.key("k1")));

    limiter.update(LimitsConfig.NONE);
    assertThat(admit(meter)).isInstanceOf(Meter.Verdict.Admitted.class);
  }

  @Test
  void aPermitIsSettledWithWhatTheCallUsedWhetherTheRequestEndsBeforeOrAfterItsAttempt() {
    RateLimiter limiter = new RateLimiter(LimitsConfig.ofDefaults(Map.of(ScopeKind.KEY,
        new LimitSpec(OptionalLong.empty(), OptionalLong.of(100_000), OptionalInt.empty()))), clock);
    Meter meter = meter(limiter, team -> CompletableFuture.completedFuture(Optional.empty()));
    long estimate = 0;
    for (boolean endFirst : new boolean[] {true, false}) {
      Tab tab = ((Meter.Verdict.Admitted) admit(meter)).tab();
      long remaining = tab.rateLimits().tokens().orElseThrow().remaining();
      if (endFirst) {
        estimate = 100_000 - remaining; // the first call: nothing used before it
      } else {
        assertThat(remaining).isEqualTo(100_000 - 500 - estimate);
      }
      Tab.Ticket ticket = ((Tab.Next.Granted) tab.ticket("e-" + endFirst, "m", MODEL.deployments().getFirst()))
          .ticket();
      tab.begin(ticket, new CallIntent(ticket.eventId(), "r", "k1", "t1", null, "chat", "m", "m::d", "p", "gpt-4o",
          false, 10, 0, clock.millis(), 1, "first")).join();
      if (endFirst) {
        tab.requestEnded();
      }
      tab.settle(ticket, new CompletedCall("r", "k1", "t1", null, "chat", "m", "m::d", "p", "gpt-4o", "ok", 200,
          Optional.of(new TokenUsage(300, 200, 0, 0, false)), "", body, true, 5, 5, false, null, 1, "first"));
      if (!endFirst) {
        tab.requestEnded();
      }
    }
    // Each call's reservation was replaced by the 500 tokens it used; the next admission reserves its estimate.
    Tab next = ((Meter.Verdict.Admitted) admit(meter)).tab();
    assertThat(estimate).isPositive().isNotEqualTo(500);
    assertThat(next.rateLimits().tokens().orElseThrow().remaining()).isEqualTo(100_000 - 2 * 500 - estimate);
  }
}
