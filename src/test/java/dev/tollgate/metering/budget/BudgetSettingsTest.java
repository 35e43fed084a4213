package dev.tollgate.metering.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.config.ConfigException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BudgetSettingsTest {
  private static final BudgetSettings.Limit GOOD =
      new BudgetSettings.Limit("research", "team", "t-research", "250.50", "monthly", null);

  private static BudgetSettings.Limit with(String id, String scope, String scopeId, String amount, String period,
      Integer... thresholds) {
    return new BudgetSettings.Limit(id, scope, scopeId, amount, period,
        thresholds.length == 0 ? null : Arrays.asList(thresholds));
  }

  @Test
  void turnsLimitsIntoBudgets() {
    BudgetSettings settings = new BudgetSettings(Duration.ofMinutes(5), Duration.ofMillis(500), List.of(GOOD,
        with("ci-key", "KEY", "k1", "0.000001", "lifetime", 80, 100)));

    assertThat(settings.budgets()).containsExactly(
        new Budget("research", BudgetScope.team("t-research"), 250_500_000, BudgetPeriod.MONTHLY),
        new Budget("ci-key", BudgetScope.key("k1"), 1, BudgetPeriod.LIFETIME, List.of(80, 100)));
    assertThat(BudgetSettings.DEFAULTS.budgets()).isEmpty();
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of(with(null, "team", "t", "1", "daily"), "budgets.limits[1].id: missing"),
        Arguments.of(with("research", "team", "t", "1", "daily"),
            "budgets.limits[1].id: 'research' (expected: unique, already used)"),
        Arguments.of(with("b", "group", "t", "1", "daily"),
            "budgets.limits[1].scope: 'group' (expected: organization, team, user or key)"),
        Arguments.of(with("b", "team", " ", "1", "daily"), "budgets.limits[1].scope_id: missing"),
        Arguments.of(with("b", "team", "t", "-1", "daily"), "budgets.limits[1].amount_usd: '-1'"),
        Arguments.of(with("b", "team", "t", "0.0000001", "daily"), "budgets.limits[1].amount_usd: '0.0000001'"),
        Arguments.of(with("b", "team", "t", "ten", "daily"), "budgets.limits[1].amount_usd: 'ten'"),
        Arguments.of(with("b", "team", "t", "1000000001", "daily"), "budgets.limits[1].amount_usd: '1000000001'"),
        Arguments.of(with("b", "team", "t", "1", "hourly"),
            "budgets.limits[1].period: 'hourly' (expected: daily, weekly, monthly or lifetime)"),
        Arguments.of(with("b", "team", "t", "1", "daily", 80, 50),
            "budgets.limits[1].thresholds: [80, 50] (expected: ascending, each once)"),
        Arguments.of(with("b", "team", "t", "1", "daily", 0),
            "budgets.limits[1].thresholds: [0] (expected: percentages from 1 to 100)"),
        Arguments.of(with("b", "team", "t", "1", "daily", 50, 120),
            "budgets.limits[1].thresholds: [50, 120] (expected: percentages from 1 to 100)"));
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void namesTheYamlPathOfEachProblem(BudgetSettings.Limit bad, String problem) {
    assertThatThrownBy(() -> new BudgetSettings(Duration.ofMinutes(5), Duration.ofSeconds(1), List.of(GOOD, bad)))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement()
            .asString().startsWith(problem));
  }

  @Test
  void reportsEveryProblemAtOnce() {
    assertThatThrownBy(() -> new BudgetSettings(Duration.ZERO, Duration.ofMinutes(2),
        List.of(with("", "x", "", "", "y"))))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
            "budgets.reservation_ttl: PT0S (expected: > 0)",
            "budgets.flush_interval: PT2M (expected: > 0 and <= 1m)",
            "budgets.limits[0].id: missing",
            "budgets.limits[0].scope: 'x' (expected: organization, team, user or key)",
            "budgets.limits[0].scope_id: missing",
            "budgets.limits[0].amount_usd: '' (expected: a decimal from 0 to 1000000000, at most 6 decimals)",
            "budgets.limits[0].period: 'y' (expected: daily, weekly, monthly or lifetime)"));
  }
}
