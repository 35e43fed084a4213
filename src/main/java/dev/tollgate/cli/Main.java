package dev.tollgate.cli;

import dev.tollgate.Tollgate;
import dev.tollgate.config.ConfigException;
import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.ConfigReloader;
import java.time.Duration;
import dev.tollgate.config.TollgateConfig;
import dev.tollgate.observe.LogSetup;
import dev.tollgate.store.Database;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code tollgate} command line: {@code serve}, {@code migrate}, {@code --version}. */
@Command(name = "tollgate", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "A self-hosted LLM gateway.",
    subcommands = {Main.Serve.class, Main.Migrate.class, AuditCommand.class, UsageCommand.class})
public final class Main implements Runnable {
  /** Exit code for an invalid configuration. */
  static final int EXIT_CONFIG = 2;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** The whole command tree; {@code doctor} and {@code secrets} are added here: they take a clock or the env. */
  static CommandLine commandLine() {
    return new CommandLine(new Main()).addSubcommand(new DoctorCommand(java.time.Clock.systemUTC()))
        .addSubcommand(SecretsCommand.commandLine(System.getenv()));
  }

  public static void main(String[] args) {
    int code = commandLine().execute(args);
    if (code != 0 || !Serve.running) {
      System.exit(code);
    }
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the gateway.")
  static final class Serve implements Callable<Integer> {
    static volatile boolean running;

    @CommandLine.Mixin
    ConfigOptionsMixin options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      TollgateConfig config;
      try {
        config = options.load();
      } catch (ConfigException e) {
        return configError(spec, e);
      }
      LogSetup.apply(config.logging());
      Tollgate gateway;
      try {
        gateway = Tollgate.start(config);
      } catch (ConfigException e) {
        return configError(spec, e);
      } catch (RuntimeException e) {
        spec.commandLine().getErr().println("tollgate: cannot start: " + describe(e));
        return 1;
      }
      running = true;
      Banner.print(spec.commandLine().getOut(), config, gateway.port(), version());
      // Rate limits, budgets and prices follow the file while running: on SIGHUP, and when it changes.
      ConfigReloader reloader = new ConfigReloader(options.file(), options::load, gateway::reconfigure,
          Duration.ofSeconds(2));
      reloader.start();
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"),
          s -> Thread.ofVirtual().start(() -> reloader.reload("SIGHUP")));
      CountDownLatch stopped = new CountDownLatch(1);
      Runnable stop = () -> {
        reloader.close();
        gateway.close();
        stopped.countDown();
      };
      // SIGTERM and SIGINT: drain, flush usage, then exit 0 (a shutdown hook alone would exit 143). A second
      // signal while draining (an impatient Ctrl-C, a supervisor that signals the whole process group) must
      // not exit before the first stop is done.
      AtomicBoolean stopping = new AtomicBoolean();
      for (String signal : new String[] {"TERM", "INT"}) {
        sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> {
          if (!stopping.compareAndSet(false, true)) {
            spec.commandLine().getErr().println("tollgate: already stopping; waiting for the drain to finish");
            return;
          }
          Thread.ofPlatform().start(() -> {
            stop.run();
            System.exit(0);
          });
        });
      }
      Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(stop));
      try {
        stopped.await(); // Vert.x threads are daemons: keep main alive until shutdown.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return 0;
    }
  }

  @Command(name = "migrate", mixinStandardHelpOptions = true, description = "Apply pending database migrations.")
  static final class Migrate implements Callable<Integer> {
    @CommandLine.Mixin
    ConfigOptionsMixin options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      TollgateConfig config;
      try {
        config = options.load();
      } catch (ConfigException e) {
        return configError(spec, e);
      }
      try (Database db = Database.open(config.database(), null)) {
        int applied = db.migrate();
        spec.commandLine().getOut().println("tollgate: " + applied + " migration(s) applied to " + db.dialect()
            + "; schema is up to date");
        return 0;
      } catch (RuntimeException e) {
        spec.commandLine().getErr().println("tollgate: migration failed: " + describe(e));
        return 1;
      }
    }
  }

  /** The {@code --config} and {@code --dev} options. */
  static final class ConfigOptionsMixin {
    @Option(names = "--config", paramLabel = "FILE",
        description = "Configuration file (default: $TOLLGATE_CONFIG, else ./tollgate.yaml)")
    Path config;

    @Option(names = "--dev", description = "Development mode: relaxes the master-key length rule, nothing else")
    boolean dev;

    TollgateConfig load() {
      return new ConfigLoader(System.getenv(), dev).load(file());
    }

    Path file() {
      return config != null ? config : Path.of(System.getenv().getOrDefault("TOLLGATE_CONFIG", "tollgate.yaml"));
    }
  }

  /** Prints every problem of an invalid configuration; the exit code for it. */
  static int configError(CommandLine.Model.CommandSpec spec, ConfigException e) {
    PrintWriter err = spec.commandLine().getErr();
    err.println("tollgate: invalid configuration:");
    e.problems().forEach(p -> err.println("  " + p));
    err.flush();
    return EXIT_CONFIG;
  }

  /** A failure with its causes' messages, for one line of the command's error output. */
  static String describe(Throwable e) {
    StringBuilder sb = new StringBuilder(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      if (c.getMessage() != null) {
        sb.append(": ").append(c.getMessage());
      }
    }
    return sb.toString();
  }

  static String version() {
    try (InputStream in = Main.class.getResourceAsStream("/tollgate-version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** Supplies {@code --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"tollgate " + version(), "Java " + Runtime.version()};
    }
  }
}
