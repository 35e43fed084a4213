package dev.tollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.access.secrets.EncryptionKeys;
import dev.tollgate.access.secrets.ProviderSecretStore;
import dev.tollgate.access.secrets.ProviderSecrets;
import dev.tollgate.access.secrets.SecretCipher;
import dev.tollgate.access.secrets.SecretField;
import dev.tollgate.access.secrets.SecretInfo;
import dev.tollgate.config.DatabaseConfig;
import dev.tollgate.config.Secret;
import dev.tollgate.store.Database;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tollgate secrets reencrypt} end to end: a config file, a SQLite database, the key variable, exit codes. */
class SecretsCommandTest {
  private static final String MASTER_KEY = "0123456789abcdef0123456789abcdef";
  private static final String K1 = "k1:" + key(1);
  private static final String K2 = "k2:" + key(2);
  private static final List<String> VALUES = List.of("sk-cli-openai-AAAA1111", "sk-cli-azure-BBBB2222",
      "aws-secret-CCCC3333");

  @TempDir
  Path dir;

  private Path config;
  private final StringBuilder printed = new StringBuilder();
  private String out;
  private String err;

  private static String key(long seed) {
    byte[] b = new byte[32];
    new Random(seed).nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }

  @BeforeEach
  void configAndSeed() throws Exception {
    Path db = dir.resolve("tollgate.db");
    config = dir.resolve("tollgate.yaml");
    Files.writeString(config, """
        database: { url: "jdbc:sqlite:%s" }
        auth: { master_key: "%s" }
        providers: [ { name: demo, type: mock } ]
        models: [ { name: m, deployments: [ { provider: demo } ] } ]
        """.formatted(db, MASTER_KEY));
  }

  @AfterEach
  void nothingSecretWasPrinted() {
    for (String s : List.of(MASTER_KEY, key(1), key(2), key(3))) {
      assertThat(printed.toString()).doesNotContain(s);
    }
    VALUES.forEach(v -> assertThat(printed.toString()).doesNotContain(v));
  }

  private int run(Map<String, String> env, String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    CommandLine cli = new CommandLine(new Main()).addSubcommand(SecretsCommand.commandLine(env));
    cli.setOut(new PrintWriter(o, true));
    cli.setErr(new PrintWriter(e, true));
    int code = cli.execute(args);
    out = o.toString();
    err = e.toString();
    printed.append(out).append(err);
    return code;
  }

  private Database database() {
    return Database.open(new DatabaseConfig("jdbc:sqlite:" + dir.resolve("tollgate.db"), 2), null);
  }

  private ProviderSecrets secrets(Database db, String keys) {
    return new ProviderSecrets(new ProviderSecretStore(db.jdbi()),
        new SecretCipher(EncryptionKeys.parse(keys), new SecureRandom()), Clock.systemUTC());
  }

  private void seedUnderK1() {
    assertThat(run(Map.of(), "migrate", "--config", config.toString())).isZero();
    try (Database db = database()) {
      ProviderSecrets s = secrets(db, K1);
      s.set("openai", SecretField.API_KEY, new Secret(VALUES.get(0)), "user-1");
      s.set("azure", SecretField.API_KEY, new Secret(VALUES.get(1)), "user-1");
      s.set("aws", SecretField.AWS_SECRET_ACCESS_KEY, new Secret(VALUES.get(2)), "user-1");
    }
  }

  @Test
  void reencryptMovesEveryRowToTheNewKeyAndARerunDoesNothing() {
    seedUnderK1();
    Map<String, String> env = Map.of(EncryptionKeys.ENV, K2 + "," + K1);

    assertThat(run(env, "secrets", "reencrypt", "--config", config.toString(), "--batch-size", "2")).isZero();
    assertThat(out).isEqualTo("tollgate: 3 secret(s) re-encrypted under key 'k2'; 0 already under it,"
        + " 0 changed meanwhile, 0 failed (3 scanned)" + System.lineSeparator()
        + "tollgate: 0 user(s)' two-factor secret(s) sealed again under key 'k2'" + System.lineSeparator());
    assertThat(err).isEmpty();

    assertThat(run(env, "secrets", "reencrypt", "--config", config.toString())).isZero();
    assertThat(out).startsWith("tollgate: 0 secret(s) re-encrypted under key 'k2'; 3 already under it,");

    try (Database db = database()) {
      ProviderSecrets k2only = secrets(db, K2);
      assertThat(k2only.list()).extracting(SecretInfo::keyId).containsOnly("k2");
      assertThat(k2only.resolve("aws", SecretField.AWS_SECRET_ACCESS_KEY)).contains(new Secret(VALUES.get(2)));
    }
  }

  @Test
  void rowsUnderAKeyNoLongerListedFailWithExit1AndAreNamed() {
    seedUnderK1();

    assertThat(run(Map.of(EncryptionKeys.ENV, K2), "secrets", "reencrypt", "--config", config.toString())).isEqualTo(1);

    assertThat(out).contains("0 secret(s) re-encrypted under key 'k2'", "3 failed (3 scanned)");
    assertThat(err.lines().toList()).hasSize(3).allSatisfy(l -> assertThat(l).startsWith("tollgate: not re-encrypted: ")
        .contains("encrypted under key 'k1', which TOLLGATE_ENCRYPTION_KEY does not list"));
    assertThat(err).contains("aws/aws_secret_access_key", "azure/api_key", "openai/api_key");
  }

  @Test
  void aMissingOrInvalidKeyOrBatchSizeIsAConfigurationErrorWithExit2() {
    assertThat(run(Map.of(), "secrets", "reencrypt", "--config", config.toString())).isEqualTo(2);
    assertThat(err).contains("invalid configuration", "TOLLGATE_ENCRYPTION_KEY: is not set");

    String shortKey = key(3).substring(0, 20);
    assertThat(run(Map.of(EncryptionKeys.ENV, "k3:" + shortKey), "secrets", "reencrypt", "--config",
        config.toString())).isEqualTo(2);
    assertThat(err).contains("secrets.encryption_key: the key decodes to 15 bytes").doesNotContain(shortKey);

    assertThat(run(Map.of(EncryptionKeys.ENV, K1), "secrets", "reencrypt", "--config", config.toString(),
        "--batch-size", "0")).isEqualTo(2);
    assertThat(err).contains("secrets.reencrypt_batch_size: 0 (expected: 1 to 10000)");
  }

  @Test
  void anUnmigratedDatabaseIsRefused() {
    assertThat(run(Map.of(EncryptionKeys.ENV, K1), "secrets", "reencrypt", "--config", config.toString()))
        .isEqualTo(1);
    assertThat(err).contains("pending migrations; run `tollgate migrate` first");
  }

  @Test
  void secretsAloneShowsItsSubcommand() {
    assertThat(run(Map.of(), "secrets")).isZero();
    assertThat(out).contains("reencrypt");
  }
}
