package dev.tollgate.cli;

import dev.tollgate.access.local.LocalAccounts;
import dev.tollgate.access.secrets.CipherSealer;
import dev.tollgate.access.secrets.EncryptionKeys;
import dev.tollgate.access.secrets.ProviderSecretStore;
import dev.tollgate.access.secrets.ProviderSecrets;
import dev.tollgate.access.secrets.ReencryptReport;
import dev.tollgate.access.secrets.SecretCipher;
import dev.tollgate.access.secrets.SecretsConfig;
import dev.tollgate.config.ConfigException;
import dev.tollgate.config.TollgateConfig;
import dev.tollgate.store.Database;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tollgate secrets ...}: maintenance of the provider credentials stored encrypted in the
 * database. Its one subcommand, {@code reencrypt}, finishes a key rotation.
 */
@Command(name = "secrets", mixinStandardHelpOptions = true,
    description = "Maintain provider credentials stored encrypted in the database.")
public final class SecretsCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** The command with its subcommands; they read {@code TOLLGATE_ENCRYPTION_KEY} from {@code env}. */
  static CommandLine commandLine(Map<String, String> env) {
    return new CommandLine(new SecretsCommand()).addSubcommand(new Reencrypt(env));
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * {@code tollgate secrets reencrypt}: rewrites every stored credential under the current (first) key
   * of {@code TOLLGATE_ENCRYPTION_KEY}. Exits 0 when every row is now under it, 1 when some could not
   * be decrypted (listed on stderr) or the database is not migrated, 2 for an invalid configuration.
   */
  @Command(name = "reencrypt", mixinStandardHelpOptions = true,
      description = {"Re-encrypt every stored provider credential under the current (first) key of "
          + EncryptionKeys.ENV + ".", "Rotation: put the new key first and keep the old one after it, run this,"
          + " then remove the old key. Safe to re-run."})
  static final class Reencrypt implements Callable<Integer> {
    @CommandLine.Mixin
    Main.ConfigOptionsMixin options;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "" + SecretsConfig.DEFAULT_BATCH_SIZE,
        description = "Rows per read and per transaction (default: ${DEFAULT-VALUE})")
    int batchSize;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Map<String, String> env;

    Reencrypt(Map<String, String> env) {
      this.env = Map.copyOf(env);
    }

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      TollgateConfig config;
      SecretsConfig secrets;
      try {
        config = options.load();
        secrets = new SecretsConfig(config.secrets().encryptionKey()
            .or(() -> SecretsConfig.fromEnvironment(env).encryptionKey()), batchSize);
      } catch (ConfigException e) {
        return configError(err, e.problems());
      }
      if (!secrets.enabled()) {
        return configError(err, List.of(EncryptionKeys.ENV + ": is not set (expected: id:BASE64[,id:BASE64...],"
            + " the new key first)"));
      }
      EncryptionKeys keys = secrets.keys().orElseThrow();
      try (Database db = Database.open(config.database(), null)) {
        if (!db.migrated()) {
          err.println("tollgate: the database has pending migrations; run `tollgate migrate` first");
          err.flush();
          return 1;
        }
        ProviderSecrets service = new ProviderSecrets(new ProviderSecretStore(db.jdbi()),
            new SecretCipher(keys, new SecureRandom()), Clock.systemUTC());
        ReencryptReport report = service.reencrypt(secrets.reencryptBatchSize());
        out.println("tollgate: " + report.rewritten() + " secret(s) re-encrypted under key '" + report.keyId() + "'; "
            + report.alreadyCurrent() + " already under it, " + report.changedMeanwhile() + " changed meanwhile, "
            + report.failures().size() + " failed (" + report.scanned() + " scanned)");
        SecretCipher cipher = new SecretCipher(keys, new SecureRandom());
        int totp = LocalAccounts.create(config.auth().local(), db.jdbi(), new CipherSealer(Optional.of(cipher)),
            new SecureRandom(), Clock.systemUTC()).resealTotpSecrets();
        out.println("tollgate: " + totp + " user(s)' two-factor secret(s) sealed again under key '"
            + cipher.currentKeyId() + "'");
        out.flush();
        if (!report.complete()) {
          report.failures().forEach(f -> err.println("tollgate: not re-encrypted: " + f));
          err.flush();
          return 1;
        }
        return 0;
      } catch (RuntimeException e) {
        err.println("tollgate: re-encryption failed: " + e.getMessage());
        err.flush();
        return 1;
      }
    }

    private static int configError(PrintWriter err, List<String> problems) {
      err.println("tollgate: invalid configuration:");
      problems.forEach(p -> err.println("  " + p));
      err.flush();
      return Main.EXIT_CONFIG;
    }
  }
}
