package dev.tollgate.metering.limits;

import static dev.tollgate.metering.limits.Limits.concurrent;
import static dev.tollgate.metering.limits.Limits.rpm;
import static dev.tollgate.metering.limits.Limits.tpm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.config.ConfigException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Validation names the YAML path of every bad value; specs resolve override over default. */
class LimitsConfigTest {

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of(Map.of(ScopeKind.KEY, rpm(0)), Map.of(), 1,
            "limits.defaults.key.rpm: 0 (expected: 1 to 10000000000; leave it out for no limit)"),
        Arguments.of(Map.of(ScopeKind.TEAM, tpm(-5)), Map.of(), 1,
            "limits.defaults.team.tpm: -5 (expected: 1 to 10000000000; leave it out for no limit)"),
        Arguments.of(Map.of(ScopeKind.USER, concurrent(0)), Map.of(), 1,
            "limits.defaults.user.max_concurrent: 0 (expected: >= 1; leave it out for no limit)"),
        Arguments.of(Map.of(), Map.of("k-1", tpm(LimitSpec.MAX_RATE + 1)), 1,
            "limits.keys.k-1.tpm: 10000000001 (expected: 1 to 10000000000; leave it out for no limit)"),
        Arguments.of(Map.of(), Map.of(" ", rpm(5)), 1,
            "limits.keys: ' ' (expected: a key id, not blank)"),
        Arguments.of(Map.of(), Map.of(), 0, "limits.max_tracked_scopes: 0 (expected: >= 1)"));
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void rejectsWithThePathOfTheBadValue(Map<ScopeKind, LimitSpec> defaults, Map<String, LimitSpec> keys,
      long maxTracked, String problem) {
    assertThatThrownBy(() -> new LimitsConfig(defaults, keys, Map.of(), Map.of(), maxTracked))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(problem));
  }

  @Test
  void listsEveryProblemAtOnceInPathOrder() {
    assertThatThrownBy(() -> new LimitsConfig(Map.of(ScopeKind.TEAM, rpm(0), ScopeKind.KEY, tpm(0)),
        Map.of("b", concurrent(-1), "a", rpm(-1)), Map.of("u", rpm(0)), Map.of("t", tpm(0)), 10))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).extracting(p -> p.split(":")[0])
            .containsExactly("limits.defaults.key.tpm", "limits.defaults.team.rpm", "limits.keys.a.rpm",
                "limits.keys.b.max_concurrent", "limits.users.u.rpm", "limits.teams.t.tpm"));
  }

  @Test
  void limitsNothingOnlyWhenNoDefaultAndNoOverrideLimitsAnything() {
    assertThat(LimitsConfig.NONE.limitsNothing()).isTrue();
    // Overrides that set nothing (an entry left empty in YAML) limit nothing either.
    assertThat(new LimitsConfig(Map.of(ScopeKind.KEY, LimitSpec.NONE), Map.of("k", LimitSpec.NONE), Map.of(),
        Map.of("t", LimitSpec.NONE), 10).limitsNothing()).isTrue();
    assertThat(LimitsConfig.ofDefaults(Map.of(ScopeKind.TEAM, rpm(60))).limitsNothing()).isFalse();
    assertThat(new LimitsConfig(Map.of(), Map.of(), Map.of("u", tpm(100)), Map.of(), 10).limitsNothing()).isFalse();
    assertThat(new LimitsConfig(Map.of(), Map.of("k", concurrent(2)), Map.of(), Map.of(), 10).limitsNothing())
        .isFalse();
  }

  @Test
  void anOverrideInheritsTheFieldsItLeavesOut() {
    LimitsConfig config = new LimitsConfig(
        Map.of(ScopeKind.KEY, rpm(60).withTpm(1000), ScopeKind.TEAM, concurrent(10)),
        Map.of("k-1", rpm(5), "k-2", LimitSpec.NONE), Map.of(), Map.of("t-1", tpm(7)), 10);

    assertThat(config.specFor(Scope.key("k-1"))).isEqualTo(rpm(5).withTpm(1000));
    assertThat(config.specFor(Scope.key("k-2"))).isEqualTo(rpm(60).withTpm(1000));
    assertThat(config.specFor(Scope.key("k-3"))).isEqualTo(rpm(60).withTpm(1000));
    assertThat(config.specFor(Scope.team("t-1"))).isEqualTo(tpm(7).withMaxConcurrent(10));
    assertThat(config.specFor(Scope.user("u-1"))).isEqualTo(LimitSpec.NONE);
    assertThat(LimitsConfig.NONE.specFor(Scope.key("k-1")).isEmpty()).isTrue();
  }

  @Test
  void callerScopesAreKeyUserTeamInThatOrder() {
    assertThat(new CallerScopes("k", java.util.Optional.of("u"), "t").scopes())
        .containsExactly(Scope.key("k"), Scope.user("u"), Scope.team("t"));
    assertThat(CallerScopes.of(dev.tollgate.access.Caller.master()).scopes())
        .containsExactly(Scope.key("master"), Scope.team("default"));
    assertThat(List.of(Scope.key("k-1").toString(), Scope.team("t").toString())).containsExactly("key 'k-1'", "team 't'");
  }
}
