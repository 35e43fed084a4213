package dev.tollgate.access.local;

import static dev.tollgate.access.local.PasswordPolicy.Violation.CONTAINS_EMAIL;
import static dev.tollgate.access.local.PasswordPolicy.Violation.TOO_COMMON;
import static dev.tollgate.access.local.PasswordPolicy.Violation.TOO_LONG;
import static dev.tollgate.access.local.PasswordPolicy.Violation.TOO_SHORT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.access.local.PasswordPolicy.Violation;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PasswordPolicyTest {
  private static final String EMAIL = "ana.lima@example.com";
  private final PasswordPolicy policy = new PasswordPolicy(12);

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("a long enough passphrase", EnumSet.noneOf(Violation.class)),
        Arguments.of("12 chars ok!", EnumSet.noneOf(Violation.class)),
        Arguments.of("11 chars no", EnumSet.of(TOO_SHORT)),
        Arguments.of("", EnumSet.of(TOO_SHORT)),
        Arguments.of(null, EnumSet.of(TOO_SHORT)),
        // Twelve code points, though 24 UTF-16 units would be counted for the emoji.
        Arguments.of("😀".repeat(12), EnumSet.noneOf(Violation.class)),
        Arguments.of("😀".repeat(11), EnumSet.of(TOO_SHORT)),
        Arguments.of("x".repeat(256), EnumSet.noneOf(Violation.class)),
        Arguments.of("x".repeat(257), EnumSet.of(TOO_LONG)),
        // 128 two-byte characters are 256 bytes; 129 are one too many.
        Arguments.of("é".repeat(128), EnumSet.noneOf(Violation.class)),
        Arguments.of("é".repeat(129), EnumSet.of(TOO_LONG)),
        Arguments.of(EMAIL, EnumSet.of(CONTAINS_EMAIL)),
        Arguments.of("ANA.LIMA@EXAMPLE.COM", EnumSet.of(CONTAINS_EMAIL)),
        Arguments.of("my ana.lima@example.com!", EnumSet.of(CONTAINS_EMAIL)),
        Arguments.of("ana.lima2024!!", EnumSet.of(CONTAINS_EMAIL)),
        Arguments.of("password1234", EnumSet.of(TOO_COMMON)),
        Arguments.of("PassWord1234", EnumSet.of(TOO_COMMON)),
        Arguments.of("qwertyuiop123", EnumSet.of(TOO_COMMON)),
        Arguments.of("password", EnumSet.of(TOO_SHORT, TOO_COMMON)));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void checksEveryRule(String password, Set<Violation> expected) {
    assertThat(policy.check(password, EMAIL)).isEqualTo(expected);
  }

  @Test
  void aShortNamePartIsNotTreatedAsTheEmail() {
    assertThat(policy.check("bob likes long walks", "bob@example.com")).isEmpty();
    assertThat(policy.check("bobby likes long walks", "bobby@example.com")).containsExactly(CONTAINS_EMAIL);
  }

  @Test
  void anAccountWithoutEmailSkipsTheEmailRule() {
    assertThat(policy.check("ana.lima@example.com", null)).isEmpty();
    assertThat(policy.check("a long enough passphrase", " ")).isEmpty();
  }

  @Test
  void lengthIsCountedAfterNormalisation() {
    // "e" + combining acute is one character after NFKC.
    String decomposed = "e\u0301".repeat(12);
    assertThat(policy.check(decomposed, EMAIL)).isEmpty();
    assertThat(new PasswordPolicy(13).check(decomposed, EMAIL)).containsExactly(TOO_SHORT);
  }

  @Test
  void theDescriptionNamesTheRulesAndNeverThePassword() {
    String password = "ana.lima@example.com";
    Set<Violation> violations = policy.check(password, EMAIL);
    WeakPasswordException e = new WeakPasswordException(violations, policy.describe(violations));
    assertThat(e.getMessage()).contains("email").doesNotContain(password);
    assertThat(policy.describe(EnumSet.of(TOO_SHORT))).contains("12 characters");
    assertThat(e.violations()).containsExactly(CONTAINS_EMAIL);
  }
}
