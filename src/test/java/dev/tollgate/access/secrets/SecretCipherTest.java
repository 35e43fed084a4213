package dev.tollgate.access.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.access.secrets.SecretCipherException.Reason;
import dev.tollgate.config.Secret;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SecretCipherTest {
  private static final String CONTEXT = "provider:openai:api_key";
  private static final Secret VALUE = new Secret("sk-proj-4n0tHeR-r3aL-l00k1ng-k3y");

  private final SecretCipher k1 = cipher("k1:" + Keys.b64(1));

  private static SecretCipher cipher(String spec) {
    return new SecretCipher(EncryptionKeys.parse(spec), new SecureRandom());
  }

  @ParameterizedTest
  @ValueSource(strings = {"sk-abc", "", "x", "grüße ✓ 鍵 \uD83D\uDD11", "{\n  \"type\": \"service_account\"\n}"})
  void valuesRoundTrip(String value) {
    String stored = k1.encrypt(new Secret(value), CONTEXT);
    assertThat(k1.decrypt(stored, CONTEXT).value()).isEqualTo(value);
  }

  @Test
  void aLongValueRoundTrips() {
    String value = "k".repeat(ProviderSecretsApi.MAX_VALUE_CHARS);
    assertThat(k1.decrypt(k1.encrypt(new Secret(value), CONTEXT), CONTEXT).value()).isEqualTo(value);
  }

  @Test
  void theStoredFormNamesVersionAndKeyAndHoldsNonceCiphertextAndTag() {
    String stored = k1.encrypt(VALUE, CONTEXT);
    assertThat(stored).startsWith("v1:k1:").doesNotContain(VALUE.value());
    byte[] sealed = Base64.getDecoder().decode(stored.substring("v1:k1:".length()));
    assertThat(sealed).hasSize(12 + VALUE.value().length() + 16);
    assertThat(SecretCipher.keyIdOf(stored)).contains("k1");
    assertThat(k1.currentKeyId()).isEqualTo("k1");
  }

  @Test
  void equalValuesEncryptDifferentlyEveryTime() {
    Set<String> ciphertexts = new HashSet<>();
    Set<String> nonces = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String stored = k1.encrypt(VALUE, CONTEXT);
      ciphertexts.add(stored);
      nonces.add(stored.substring(6, 6 + 16)); // the first 12 bytes are the first 16 base64 characters
    }
    assertThat(ciphertexts).hasSize(1000);
    assertThat(nonces).hasSize(1000);
  }

  @Test
  void everyAlteredByteFailsClosed() {
    String stored = k1.encrypt(VALUE, CONTEXT);
    byte[] sealed = Base64.getDecoder().decode(stored.substring(6));
    int checked = 0;
    // Every byte of nonce, ciphertext and tag is covered by the tag.
    for (int i = 0; i < sealed.length; i++) {
      byte[] altered = sealed.clone();
      altered[i] ^= 0x01;
      String tampered = "v1:k1:" + Base64.getEncoder().encodeToString(altered);
      assertThatThrownBy(() -> k1.decrypt(tampered, CONTEXT))
          .isInstanceOfSatisfying(SecretCipherException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_AUTHENTIC));
      checked++;
    }
    assertThat(checked).isEqualTo(sealed.length);
  }

  @Test
  void aCiphertextDoesNotDecryptForAnotherRowOrField() {
    String stored = k1.encrypt(VALUE, CONTEXT);
    for (String other : new String[] {"provider:azure:api_key", "provider:openai:aws_secret_access_key", "", CONTEXT + " "}) {
      assertThatThrownBy(() -> k1.decrypt(stored, other))
          .isInstanceOf(SecretCipherException.class)
          .hasMessageContaining("does not authenticate under key 'k1'")
          .hasMessageContaining(other)
          .hasMessageNotContaining(VALUE.value());
    }
  }

  @Test
  void aDifferentKeyUnderTheSameIdFailsClosed() {
    String stored = k1.encrypt(VALUE, CONTEXT);
    SecretCipher impostor = cipher("k1:" + Keys.b64(99));
    assertThatThrownBy(() -> impostor.decrypt(stored, CONTEXT))
        .isInstanceOfSatisfying(SecretCipherException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_AUTHENTIC));
  }

  @Test
  void aKeyNoLongerListedIsAClearError() {
    String stored = k1.encrypt(VALUE, CONTEXT);
    SecretCipher k2only = cipher("k2:" + Keys.b64(2));
    assertThatThrownBy(() -> k2only.decrypt(stored, CONTEXT))
        .isInstanceOfSatisfying(SecretCipherException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_KEY))
        .hasMessage("the stored secret for provider:openai:api_key is encrypted under key 'k1', which "
            + "TOLLGATE_ENCRYPTION_KEY does not list (it lists [k2])");
  }

  @Test
  void aRetiredKeyStillDecryptsWhileListedAndNewValuesUseTheCurrentOne() {
    String underK1 = k1.encrypt(VALUE, CONTEXT);
    SecretCipher rotated = cipher("k2:" + Keys.b64(2) + ",k1:" + Keys.b64(1));
    assertThat(rotated.decrypt(underK1, CONTEXT)).isEqualTo(VALUE);
    String underK2 = rotated.encrypt(VALUE, CONTEXT);
    assertThat(underK2).startsWith("v1:k2:");
    assertThatThrownBy(() -> k1.decrypt(underK2, CONTEXT)).isInstanceOf(SecretCipherException.class);
  }

  static Stream<Arguments> malformed() {
    String good = new SecretCipher(EncryptionKeys.parse("k1:" + Keys.b64(1)), new SecureRandom())
        .encrypt(VALUE, CONTEXT);
    String body = good.substring(6);
    return Stream.of(
        Arguments.of(""),
        Arguments.of("v1:k1"),
        Arguments.of("v2:k1:" + body),
        Arguments.of("v1::" + body),
        Arguments.of("v1:k 1:" + body),
        Arguments.of("v1:k1:" + body + ":extra"),
        Arguments.of("v1:k1:" + body.substring(0, 10) + "%" + body.substring(11)),
        Arguments.of("v1:k1:" + Base64.getEncoder().encodeToString(new byte[27])),
        Arguments.of(VALUE.value()));
  }

  @ParameterizedTest
  @MethodSource("malformed")
  void malformedCiphertextsAreRefused(String stored) {
    assertThatThrownBy(() -> k1.decrypt(stored, CONTEXT))
        .isInstanceOfSatisfying(SecretCipherException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
        .hasMessage("the stored secret for provider:openai:api_key is not a v1 ciphertext");
    assertThat(SecretCipher.keyIdOf(stored)).isEmpty();
  }

  @Test
  void theSmallestWellFormedCiphertextIsAnEmptyValue() {
    String stored = k1.encrypt(new Secret(""), CONTEXT);
    assertThat(Base64.getDecoder().decode(stored.substring(6))).hasSize(28);
    assertThat(k1.decrypt(stored, CONTEXT).value()).isEmpty();
  }
}
