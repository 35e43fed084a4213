package dev.tollgate.cli;

import dev.tollgate.audit.AuditVerifier;
import dev.tollgate.config.ConfigException;
import dev.tollgate.config.TollgateConfig;
import dev.tollgate.store.Database;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tollgate audit}: commands on the tamper-evident audit log. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Work with the audit log.",
    subcommands = AuditCommand.Verify.class)
public final class AuditCommand implements Runnable {
  /** Exit code of {@code verify} when the chain is broken. */
  static final int EXIT_BROKEN = 1;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * {@code tollgate audit verify}: exits 0 when the chain is intact, 1 when it is broken (printing the
   * first broken entry), 2 when the configuration or the database cannot be used.
   */
  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = "Prove the audit chain intact, or name the first entry where it breaks.")
  static final class Verify implements Callable<Integer> {
    @CommandLine.Mixin
    Main.ConfigOptionsMixin options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      TollgateConfig config;
      try {
        config = options.load();
      } catch (ConfigException e) {
        return Main.configError(spec, e);
      }
      AuditVerifier.Result result;
      try (Database db = Database.open(config.database(), null)) {
        if (!db.migrated()) {
          err.println("tollgate: the database schema is not up to date; run tollgate migrate first");
          err.flush();
          return Main.EXIT_CONFIG;
        }
        result = new AuditVerifier(db.jdbi()).verify();
      } catch (RuntimeException e) {
        err.println("tollgate: cannot read the audit log: " + Main.describe(e));
        err.flush();
        return Main.EXIT_CONFIG;
      }
      return switch (result) {
        case AuditVerifier.Intact intact -> {
          out.println("tollgate: audit chain intact: " + intact.entries() + " entries verified; head seq "
              + intact.headSeq() + ", hash " + intact.headHash());
          out.flush();
          yield 0;
        }
        case AuditVerifier.Broken broken -> {
          out.println("tollgate: audit chain BROKEN at entry " + broken.seq()
              + broken.id().map(id -> " (id " + id + ")").orElse("") + ": " + broken.reason());
          broken.stored().ifPresent(row -> out.println("  stored: " + row));
          out.flush();
          yield EXIT_BROKEN;
        }
      };
    }
  }
}
