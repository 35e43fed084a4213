package dev.tollgate.metering.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.testing.FakeUpstream;
import dev.tollgate.testing.TestGateway;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The issue's crash test: the real gateway ({@code tollgate serve}) in a child JVM on a SQLite file and
 * its own write-ahead log, under load from 12 clients (streaming and not, many calls slow), killed with
 * SIGKILL at a random moment, three times, restarted each time on the same database and log. Against the
 * fake upstream, which ran in this JVM and saw every call: each upstream call is in the ledger exactly
 * once (a call the gateway died during as {@code interrupted}), and no completed event lacks its call.
 */
@Timeout(180)
class LedgerCrashTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LISTENING = Pattern.compile("is listening on (http://[0-9.]+:\\d+)");
  private static final int CLIENTS = 12;
  private static final int ROUNDS = 3;

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** One usage event as stored. */
  record Row(String id, String requestId, int attempt, String status, boolean estimated, long inputTokens,
      long costMicros) {}

  @Test
  void everyCallTheUpstreamSawIsInTheLedgerExactlyOnceAcrossSigkills() throws Exception {
    long seed = Long.getLong("tollgate.crash.seed", System.nanoTime());
    System.out.println("LedgerCrashTest seed " + seed + " (rerun with -Dtollgate.crash.seed=" + seed + ")");
    Random random = new Random(seed);
    Path db = dir.resolve("tollgate.db");
    List<GatewayLoad.Outcome> outcomes = new ArrayList<>();
    try (FakeUpstream upstream = FakeUpstream.start()) {
      upstream.byDefault(GatewayLoad.answers(seed));
      Path config = writeConfig(upstream, db);
      for (int round = 0; round < ROUNDS; round++) {
        Process child = startGateway(config, round);
        try (GatewayLoad load = new GatewayLoad(baseUrl(child, round), TestGateway.MASTER_KEY, "r" + round + "-",
            seed + round).start(CLIENTS)) {
          // Work is flowing (the gateway is warm), then a random moment with calls in flight.
          Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> load.succeeded() >= 20);
          Thread.sleep(200 + random.nextInt(1300));
          child.destroyForcibly(); // SIGKILL: no shutdown hook, no flush, no close
          assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
          assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
          load.close();
          outcomes.addAll(load.outcomes());
        } finally {
          child.destroyForcibly();
        }
      }

      // The last restart, with no load: the log of the last run is replayed and its open calls billed.
      Process last = startGateway(config, ROUNDS);
      try {
        String base = baseUrl(last, ROUNDS);
        Map<String, Long> upstreamCalls = upstreamCallsByRequest(upstream);
        // Until every call has an event (or 30 s: then check() says which are missing).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!readEvents(db).stream().map(Row::requestId).collect(Collectors.toSet())
            .containsAll(upstreamCalls.keySet()) && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
            .until(() -> ledgerHealth(base).path("lag_events").asLong(-1) == 0);
        assertThat(ledgerHealth(base).path("unreadable_records").asLong(-1))
            .as("every outcome found its intent across the kills").isZero();
        // A clean stop with a slow call in flight, and a second SIGTERM while it drains (an impatient
        // supervisor): the drain still lets the call finish and writes its usage before the process exits.
        upstream.enqueue(FakeUpstream.delayed(Duration.ofMillis(1500),
            FakeUpstream.json(200, FakeUpstream.chatCompletion("last words", 3, 2))));
        int before = upstream.received().size();
        java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>> slow =
            java.net.http.HttpClient.newHttpClient().sendAsync(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(base + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + TestGateway.MASTER_KEY).header("Content-Type", "application/json")
                .header("x-request-id", "the-last-call")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"bye\"}]}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> upstream.received().size() > before);
        Path log = dir.resolve("gateway-" + ROUNDS + ".log");
        last.destroy(); // SIGTERM
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(log).contains("shutting down"));
        last.destroy(); // SIGTERM again, while the slow call holds the drain
        assertThat(last.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(last.exitValue()).isZero();
        assertThat(slow.join().statusCode()).isEqualTo(200);
        assertThat(Files.readString(log)).contains("already stopping").contains("stopped in");
        outcomes.add(new GatewayLoad.Outcome("the-last-call", false, 200));
      } finally {
        last.destroyForcibly();
      }
      check(upstreamCallsByRequest(upstream), readEvents(db), outcomes);
    }
  }

  private void check(Map<String, Long> upstreamCalls, List<Row> events, List<GatewayLoad.Outcome> outcomes) {
    Map<String, List<Row>> byRequest = events.stream().collect(Collectors.groupingBy(Row::requestId));
    List<String> notExactlyOnce = new ArrayList<>();
    upstreamCalls.forEach((requestId, calls) -> {
      int billed = byRequest.getOrDefault(requestId, List.of()).size();
      if (billed != calls) {
        notExactlyOnce.add(requestId + ": " + calls + " upstream call(s), " + billed + " event(s)");
      }
    });
    List<Row> withoutCall = events.stream().filter(e -> !upstreamCalls.containsKey(e.requestId())).toList();
    Set<String> attempts = new HashSet<>();
    List<Row> repeated = events.stream().filter(e -> !attempts.add(e.requestId() + "#" + e.attempt())).toList();
    Map<String, Long> byStatus = events.stream().collect(Collectors.groupingBy(Row::status, Collectors.counting()));
    List<Row> interrupted = events.stream().filter(e -> e.status().equals(CallIntent.INTERRUPTED)).toList();
    Set<String> answered200 = outcomes.stream().filter(o -> o.status() == 200).map(GatewayLoad.Outcome::requestId)
        .collect(Collectors.toSet());
    long answeredButInterrupted = interrupted.stream().filter(e -> answered200.contains(e.requestId())).count();
    long upstreamTotal = upstreamCalls.values().stream().mapToLong(Long::longValue).sum();

    System.out.printf("LedgerCrashTest: %d rounds killed with SIGKILL; clients sent %d requests (%d answered 200); "
            + "the upstream answered %d calls of %d requests; the ledger holds %d events: %s; interrupted without an "
            + "upstream call (killed between the intent and the request): %d; answered 200 but billed as "
            + "interrupted (killed before the event was on disk): %d%n",
        ROUNDS, outcomes.size(), answered200.size(), upstreamTotal, upstreamCalls.size(), events.size(), byStatus,
        withoutCall.size(), answeredButInterrupted);

    assertThat(upstreamTotal).as("enough load to mean something").isGreaterThan(60);
    assertThat(notExactlyOnce).as("every upstream call is in the ledger exactly once").isEmpty();
    assertThat(repeated).as("one event per (request, attempt)").isEmpty();
    assertThat(events.stream().map(Row::id).distinct().count()).isEqualTo(events.size());
    assertThat(withoutCall).as("only a call killed between its intent and its request has no upstream call")
        .allMatch(e -> e.status().equals(CallIntent.INTERRUPTED));
    assertThat(withoutCall).as("at most one such call per client per kill").hasSizeLessThanOrEqualTo(CLIENTS * ROUNDS);
    assertThat(interrupted).as("the kills landed while calls were in flight").isNotEmpty();
    assertThat(interrupted).as("an interrupted call is billed for its prompt, marked estimated")
        .allMatch(e -> e.estimated() && e.inputTokens() > 0 && e.costMicros() > 0);
    assertThat(byStatus.keySet()).as("nothing else went wrong").containsOnly("ok", CallIntent.INTERRUPTED);
  }

  private static Map<String, Long> upstreamCallsByRequest(FakeUpstream upstream) {
    return upstream.received().stream()
        .map(r -> FakeUpstream.headersOf(r).get("x-request-id"))
        .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
  }

  private static List<Row> readEvents(Path db) throws SQLException {
    List<Row> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT id, request_id, attempt, status, estimated, input_tokens, cost_micros "
            + "FROM usage_events")) {
      while (r.next()) {
        rows.add(new Row(r.getString(1), r.getString(2), r.getInt(3), r.getString(4), r.getInt(5) != 0,
            r.getLong(6), r.getLong(7)));
      }
    } catch (SQLException e) {
      if (e.getMessage().contains("no such table")) {
        return rows; // not migrated yet
      }
      throw e;
    }
    return rows;
  }

  private JsonNode ledgerHealth(String base) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body()).path("components").path("ledger");
  }

  private Path writeConfig(FakeUpstream upstream, Path db) throws IOException {
    String yaml = """
        server: { host: 127.0.0.1, port: 0, event_loops: 2, drain_timeout: 2s }
        database: { url: "jdbc:sqlite:%s" }
        auth: { master_key: "%s" }
        ledger: { wal: { directory: "%s" } }
        logging: { access_log: false }
        %s
        models:
          - name: m
            deployments: [ { provider: fake, model: upstream-model } ]
            price: { input_per_mtok: 1.00, output_per_mtok: 2.00 }
        """.formatted(db, TestGateway.MASTER_KEY, dir.resolve("wal"), TestGateway.providerYaml(upstream.baseUrl(), "")
        .replace("first_byte: 2s, idle: 1s, total: 5s", "first_byte: 10s, idle: 10s, total: 30s"));
    Path file = dir.resolve("tollgate.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  /** {@code tollgate serve} in a child JVM on this test's classpath, its output in {@code gateway-N.log}. */
  private Process startGateway(Path config, int round) throws IOException {
    String java = ProcessHandle.current().info().command().orElseThrow();
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return new ProcessBuilder(java, "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "--enable-native-access=ALL-UNNAMED", "-cp", classpath, "dev.tollgate.cli.Main", "serve", "--config",
        config.toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("gateway-" + round + ".log").toFile())
        .start();
  }

  /** Waits for the child's banner and returns its address; fails with the child's output if it died. */
  private String baseUrl(Process child, int round) throws Exception {
    Path log = dir.resolve("gateway-" + round + ".log");
    String[] found = new String[1];
    Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
      Matcher m = LISTENING.matcher(Files.readString(log));
      if (m.find()) {
        found[0] = m.group(1);
        return true;
      }
      if (!child.isAlive()) {
        throw new AssertionError("the gateway exited with " + child.exitValue() + ":\n" + Files.readString(log));
      }
      return false;
    });
    return found[0];
  }
}
