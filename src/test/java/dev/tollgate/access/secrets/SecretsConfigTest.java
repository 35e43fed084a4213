package dev.tollgate.access.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.config.ConfigException;
import dev.tollgate.config.Secret;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SecretsConfigTest {
  private static final String K1 = Keys.b64(1);

  @Test
  void aKeyFromTheEnvironmentEnablesStoredSecrets() {
    SecretsConfig config = SecretsConfig.fromEnvironment(Map.of(EncryptionKeys.ENV, "k1:" + K1));
    assertThat(config.enabled()).isTrue();
    assertThat(config.keys().orElseThrow().currentId()).isEqualTo("k1");
    assertThat(config.reencryptBatchSize()).isEqualTo(SecretsConfig.DEFAULT_BATCH_SIZE);
    assertThat(config.toString()).doesNotContain(K1);
  }

  @Test
  void noKeyOrABlankOneDisablesThem() {
    assertThat(SecretsConfig.fromEnvironment(Map.of()).enabled()).isFalse();
    assertThat(SecretsConfig.fromEnvironment(Map.of(EncryptionKeys.ENV, "  ")).enabled()).isFalse();
    assertThat(SecretsConfig.DISABLED.keys()).isEmpty();
  }

  @Test
  void everyProblemIsReportedWithItsPathAndWithoutTheKey() {
    String shortKey = K1.substring(0, 24);
    assertThatThrownBy(() -> new SecretsConfig(Optional.of(new Secret("k1:" + shortKey)), 0))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
            "secrets.encryption_key: the key decodes to 18 bytes (expected: 32, a 256-bit key, e.g. from"
                + " `openssl rand -base64 32`)",
            "secrets.reencrypt_batch_size: 0 (expected: 1 to 10000)"))
        .hasMessageNotContaining(shortKey);
    assertThatThrownBy(() -> new SecretsConfig(Optional.empty(), 10_001)).isInstanceOf(ConfigException.class);
    assertThat(new SecretsConfig(Optional.empty(), 10_000).reencryptBatchSize()).isEqualTo(10_000);
  }
}
