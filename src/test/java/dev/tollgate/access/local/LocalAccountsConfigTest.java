package dev.tollgate.access.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.config.ConfigException;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LocalAccountsConfigTest {
  private static final LocalAccountsConfig D = LocalAccountsConfig.DEFAULTS;

  @Test
  void defaultsAreOwaspAndTheIssuesNumbers() {
    assertThat(D.argon2()).isEqualTo(new Argon2Parameters(19_456, 2, 1));
    assertThat(D.minPasswordLength()).isEqualTo(12);
    assertThat(D.maxFailures()).isEqualTo(5);
    assertThat(D.initialLockout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(D.maxLockout()).isEqualTo(Duration.ofMinutes(15));
  }

  static Stream<Arguments> invalid() {
    return Stream.<Arguments>of(
        bad(c -> with(c, new Argon2Parameters(4096, 2, 1), c.minPasswordLength(), c.maxFailures()),
            "auth.local.password.argon2.memory_kib: 4096"),
        bad(c -> with(c, null, c.minPasswordLength(), c.maxFailures()), "auth.local.password.argon2: missing"),
        bad(c -> with(c, c.argon2(), 7, c.maxFailures()), "auth.local.password.min_length: 7"),
        bad(c -> with(c, c.argon2(), 65, c.maxFailures()), "auth.local.password.min_length: 65"),
        bad(c -> with(c, c.argon2(), c.minPasswordLength(), 0), "auth.local.lockout.max_failures: 0"),
        bad(c -> durations(c, Duration.ZERO, c.maxLockout(), c.forgetFailuresAfter()), "auth.local.lockout.initial:"),
        bad(c -> durations(c, null, c.maxLockout(), c.forgetFailuresAfter()), "auth.local.lockout.initial:"),
        bad(c -> durations(c, Duration.ofMinutes(20), Duration.ofMinutes(15), c.forgetFailuresAfter()),
            "auth.local.lockout.max:"),
        bad(c -> durations(c, c.initialLockout(), c.maxLockout(), Duration.ofMinutes(15)),
            "auth.local.lockout.forget_after:"),
        bad(c -> issuer(c, " "), "auth.local.totp.issuer:"),
        bad(c -> issuer(c, "Acme:Prod"), "auth.local.totp.issuer:"),
        bad(c -> issuer(c, null), "auth.local.totp.issuer:"));
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void eachProblemIsNamedByItsYamlPath(UnaryOperator<LocalAccountsConfig> change, String expected) {
    assertThatThrownBy(() -> change.apply(D))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(expected);
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    assertThatThrownBy(() -> new LocalAccountsConfig(new Argon2Parameters(1024, 1, 1), 4, 0, Duration.ZERO,
        Duration.ZERO, Duration.ZERO, ""))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(7));
  }

  @Test
  void argon2ParametersRefuseWhatArgon2Refuses() {
    assertThatThrownBy(() -> new Argon2Parameters(1024, 0, 1)).hasMessageContaining("iterations: 0");
    assertThatThrownBy(() -> new Argon2Parameters(1024, 1, 0)).hasMessageContaining("parallelism: 0");
    assertThatThrownBy(() -> new Argon2Parameters(15, 1, 2)).hasMessageContaining("memory_kib: 15");
  }

  private static Arguments bad(UnaryOperator<LocalAccountsConfig> change, String expected) {
    return Arguments.of(change, expected);
  }

  private static LocalAccountsConfig with(LocalAccountsConfig c, Argon2Parameters argon2, int minLength, int failures) {
    return new LocalAccountsConfig(argon2, minLength, failures, c.initialLockout(), c.maxLockout(),
        c.forgetFailuresAfter(), c.totpIssuer());
  }

  private static LocalAccountsConfig durations(LocalAccountsConfig c, Duration initial, Duration max, Duration forget) {
    return new LocalAccountsConfig(c.argon2(), c.minPasswordLength(), c.maxFailures(), initial, max, forget,
        c.totpIssuer());
  }

  private static LocalAccountsConfig issuer(LocalAccountsConfig c, String issuer) {
    return new LocalAccountsConfig(c.argon2(), c.minPasswordLength(), c.maxFailures(), c.initialLockout(),
        c.maxLockout(), c.forgetFailuresAfter(), issuer);
  }
}
