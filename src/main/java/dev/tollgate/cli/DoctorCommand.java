package dev.tollgate.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.config.ConfigException;
import dev.tollgate.config.TollgateConfig;
import dev.tollgate.provider.probe.HealthReport;
import dev.tollgate.provider.probe.ProbeResult;
import dev.tollgate.provider.probe.ProviderProbe;
import dev.tollgate.provider.probe.ProviderProbes;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tollgate doctor}: validates the configuration like {@code serve} (same messages, exit code 2),
 * then probes every provider at once and prints one row per provider. Exits 0 when all are up, 1
 * otherwise; {@code --json} prints the {@link HealthReport} shape instead of the table.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
    description = "Check the configuration, then every provider's reachability and credentials.")
public final class DoctorCommand implements Callable<Integer> {
  private static final String[] HEADINGS = {"PROVIDER", "TYPE", "STATUS", "LATENCY", "ERROR"};

  @CommandLine.Mixin
  Main.ConfigOptionsMixin options;

  @Option(names = "--json", description = "Print the result as JSON (the shape of GET /admin/v1/providers/health)")
  boolean asJson;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "PT10S",
      converter = DurationConverter.class,
      description = "Longest wait for each provider, e.g. 10s, 500ms, PT1M (default: ${DEFAULT-VALUE})")
  Duration timeout;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  private final Clock clock;

  public DoctorCommand() {
    this(Clock.systemUTC());
  }

  /** @param clock the time of SigV4 signatures and of the report's {@code checked_at} */
  DoctorCommand(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Integer call() {
    TollgateConfig config;
    try {
      config = options.load();
    } catch (ConfigException e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("tollgate: invalid configuration:");
      e.problems().forEach(p -> err.println("  " + p));
      err.flush();
      return Main.EXIT_CONFIG;
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--timeout: " + timeout + " (expected: > 0)");
    }
    ObjectMapper json = new ObjectMapper();
    List<ProbeResult> results = new ProviderProbes(new ProviderProbe(json, clock, timeout)).probeAllBlocking(config);
    PrintWriter out = spec.commandLine().getOut();
    if (asJson) {
      try {
        out.println(json.writerWithDefaultPrettyPrinter()
            .writeValueAsString(HealthReport.toJson(json, results, clock.instant())));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write a JSON tree", e);
      }
    } else {
      printTable(out, results);
    }
    out.flush();
    return results.stream().allMatch(ProbeResult::up) ? 0 : 1;
  }

  private static void printTable(PrintWriter out, List<ProbeResult> results) {
    if (results.isEmpty()) {
      out.println("tollgate: no providers are configured");
      return;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADINGS);
    for (ProbeResult r : results) {
      rows.add(new String[] {r.provider(), r.type().configName(), r.status().wireName(), r.latencyMillis() + " ms",
          r.up() ? "" : r.detail()});
    }
    int[] widths = new int[HEADINGS.length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        // The last column is not padded: no trailing blanks.
        line.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
      }
      out.println(line.toString().stripTrailing());
    }
    long up = results.stream().filter(ProbeResult::up).count();
    out.println();
    out.println("tollgate: " + up + " of " + results.size() + " provider(s) up");
  }

  /** Reads {@code 500ms}, {@code 10s}, {@code 2m} or an ISO-8601 duration such as {@code PT10S}. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.trim().toLowerCase(java.util.Locale.ROOT);
      try {
        if (v.endsWith("ms")) {
          return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        if (v.endsWith("s") && !v.startsWith("p")) {
          return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
        }
        if (v.endsWith("m") && !v.startsWith("p")) {
          return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
        }
        return Duration.parse(value.trim());
      } catch (RuntimeException e) {
        throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (e.g. 10s, 500ms, PT1M)");
      }
    }
  }
}
