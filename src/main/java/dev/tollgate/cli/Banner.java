package dev.tollgate.cli;

import dev.tollgate.config.TollgateConfig;
import java.io.PrintWriter;

/**
 * What {@code serve} prints once listening: where, which models, and how to make a first call. It
 * shows the master key only when it is the public example key of {@code examples/quickstart.yaml};
 * a real key is never printed.
 */
final class Banner {
  /** The quickstart's published example key; printing it reveals nothing. */
  static final String EXAMPLE_MASTER_KEY = "tg-quickstart-example-master-key-change-me";

  private Banner() {}

  static void print(PrintWriter out, TollgateConfig config, int port, String version) {
    String host = config.server().host();
    String shown = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
    String base = "http://" + shown + ":" + port;
    String firstModel = config.models().isEmpty() ? "<model>" : config.models().getFirst().name();
    boolean example = EXAMPLE_MASTER_KEY.equals(config.auth().masterKey().value());
    out.println();
    out.println("Tollgate " + version + " is listening on " + base);
    out.println("  models:   " + (config.models().isEmpty() ? "(none configured)"
        : String.join(", ", config.models().stream().map(m -> m.name()).toList())));
    out.println("  database: " + (config.database().isSqlite() ? config.database().url() : "postgresql"));
    if (example) {
      out.println("  master key: " + EXAMPLE_MASTER_KEY);
      out.println("    (the public example key from examples/quickstart.yaml: set TOLLGATE_MASTER_KEY for real use)");
    } else {
      out.println("  master key: as configured (not shown)");
    }
    String key = example ? EXAMPLE_MASTER_KEY : "$TOLLGATE_MASTER_KEY";
    out.println();
    out.println("Try it:");
    out.println("  curl -s " + base + "/v1/chat/completions -H 'Authorization: Bearer " + key + "' \\");
    out.println("    -H 'Content-Type: application/json' \\");
    out.println("    -d '{\"model\":\"" + firstModel + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}]}'");
    out.println();
    out.flush();
  }
}
