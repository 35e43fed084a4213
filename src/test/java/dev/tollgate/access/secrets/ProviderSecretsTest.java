package dev.tollgate.access.secrets;

import dev.tollgate.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.access.secrets.SecretCipherException.Reason;
import dev.tollgate.config.Secret;
import dev.tollgate.store.Database;
import dev.tollgate.testing.TestDatabases;
import dev.tollgate.testing.TestDatabases.Kind;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The service and its store on real SQLite and PostgreSQL databases. */
class ProviderSecretsTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final String K1 = "k1:" + Keys.b64(1);
  private static final String K2 = "k2:" + Keys.b64(2);
  private static final Secret OPENAI = new Secret("sk-openai-0123456789abcdefghij");
  private static final Secret AZURE = new Secret("azure-f00dfeedc0ffee");

  @TempDir
  Path dir;

  private final ManualClock clock = new ManualClock(T0);
  private Database db;
  private ProviderSecretStore store;

  @AfterEach
  void close() {
    if (db != null) {
      db.close();
    }
  }

  private ProviderSecrets open(Kind kind, String keys) {
    db = TestDatabases.open(kind, dir);
    store = new ProviderSecretStore(db.jdbi());
    return service(keys);
  }

  private ProviderSecrets service(String keys) {
    return new ProviderSecrets(store, new SecretCipher(EncryptionKeys.parse(keys), new SecureRandom()), clock);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aSetValueResolvesAndIsListedWithoutIt(Kind kind) {
    ProviderSecrets secrets = open(kind, K1);

    ProviderSecrets.Change change = secrets.set("openai", SecretField.API_KEY, OPENAI, "user-1");

    SecretInfo expected = new SecretInfo("openai", SecretField.API_KEY, "k1", ProviderSecrets.fingerprint(OPENAI), T0,
        T0, "user-1");
    assertThat(change.before()).isEmpty();
    assertThat(change.after()).contains(expected);
    assertThat(change.created()).isTrue();
    assertThat(secrets.resolve("openai", SecretField.API_KEY)).contains(OPENAI);
    assertThat(secrets.resolve("openai", SecretField.AWS_SESSION_TOKEN)).isEmpty();
    assertThat(secrets.resolve("other", SecretField.API_KEY)).isEmpty();
    assertThat(secrets.list()).containsExactly(expected);
    assertThat(secrets.info("openai", SecretField.API_KEY)).contains(expected);
    assertThat(expected.fingerprint()).matches("sha256:[0-9a-f]{8}");
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void settingAgainReplacesTheValueKeepsCreatedAtAndRecordsWhoAndWhen(Kind kind) {
    ProviderSecrets secrets = open(kind, K1);
    secrets.set("openai", SecretField.API_KEY, OPENAI, "user-1");
    clock.advance(Duration.ofMinutes(5));
    Secret replacement = new Secret("sk-openai-rotated-9876543210");

    ProviderSecrets.Change change = secrets.set("openai", SecretField.API_KEY, replacement, "user-2");

    assertThat(change.created()).isFalse();
    assertThat(change.before().orElseThrow().fingerprint()).isEqualTo(ProviderSecrets.fingerprint(OPENAI));
    SecretInfo after = change.after().orElseThrow();
    assertThat(after.fingerprint()).isEqualTo(ProviderSecrets.fingerprint(replacement)).isNotEqualTo(
        change.before().orElseThrow().fingerprint());
    assertThat(after.createdAt()).isEqualTo(T0);
    assertThat(after.updatedAt()).isEqualTo(T0.plus(Duration.ofMinutes(5)));
    assertThat(after.updatedBy()).isEqualTo("user-2");
    assertThat(secrets.resolve("openai", SecretField.API_KEY)).contains(replacement);
    assertThat(secrets.list()).hasSize(1);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void deleteRemovesTheValueAndReportsWhatWasThere(Kind kind) {
    ProviderSecrets secrets = open(kind, K1);
    secrets.set("openai", SecretField.API_KEY, OPENAI, "user-1");
    secrets.set("azure", SecretField.API_KEY, AZURE, "user-1");

    ProviderSecrets.Change deleted = secrets.delete("openai", SecretField.API_KEY, "user-2");
    ProviderSecrets.Change again = secrets.delete("openai", SecretField.API_KEY, "user-2");

    assertThat(deleted.before()).map(SecretInfo::provider).contains("openai");
    assertThat(deleted.after()).isEmpty();
    assertThat(again.before()).isEmpty();
    assertThat(again.after()).isEmpty();
    assertThat(secrets.resolve("openai", SecretField.API_KEY)).isEmpty();
    assertThat(secrets.list()).extracting(SecretInfo::provider).containsExactly("azure");
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void resolveAllGivesEveryStoredFieldOfOneProvider(Kind kind) {
    ProviderSecrets secrets = open(kind, K1);
    Secret id = new Secret("AKIAEXAMPLE0000");
    Secret key = new Secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    secrets.set("aws", SecretField.AWS_ACCESS_KEY_ID, id, "u");
    secrets.set("aws", SecretField.AWS_SECRET_ACCESS_KEY, key, "u");
    secrets.set("openai", SecretField.API_KEY, OPENAI, "u");

    assertThat(secrets.resolveAll("aws")).isEqualTo(Map.of(SecretField.AWS_ACCESS_KEY_ID, id,
        SecretField.AWS_SECRET_ACCESS_KEY, key));
    assertThat(secrets.resolveAll("nobody")).isEmpty();
    assertThat(secrets.list()).extracting(i -> i.provider() + "/" + i.field().wireName())
        .containsExactly("aws/aws_access_key_id", "aws/aws_secret_access_key", "openai/api_key");
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void theDatabaseNeverHoldsTheValue(Kind kind) {
    ProviderSecrets secrets = open(kind, K1);
    secrets.set("openai", SecretField.API_KEY, OPENAI, "user-1");

    List<Map<String, Object>> rows = db.jdbi().withHandle(h -> h.createQuery("SELECT * FROM provider_secrets")
        .mapToMap().list());
    assertThat(rows).hasSize(1);
    String everything = rows.toString();
    assertThat(everything).contains("openai", "api_key", "v1:k1:").doesNotContain(OPENAI.value());
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aCiphertextCopiedToAnotherRowDoesNotDecryptThere(Kind kind) {
    ProviderSecrets secrets = open(kind, K1);
    secrets.set("openai", SecretField.API_KEY, OPENAI, "u");
    secrets.set("azure", SecretField.API_KEY, AZURE, "u");
    secrets.set("openai", SecretField.AWS_SESSION_TOKEN, AZURE, "u");

    int copied = db.jdbi().withHandle(h -> h.createUpdate("UPDATE provider_secrets SET ciphertext = (SELECT ciphertext"
        + " FROM provider_secrets WHERE provider = 'openai' AND field = 'api_key') WHERE provider = 'azure'"
        + " OR field = 'aws_session_token'").execute());

    assertThat(copied).isEqualTo(2);
    for (SecretField field : new SecretField[] {SecretField.API_KEY, SecretField.AWS_SESSION_TOKEN}) {
      String provider = field == SecretField.API_KEY ? "azure" : "openai";
      assertThatThrownBy(() -> secrets.resolve(provider, field))
          .isInstanceOfSatisfying(SecretCipherException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_AUTHENTIC))
          .hasMessageContaining("provider:" + provider + ":" + field.wireName());
    }
    assertThat(secrets.resolve("openai", SecretField.API_KEY)).contains(OPENAI);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aTamperedRowFailsClosed(Kind kind) {
    ProviderSecrets secrets = open(kind, K1);
    secrets.set("openai", SecretField.API_KEY, OPENAI, "u");
    String stored = store.find("openai", SecretField.API_KEY).orElseThrow().ciphertext();
    // Flip one bit of the sealed bytes themselves: editing a base64 character may touch only padding bits.
    int colon = stored.lastIndexOf(':');
    byte[] sealed = java.util.Base64.getDecoder().decode(stored.substring(colon + 1));
    sealed[sealed.length / 2] ^= 0x01;
    String tampered = stored.substring(0, colon + 1) + java.util.Base64.getEncoder().encodeToString(sealed);
    db.jdbi().useHandle(h -> h.createUpdate("UPDATE provider_secrets SET ciphertext = :c").bind("c", tampered)
        .execute());

    assertThatThrownBy(() -> secrets.resolve("openai", SecretField.API_KEY))
        .isInstanceOfSatisfying(SecretCipherException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_AUTHENTIC));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void rotationReencryptsEveryRowInBatchesSoTheOldKeyCanBeDropped(Kind kind) {
    ProviderSecrets underK1 = open(kind, K1);
    Map<String, Secret> values = new java.util.TreeMap<>();
    for (int i = 0; i < 10; i++) {
      Secret value = new Secret("sk-provider-" + i + "-" + "x".repeat(i));
      values.put("p" + i, value);
      underK1.set("p" + i, SecretField.API_KEY, value, "u");
    }
    clock.advance(Duration.ofDays(30));

    ProviderSecrets rotating = service(K2 + "," + K1);
    values.forEach((p, v) -> assertThat(rotating.resolve(p, SecretField.API_KEY)).as("old rows still read").contains(v));
    assertThat(rotating.list()).extracting(SecretInfo::keyId).containsOnly("k1");

    ReencryptReport first = rotating.reencrypt(3);
    ReencryptReport rerun = rotating.reencrypt(3);

    assertThat(first).isEqualTo(new ReencryptReport("k2", 10, 10, 0, 0, List.of()));
    assertThat(first.complete()).isTrue();
    assertThat(rerun).isEqualTo(new ReencryptReport("k2", 10, 0, 10, 0, List.of()));
    assertThat(rotating.list()).extracting(SecretInfo::keyId).containsOnly("k2");
    assertThat(rotating.list()).extracting(SecretInfo::updatedAt).as("re-encryption does not change the value")
        .containsOnly(T0);
    assertThat(store.list()).allSatisfy(i -> assertThat(store.find(i.provider(), i.field()).orElseThrow().ciphertext())
        .startsWith("v1:k2:"));

    ProviderSecrets k2only = service(K2);
    values.forEach((p, v) -> assertThat(k2only.resolve(p, SecretField.API_KEY)).contains(v));
    ProviderSecrets k1only = service(K1);
    assertThatThrownBy(() -> k1only.resolve("p0", SecretField.API_KEY)).isInstanceOfSatisfying(
        SecretCipherException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_KEY));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void rowsThatCannotBeDecryptedAreReportedAndLeftWhileTheRestProceed(Kind kind) {
    ProviderSecrets underK0 = open(kind, "k0:" + Keys.b64(0));
    underK0.set("lost", SecretField.API_KEY, new Secret("sk-lost-key-000"), "u");
    ProviderSecrets underK1 = service(K1);
    underK1.set("kept", SecretField.API_KEY, OPENAI, "u");
    String lostBefore = store.find("lost", SecretField.API_KEY).orElseThrow().ciphertext();

    ReencryptReport report = service(K2 + "," + K1).reencrypt(1);

    assertThat(report.rewritten()).isEqualTo(1);
    assertThat(report.scanned()).isEqualTo(2);
    assertThat(report.complete()).isFalse();
    assertThat(report.failures()).singleElement().asString()
        .startsWith("lost/api_key: ")
        .contains("encrypted under key 'k0', which TOLLGATE_ENCRYPTION_KEY does not list")
        .doesNotContain("sk-lost-key-000");
    assertThat(store.find("lost", SecretField.API_KEY).orElseThrow().ciphertext()).isEqualTo(lostBefore);
    assertThat(service(K2).resolve("kept", SecretField.API_KEY)).contains(OPENAI);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aValueSetWhileARewriteIsInFlightIsNotOverwritten(Kind kind) {
    ProviderSecrets underK1 = open(kind, K1);
    underK1.set("openai", SecretField.API_KEY, OPENAI, "u");
    StoredSecret read = store.batch(Optional.empty(), 10).getFirst();
    ProviderSecrets rotating = service(K2 + "," + K1);
    Secret newer = new Secret("sk-set-meanwhile-1111");
    rotating.set("openai", SecretField.API_KEY, newer, "u");

    SecretCipher cipher = new SecretCipher(EncryptionKeys.parse(K2), new SecureRandom());
    boolean[] applied = store.rewrite(List.of(new ProviderSecretStore.Rewrite("openai", SecretField.API_KEY,
        read.ciphertext(), cipher.encrypt(OPENAI, read.context()), "k2")));

    assertThat(applied).containsExactly(false);
    assertThat(rotating.resolve("openai", SecretField.API_KEY)).contains(newer);
    assertThat(store.rewrite(List.of())).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void batchesWalkEveryRowOnceInOrder(Kind kind) {
    ProviderSecrets secrets = open(kind, K1);
    List<String> expected = new ArrayList<>();
    for (String p : new String[] {"a", "b", "c"}) {
      for (SecretField f : new SecretField[] {SecretField.API_KEY, SecretField.AWS_SESSION_TOKEN}) {
        secrets.set(p, f, OPENAI, "u");
        expected.add(p + "/" + f.wireName());
      }
    }
    List<String> seen = new ArrayList<>();
    Optional<ProviderSecretStore.Cursor> cursor = Optional.empty();
    int pages = 0;
    while (true) {
      List<StoredSecret> page = store.batch(cursor, 4);
      if (page.isEmpty()) {
        break;
      }
      pages++;
      page.forEach(r -> seen.add(r.info().provider() + "/" + r.info().field().wireName()));
      StoredSecret last = page.getLast();
      cursor = Optional.of(new ProviderSecretStore.Cursor(last.info().provider(), last.info().field().wireName()));
    }
    assertThat(seen).isEqualTo(expected);
    assertThat(pages).isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void badArgumentsAreRefused(Kind kind) {
    ProviderSecrets secrets = open(kind, K1);
    for (String bad : new String[] {"", "has space", "a:b", "-lead", "x".repeat(65)}) {
      assertThatThrownBy(() -> secrets.set(bad, SecretField.API_KEY, OPENAI, "u"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("provider name must be");
    }
    assertThatThrownBy(() -> secrets.reencrypt(0)).isInstanceOf(IllegalArgumentException.class);
    assertThat(secrets.list()).isEmpty();
  }
}
