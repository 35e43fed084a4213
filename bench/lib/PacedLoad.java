import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop paced load for bench/failover.sh: POSTs one body at a fixed rate (requests are sent on
 * schedule whether or not earlier ones have answered, so a slow gateway cannot slow the load down),
 * and records every request: when it was sent, its latency, status and Tollgate's routing headers.
 * Optionally polls a URL (Tollgate's /health) while the load runs. Run with the JDK's source launcher:
 *
 * <pre>java PacedLoad.java --url U --body FILE --key K --rate R --seconds S --out CSV
 *     [--poll URL --poll-every-ms 100 --poll-out FILE] [--timeout-s 10]</pre>
 *
 * The CSV has one line per request, in send order: send time (epoch microseconds), latency
 * (microseconds), HTTP status (0 = no answer: transport error or timeout), x-tollgate-deployment,
 * x-tollgate-attempts, x-tollgate-route, and the transport error if any. The poll file has one line
 * per poll: epoch milliseconds when it was sent and when its answer came, and the body on one line,
 * separated by tabs (on a loaded machine the two can be far apart). Standard output gets a PACED_START line when
 * the first request is due and a PACED_RESULT summary line at the end.
 */
public final class PacedLoad {
  private record Sample(long sendMicros, long latencyMicros, int status, String deployment, String attempts,
      String route, String error) {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = options(args);
    URI url = URI.create(required(opt, "url"));
    byte[] body = Files.readAllBytes(Path.of(required(opt, "body")));
    String key = required(opt, "key");
    double rate = Double.parseDouble(required(opt, "rate"));
    double seconds = Double.parseDouble(required(opt, "seconds"));
    Path out = Path.of(required(opt, "out"));
    Duration timeout = Duration.ofSeconds(Long.parseLong(opt.getOrDefault("timeout-s", "10")));
    if (rate <= 0 || seconds <= 0) {
      throw new IllegalArgumentException("--rate and --seconds must be positive");
    }

    HttpClient client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
    AtomicBoolean running = new AtomicBoolean(true);
    Thread poller = null;
    if (opt.containsKey("poll")) {
      poller = startPoller(URI.create(opt.get("poll")), Long.parseLong(opt.getOrDefault("poll-every-ms", "100")),
          Path.of(required(opt, "poll-out")), running);
    }

    long total = Math.round(rate * seconds);
    long periodNanos = Math.round(1e9 / rate);
    ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
    List<CompletableFuture<Void>> pending = new ArrayList<>((int) Math.min(total, Integer.MAX_VALUE));
    Instant startInstant = Instant.now();
    long startNanos = System.nanoTime();
    long startMicros = ChronoUnit.MICROS.between(Instant.EPOCH, startInstant);
    // The caller times its phases (e.g. when to break an upstream) from this line, not from process start.
    System.out.println("PACED_START epoch_ms=" + startInstant.toEpochMilli());
    System.out.flush();
    for (long i = 0; i < total; i++) {
      long due = startNanos + i * periodNanos;
      for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
        LockSupport.parkNanos(wait);
      }
      long sent = System.nanoTime();
      long sendMicros = startMicros + (sent - startNanos) / 1_000;
      HttpRequest request = HttpRequest.newBuilder(url)
          .timeout(timeout)
          .header("Content-Type", "application/json")
          .header("Authorization", "Bearer " + key)
          .POST(HttpRequest.BodyPublishers.ofByteArray(body))
          .build();
      pending.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).handle((response, error) -> {
        long latency = (System.nanoTime() - sent) / 1_000;
        if (error != null) {
          Throwable cause = error.getCause() != null ? error.getCause() : error;
          samples.add(new Sample(sendMicros, latency, 0, "", "", "", cause.getClass().getSimpleName() + ": "
              + String.valueOf(cause.getMessage())));
        } else {
          samples.add(new Sample(sendMicros, latency, response.statusCode(), header(response, "x-tollgate-deployment"),
              header(response, "x-tollgate-attempts"), header(response, "x-tollgate-route"), ""));
        }
        return null;
      }));
    }
    double sendSeconds = (System.nanoTime() - startNanos) / 1e9;
    try {
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
          .get(timeout.toSeconds() + 10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      System.err.println("PacedLoad: some requests never completed; they are missing from the CSV");
    }
    running.set(false);
    if (poller != null) {
      poller.join(5_000);
    }

    List<Sample> sorted = new ArrayList<>(samples);
    sorted.sort(Comparator.comparingLong(Sample::sendMicros));
    long ok = 0;
    long bad = 0;
    long failedTransport = 0;
    long retried = 0;
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out))) {
      w.println("send_us,latency_us,status,deployment,attempts,route,error");
      for (Sample s : sorted) {
        w.println(s.sendMicros() + "," + s.latencyMicros() + "," + s.status() + "," + csv(s.deployment()) + ","
            + csv(s.attempts()) + "," + csv(s.route()) + "," + csv(s.error()));
        if (s.status() == 0) {
          failedTransport++;
        } else if (s.status() == 200) {
          ok++;
        } else {
          bad++;
        }
        if (!s.attempts().isEmpty() && !s.attempts().equals("1")) {
          retried++;
        }
      }
    }
    System.out.printf("PACED_RESULT planned=%d answered=%d ok=%d non200=%d transport_errors=%d missing=%d"
        + " retried=%d send_seconds=%.3f achieved_rate=%.1f%n", total, sorted.size(), ok, bad, failedTransport,
        total - sorted.size(), retried, sendSeconds, total / sendSeconds);
    System.exit(0); // the HttpClient's selector thread would otherwise linger until it times out
  }

  private static Thread startPoller(URI uri, long everyMillis, Path file, AtomicBoolean running) throws IOException {
    HttpClient pollClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    PrintWriter w = new PrintWriter(Files.newBufferedWriter(file));
    return Thread.ofVirtual().start(() -> {
      try (w) {
        long next = System.currentTimeMillis();
        while (running.get()) {
          long now = System.currentTimeMillis();
          String line;
          try {
            HttpResponse<String> r = pollClient.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString());
            line = r.body().replace('\n', ' ').replace('\r', ' ');
          } catch (IOException e) {
            line = "{\"poll_error\":\"" + e.getClass().getSimpleName() + "\"}";
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          w.println(now + "\t" + System.currentTimeMillis() + "\t" + line);
          next += everyMillis;
          long sleep = next - System.currentTimeMillis();
          if (sleep > 0) {
            LockSupport.parkNanos(sleep * 1_000_000);
          } else {
            next = System.currentTimeMillis();
          }
        }
      }
    });
  }

  private static String header(HttpResponse<?> response, String name) {
    return response.headers().firstValue(name).orElse("");
  }

  private static String csv(String s) {
    return s.replace(',', ';').replace('\n', ' ').replace('\r', ' ');
  }

  private static String required(Map<String, String> opt, String name) {
    String v = opt.get(name);
    if (v == null) {
      throw new IllegalArgumentException("missing --" + name);
    }
    return v;
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> opt = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value pairs, got '" + args[i] + "'");
      }
      opt.put(args[i].substring(2), args[++i]);
    }
    return opt;
  }

  private PacedLoad() {}
}
