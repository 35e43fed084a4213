package dev.tollgate.access.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PasswordHasherTest {
  /** Cheap parameters: the tests check behaviour, not cost. */
  static final Argon2Parameters CHEAP = new Argon2Parameters(1024, 1, 1);

  private final PasswordHasher hasher = new PasswordHasher(CHEAP, new SecureRandom());

  @Test
  void hashesToAPhcStringCarryingTheParameters() {
    String phc = hasher.hash("correct horse battery");
    assertThat(phc).matches("\\$argon2id\\$v=19\\$m=1024,t=1,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
    assertThat(phc).doesNotContain("correct horse battery");
  }

  @Test
  void verifiesTheRightPasswordOnly() {
    String phc = hasher.hash("correct horse battery");
    assertThat(hasher.verify("correct horse battery", phc)).isTrue();
    assertThat(hasher.verify("correct horse batterY", phc)).isFalse();
    assertThat(hasher.verify("", phc)).isFalse();
    assertThat(hasher.verify(null, phc)).isFalse();
  }

  @Test
  void theSamePasswordHashesDifferentlyEachTime() {
    assertThat(hasher.hash("correct horse battery")).isNotEqualTo(hasher.hash("correct horse battery"));
  }

  @Test
  void composedAndDecomposedAccentsAreTheSamePassword() {
    String phc = hasher.hash("caf\u00e9 au lait please");
    assertThat(hasher.verify("cafe\u0301 au lait please", phc)).isTrue();
  }

  @Test
  void hashesMadeWithOtherParametersStillVerifyAndAskForARehash() {
    String old = new PasswordHasher(new Argon2Parameters(512, 1, 1), new SecureRandom()).hash("correct horse battery");
    assertThat(hasher.verify("correct horse battery", old)).as("parameters are read from the hash").isTrue();
    assertThat(hasher.needsRehash(old)).isTrue();
    assertThat(hasher.needsRehash(hasher.hash("correct horse battery"))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"1024,2,1", "2048,1,1", "1024,1,2"})
  void anyChangedParameterAsksForARehash(String params) {
    String[] p = params.split(",");
    PasswordHasher other = new PasswordHasher(
        new Argon2Parameters(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])), new SecureRandom());
    String phc = other.hash("correct horse battery");
    assertThat(hasher.needsRehash(phc)).isTrue();
    assertThat(other.needsRehash(phc)).isFalse();
    assertThat(hasher.verify("correct horse battery", phc)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "plain", "$2a$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
      "$argon2i$v=19$m=1024,t=1,p=1$c29tZXNhbHQ$aGFzaA", "$argon2id$v=19$m=x,t=1,p=1$c29tZXNhbHQ$aGFzaA",
      "$argon2id$garbage"})
  void malformedOrForeignHashesNeverVerifyAndAskForARehash(String phc) {
    assertThat(hasher.verify("correct horse battery", phc)).isFalse();
    assertThat(hasher.needsRehash(phc)).isTrue();
  }

  @Test
  void overLongPasswordsAreNeitherHashedNorVerified() {
    String tooLong = "x".repeat(PasswordHasher.MAX_BYTES + 1);
    assertThatThrownBy(() -> hasher.hash(tooLong)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("xxx");
    String phc = hasher.hash("x".repeat(PasswordHasher.MAX_BYTES));
    long before = hasher.computations();
    assertThat(hasher.verify(tooLong, phc)).isFalse();
    assertThat(hasher.computations()).as("no Argon2 spent on it").isEqualTo(before);
  }

  @Test
  void verifyingNothingCostsOneComputationLikeARealVerification() {
    String phc = hasher.hash("correct horse battery");
    long start = hasher.computations();
    assertThat(hasher.verify("wrong password here", phc)).isFalse();
    long real = hasher.computations() - start;
    assertThat(hasher.verifyNothing("wrong password here")).isFalse();
    assertThat(hasher.verifyNothing(null)).isFalse();
    assertThat(hasher.computations() - start - real).isEqualTo(2 * real).isEqualTo(2);
  }

  @Test
  void theConstructorsOwnDummyHashIsNotCounted() {
    // The constructor's own dummy hash is excluded from the count.
    assertThat(new PasswordHasher(CHEAP, new SecureRandom()).computations()).isZero();
    assertThat(hasher.parameters()).isEqualTo(CHEAP);
  }
}
