package dev.tollgate.access.secrets;

import dev.tollgate.config.ConfigException;
import dev.tollgate.config.Secret;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code secrets:} section: the encryption keys of stored provider credentials and the batch size
 * of re-encryption. Validated on construction; problems name their YAML path and never quote the key.
 * Without a key, credentials cannot be managed through the admin API (configured ones still work).
 *
 * <pre>{@code
 * secrets:
 *   encryption_key: "${TOLLGATE_ENCRYPTION_KEY}"   # k2:BASE64,k1:BASE64 (first encrypts) or one BASE64 key
 *   reencrypt_batch_size: 100
 * }</pre>
 *
 * @param encryptionKey the raw key list; empty when not configured
 */
public record SecretsConfig(Optional<Secret> encryptionKey, int reencryptBatchSize) {
  public static final int DEFAULT_BATCH_SIZE = 100;
  private static final int MAX_BATCH_SIZE = 10_000;

  /**
   * @throws ConfigException listing every problem, prefixed with {@code secrets.<key>}
   */
  public SecretsConfig {
    List<String> problems = new ArrayList<>();
    encryptionKey = encryptionKey.filter(k -> !k.value().isBlank());
    encryptionKey.ifPresent(k -> {
      try {
        EncryptionKeys.parse(k.value());
      } catch (IllegalArgumentException e) {
        problems.add("secrets.encryption_key: " + e.getMessage());
      }
    });
    if (reencryptBatchSize < 1 || reencryptBatchSize > MAX_BATCH_SIZE) {
      problems.add("secrets.reencrypt_batch_size: " + reencryptBatchSize + " (expected: 1 to " + MAX_BATCH_SIZE + ")");
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
  }

  /** No key: stored credentials are off. */
  public static final SecretsConfig DISABLED = new SecretsConfig(Optional.empty(), DEFAULT_BATCH_SIZE);

  /** The key from {@code TOLLGATE_ENCRYPTION_KEY} in {@code env}, if set, with the default batch size. */
  public static SecretsConfig fromEnvironment(Map<String, String> env) {
    return new SecretsConfig(Optional.ofNullable(env.get(EncryptionKeys.ENV)).map(Secret::new), DEFAULT_BATCH_SIZE);
  }

  public boolean enabled() {
    return encryptionKey.isPresent();
  }

  /** The parsed keys; empty when none is configured. */
  public Optional<EncryptionKeys> keys() {
    return encryptionKey.map(k -> EncryptionKeys.parse(k.value()));
  }
}
