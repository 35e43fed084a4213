package dev.tollgate.access.secrets;

import dev.tollgate.config.Secret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provider credentials kept in the database, encrypted: set, delete, list (metadata only), resolve
 * for the composition root, and re-encryption under the current key after a rotation. Values go in
 * and out only as {@link Secret}, whose {@code toString} is redacted; nothing here logs or returns a
 * value except {@link #resolve}. Blocks on the database: call from a virtual thread. Thread-safe.
 */
public final class ProviderSecrets {
  /** Provider names a secret may be stored for: what appears in URLs and in the ciphertext's context. */
  public static final Pattern PROVIDER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Logger log = LoggerFactory.getLogger(ProviderSecrets.class);
  private static final int FINGERPRINT_HEX = 8;

  private final ProviderSecretStore store;
  private final SecretCipher cipher;
  private final Clock clock;

  public ProviderSecrets(ProviderSecretStore store, SecretCipher cipher, Clock clock) {
    this.store = store;
    this.cipher = cipher;
    this.clock = clock;
  }

  /** What a change did, for the audit log: the metadata before and after, never a value. */
  public record Change(Optional<SecretInfo> before, Optional<SecretInfo> after) {
    /** True when a set created the row (there was none before). */
    public boolean created() {
      return before.isEmpty() && after.isPresent();
    }
  }

  /** Stores {@code value} for the provider's field, encrypted under the current key, replacing any previous one. */
  public Change set(String provider, SecretField field, Secret value, String actor) {
    checkProvider(provider);
    Optional<SecretInfo> before = store.find(provider, field).map(StoredSecret::info);
    Instant now = clock.instant();
    SecretInfo info = new SecretInfo(provider, field, cipher.currentKeyId(), fingerprint(value),
        before.map(SecretInfo::createdAt).orElse(now), now, actor);
    store.upsert(new StoredSecret(info, cipher.encrypt(value, StoredSecret.context(provider, field))));
    // Read back: created_at is the database's (a concurrent first set may have won the insert).
    Optional<SecretInfo> after = store.find(provider, field).map(StoredSecret::info);
    log.atInfo().setMessage("provider secret set")
        .addKeyValue("provider", provider)
        .addKeyValue("field", field.wireName())
        .addKeyValue("key_id", info.keyId())
        .addKeyValue("fingerprint", info.fingerprint())
        .addKeyValue("actor", actor)
        .log();
    return new Change(before, after);
  }

  /** Deletes the provider's field; {@link Change#before} is empty when there was nothing to delete. */
  public Change delete(String provider, SecretField field, String actor) {
    checkProvider(provider);
    Optional<SecretInfo> before = store.find(provider, field).map(StoredSecret::info);
    if (before.isEmpty() || !store.delete(provider, field)) {
      return new Change(Optional.empty(), Optional.empty());
    }
    log.atInfo().setMessage("provider secret deleted")
        .addKeyValue("provider", provider)
        .addKeyValue("field", field.wireName())
        .addKeyValue("actor", actor)
        .log();
    return new Change(before, Optional.empty());
  }

  /** Metadata of every stored secret, in (provider, field) order. */
  public List<SecretInfo> list() {
    return store.list();
  }

  public Optional<SecretInfo> info(String provider, SecretField field) {
    return store.find(provider, field).map(StoredSecret::info);
  }

  /**
   * The stored value, decrypted: for the composition root building a provider, nothing else.
   *
   * @throws SecretCipherException when it is stored but cannot be decrypted (fails closed)
   */
  public Optional<Secret> resolve(String provider, SecretField field) {
    return store.find(provider, field).map(row -> cipher.decrypt(row.ciphertext(), row.context()));
  }

  /** Every stored field of one provider, decrypted. */
  public Map<SecretField, Secret> resolveAll(String provider) {
    Map<SecretField, Secret> out = new EnumMap<>(SecretField.class);
    for (SecretField field : SecretField.values()) {
      resolve(provider, field).ifPresent(v -> out.put(field, v));
    }
    return out;
  }

  /** {@link #reencrypt(int)} in batches of {@value SecretsConfig#DEFAULT_BATCH_SIZE}. */
  public ReencryptReport reencrypt() {
    return reencrypt(SecretsConfig.DEFAULT_BATCH_SIZE);
  }

  /**
   * Rewrites every row not yet under the current key, {@code batchSize} rows per read and per
   * transaction. Idempotent: a re-run rewrites nothing. A row that cannot be decrypted is reported and
   * left as it is; the others proceed. A row set while its batch is in flight keeps the newer value.
   */
  public ReencryptReport reencrypt(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize: " + batchSize + " (expected: > 0)");
    }
    String current = cipher.currentKeyId();
    int scanned = 0;
    int rewritten = 0;
    int alreadyCurrent = 0;
    int changedMeanwhile = 0;
    List<String> failures = new ArrayList<>();
    Optional<ProviderSecretStore.Cursor> cursor = Optional.empty();
    while (true) {
      List<StoredSecret> rows = store.batch(cursor, batchSize);
      if (rows.isEmpty()) {
        break;
      }
      List<ProviderSecretStore.Rewrite> rewrites = new ArrayList<>();
      for (StoredSecret row : rows) {
        scanned++;
        SecretInfo info = row.info();
        if (SecretCipher.keyIdOf(row.ciphertext()).filter(current::equals).isPresent()) {
          alreadyCurrent++;
          continue;
        }
        try {
          Secret value = cipher.decrypt(row.ciphertext(), row.context());
          rewrites.add(new ProviderSecretStore.Rewrite(info.provider(), info.field(), row.ciphertext(),
              cipher.encrypt(value, row.context()), current));
        } catch (SecretCipherException e) {
          failures.add(info.provider() + "/" + info.field().wireName() + ": " + e.getMessage());
        }
      }
      boolean[] applied = store.rewrite(rewrites);
      for (boolean a : applied) {
        if (a) {
          rewritten++;
        } else {
          changedMeanwhile++;
        }
      }
      StoredSecret last = rows.getLast();
      cursor = Optional.of(new ProviderSecretStore.Cursor(last.info().provider(), last.info().field().wireName()));
      log.atInfo().setMessage("provider secrets re-encrypted")
          .addKeyValue("key_id", current)
          .addKeyValue("batch_rows", rows.size())
          .addKeyValue("scanned", scanned)
          .addKeyValue("rewritten", rewritten)
          .log();
      if (rows.size() < batchSize) {
        break;
      }
    }
    ReencryptReport report = new ReencryptReport(current, scanned, rewritten, alreadyCurrent, changedMeanwhile,
        failures);
    failures.forEach(f -> log.warn("provider secret not re-encrypted: {}", f));
    return report;
  }

  /** {@code sha256:} and the first hex digits of the value's SHA-256: identifies a value without revealing it. */
  static String fingerprint(Secret value) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.value().getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(digest).substring(0, FINGERPRINT_HEX);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  private static void checkProvider(String provider) {
    if (provider == null || !PROVIDER_NAME.matcher(provider).matches()) {
      throw new IllegalArgumentException("provider name must be 1 to 64 of A-Z a-z 0-9 . _ -, starting with a letter"
          + " or digit");
    }
  }
}
