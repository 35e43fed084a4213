package dev.tollgate.cli;

import dev.tollgate.config.ConfigException;
import dev.tollgate.config.TollgateConfig;
import dev.tollgate.store.Database;
import dev.tollgate.store.JdbiUsageStore;
import java.io.PrintWriter;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tollgate usage}: commands on the usage ledger's derived data. */
@Command(name = "usage", mixinStandardHelpOptions = true, description = "Work with usage data.",
    subcommands = UsageCommand.Rebuild.class)
public final class UsageCommand implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * {@code tollgate usage rebuild}: recomputes the daily aggregates from the usage events, every day or
   * the days {@code --from} to {@code --to} (inclusive, UTC), in one transaction. Exits 0 when done, 2
   * when the configuration, the arguments or the database cannot be used.
   */
  @Command(name = "rebuild", mixinStandardHelpOptions = true,
      description = "Recompute the daily usage aggregates from the usage events, in one transaction. "
          + "Usage flushes wait while it runs.")
  static final class Rebuild implements Callable<Integer> {
    @CommandLine.Mixin
    Main.ConfigOptionsMixin options;

    @Option(names = "--from", paramLabel = "DAY", converter = DayConverter.class,
        description = "First day to rebuild, UTC, e.g. 2026-01-31 (default: the first day with usage)")
    LocalDate from;

    @Option(names = "--to", paramLabel = "DAY", converter = DayConverter.class,
        description = "Last day to rebuild, inclusive, UTC (default: the last day with usage)")
    LocalDate to;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      if (from != null && to != null && from.isAfter(to)) {
        err.println("tollgate: --from " + from + " is after --to " + to);
        err.flush();
        return Main.EXIT_CONFIG;
      }
      TollgateConfig config;
      try {
        config = options.load();
      } catch (ConfigException e) {
        return Main.configError(spec, e);
      }
      JdbiUsageStore.Rebuilt rebuilt;
      try (Database db = Database.open(config.database(), null)) {
        if (!db.migrated()) {
          err.println("tollgate: the database schema is not up to date; run tollgate migrate first");
          err.flush();
          return Main.EXIT_CONFIG;
        }
        rebuilt = new JdbiUsageStore(db.jdbi()).rebuildDaily(Optional.ofNullable(from), Optional.ofNullable(to));
      } catch (RuntimeException e) {
        err.println("tollgate: cannot rebuild the usage aggregates: " + Main.describe(e));
        err.flush();
        return Main.EXIT_CONFIG;
      }
      String days = from == null && to == null ? "every day"
          : "days " + (from == null ? "(first)" : from) + " to " + (to == null ? "(last)" : to);
      out.println("tollgate: usage aggregates rebuilt for " + days + ": " + rebuilt.events() + " event(s) summed into "
          + rebuilt.rows() + " row(s), replacing " + rebuilt.removedRows() + " row(s)");
      out.flush();
      return 0;
    }
  }

  /** A UTC day as YYYY-MM-DD. */
  static final class DayConverter implements CommandLine.ITypeConverter<LocalDate> {
    @Override
    public LocalDate convert(String value) {
      try {
        return LocalDate.parse(value);
      } catch (DateTimeParseException e) {
        throw new CommandLine.TypeConversionException("'" + value + "' is not a day such as 2026-01-31");
      }
    }
  }
}
