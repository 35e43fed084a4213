package dev.tollgate.access.local;

import dev.tollgate.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TotpTest {
  /** RFC 6238 Appendix B: the SHA1 seed is the ASCII string "12345678901234567890". */
  private static final byte[] RFC_KEY = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

  /** RFC 6238 Appendix B, SHA1 rows: time in seconds, step (hex in the RFC), 8-digit TOTP. */
  @ParameterizedTest
  @CsvSource({
      "59, 1, 94287082",
      "1111111109, 37037036, 07081804",
      "1111111111, 37037037, 14050471",
      "1234567890, 41152263, 89005924",
      "2000000000, 66666666, 69279037",
      "20000000000, 666666666, 65353130",
  })
  void rfc6238AppendixBVectors(long seconds, long expectedStep, String expected) {
    ManualClock clock = new ManualClock(Instant.ofEpochSecond(seconds));
    Totp totp = new Totp(clock);
    assertThat(totp.currentStep()).isEqualTo(expectedStep);
    assertThat(Totp.format(Totp.hotp(RFC_KEY, expectedStep, 8), 8)).isEqualTo(expected);
    // Six digits are the same truncation modulo 10^6: the RFC's last six.
    assertThat(Totp.code(RFC_KEY, expectedStep)).isEqualTo(expected.substring(2));
    assertThat(totp.match(RFC_KEY, expected.substring(2), Long.MIN_VALUE)).hasValue(expectedStep);
  }

  /** RFC 4226 Appendix D: HOTP values of the same key for counters 0..9. */
  @ParameterizedTest
  @CsvSource({"0,755224", "1,287082", "2,359152", "3,969429", "4,338314", "5,254676", "6,287922", "7,162583",
      "8,399871", "9,520489"})
  void rfc4226AppendixDVectors(long counter, String expected) {
    assertThat(Totp.code(RFC_KEY, counter)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"-2,false", "-1,true", "0,true", "1,true", "2,false"})
  void acceptsOneStepEitherSideAndNoMore(int offset, boolean accepted) {
    ManualClock clock = new ManualClock(Instant.ofEpochSecond(1_700_000_010));
    Totp totp = new Totp(clock);
    long now = totp.currentStep();
    String code = Totp.code(RFC_KEY, now + offset);
    OptionalLong match = totp.match(RFC_KEY, code, Long.MIN_VALUE);
    assertThat(match.isPresent()).isEqualTo(accepted);
    if (accepted) {
      assertThat(match).hasValue(now + offset);
    }
  }

  @Test
  void aCodeIsNotAcceptedAgainOnceItsStepWasUsed() {
    ManualClock clock = new ManualClock(Instant.ofEpochSecond(1_700_000_010));
    Totp totp = new Totp(clock);
    long step = totp.currentStep();
    String code = Totp.code(RFC_KEY, step);

    assertThat(totp.match(RFC_KEY, code, step - 1)).hasValue(step);
    assertThat(totp.match(RFC_KEY, code, step)).as("the same step again").isEmpty();
    assertThat(totp.match(RFC_KEY, Totp.code(RFC_KEY, step - 1), step)).as("an older step").isEmpty();

    clock.advance(Duration.ofSeconds(30));
    assertThat(totp.match(RFC_KEY, code, step)).as("still in the window, but used").isEmpty();
    assertThat(totp.match(RFC_KEY, Totp.code(RFC_KEY, step + 1), step)).hasValue(step + 1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "12345", "1234567", "12345a", "１２３４５６", "-12345"})
  void malformedCodesNeverMatch(String code) {
    Totp totp = new Totp(new ManualClock(Instant.ofEpochSecond(59)));
    assertThat(totp.match(RFC_KEY, code, Long.MIN_VALUE)).isEmpty();
  }

  @Test
  void aWrongCodeOrAnotherKeyDoesNotMatch() {
    Totp totp = new Totp(new ManualClock(Instant.ofEpochSecond(59)));
    assertThat(totp.match(RFC_KEY, "287083", Long.MIN_VALUE)).isEmpty();
    byte[] other = "12345678901234567891".getBytes(StandardCharsets.US_ASCII);
    assertThat(totp.match(other, "287082", Long.MIN_VALUE)).isEmpty();
    assertThat(totp.match(RFC_KEY, null, Long.MIN_VALUE)).isEmpty();
    assertThat(totp.match(RFC_KEY, "287 082", Long.MIN_VALUE)).as("spaces are ignored").hasValue(1);
  }

  @Test
  void newSecretsAre160RandomBitsInBase32() {
    SecureRandom random = new SecureRandom();
    String a = Totp.newSecret(random);
    String b = Totp.newSecret(random);
    assertThat(a).matches("[A-Z2-7]{32}");
    assertThat(Base32.decode(a)).hasSize(20);
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void provisioningUriNamesIssuerAccountAndParameters() {
    String uri = Totp.provisioningUri("Tollgate Prod", "ana@example.com", "JBSWY3DPEHPK3PXP");
    assertThat(uri).isEqualTo("otpauth://totp/Tollgate%20Prod:ana%40example.com?secret=JBSWY3DPEHPK3PXP"
        + "&issuer=Tollgate%20Prod&algorithm=SHA1&digits=6&period=30");
    URI parsed = URI.create(uri);
    assertThat(parsed.getScheme()).isEqualTo("otpauth");
    assertThat(parsed.getHost()).isEqualTo("totp");
    assertThat(parsed.getPath()).isEqualTo("/Tollgate Prod:ana@example.com");
  }

  @Test
  void aColonInTheAccountCannotForgeTheIssuer() {
    String uri = Totp.provisioningUri("Tollgate", "evil:Bank", "JBSWY3DPEHPK3PXP");
    assertThat(uri).startsWith("otpauth://totp/Tollgate:evil%3ABank?");
  }
}
