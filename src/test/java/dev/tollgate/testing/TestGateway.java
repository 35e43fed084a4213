package dev.tollgate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.Tollgate;
import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.TollgateConfig;
import dev.tollgate.metering.UsageEvent;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.slf4j.LoggerFactory;

/**
 * A real Tollgate on loopback (port 0, its own SQLite file or a given database URL) for tests, with
 * raw-HTTP helpers. Vert.x's blocked-thread checker runs with tight limits, and closing the gateway
 * fails the test if an event loop was ever blocked.
 */
public final class TestGateway implements AutoCloseable {
  public static final String MASTER_KEY = "test-master-key-0123456789abcdefghijklmnop";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Tollgate tollgate;
  private final Path dir;
  private final String databaseUrl;
  private final String providersAndModels;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ListAppender<ILoggingEvent> blocked = new ListAppender<>();
  private final ListAppender<ILoggingEvent> everything = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final java.util.Set<String> secrets = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final Logger checkerLogger = (Logger) LoggerFactory.getLogger("io.vertx.core.impl.BlockedThreadChecker");

  private TestGateway(String providersAndModels, String extra, String databaseUrl) {
    try {
      this.dir = Files.createTempDirectory("tollgate-test");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    this.databaseUrl = databaseUrl != null ? databaseUrl : "jdbc:sqlite:" + dir.resolve("tollgate.db");
    this.providersAndModels = providersAndModels;
    TollgateConfig config = new ConfigLoader(Map.of(), false).parse(yaml(extra));
    blocked.start();
    checkerLogger.addAppender(blocked);
    everything.start();
    root.addAppender(everything);
    secrets.add(MASTER_KEY);
    secrets.add("sk-upstream-secret");
    VertxOptions options = new VertxOptions()
        .setBlockedThreadCheckInterval(100)
        .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
        .setMaxEventLoopExecuteTime(200)
        .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        // A blocked loop is reported with the stack that blocked it, not just the duration.
        .setWarningExceptionTime(200)
        .setWarningExceptionTimeUnit(TimeUnit.MILLISECONDS);
    this.tollgate = Tollgate.start(config, options, Clock.systemUTC());
    this.startedAtMillis = System.currentTimeMillis();
  }

  private String yaml(String extra) {
    // An extra top-level auth block (sign-in settings) replaces the default one; it names MASTER_KEY itself.
    boolean ownAuth = extra.lines().anyMatch(line -> line.startsWith("auth:"));
    // Every gateway its own usage ledger (a log directory is locked by one process), unless the test sets one.
    boolean ownLedger = extra.lines().anyMatch(line -> line.startsWith("ledger:"));
    return """
        server: { host: 127.0.0.1, port: 0, event_loops: 2, drain_timeout: 5s }
        database: { url: "%s" }
        %s
        %s
        logging: { access_log: true }
        %s
        %s
        """.formatted(databaseUrl, ownAuth ? "" : "auth: { master_key: \"" + MASTER_KEY + "\" }",
        ownLedger ? "" : "ledger: { wal: { directory: \"" + dir.resolve("wal") + "\" } }", extra, providersAndModels);
  }

  /**
   * Applies the configuration this gateway would have with {@code extra} instead, as a reload of the
   * configuration file does; returns the sections that would need a restart.
   */
  public List<String> reconfigure(String extra) {
    return tollgate.reconfigure(new ConfigLoader(Map.of(), false).parse(yaml(extra)));
  }

  /** A gateway whose models point at the given fake upstream: model {@code m} served as {@code upstream-model}. */
  public static TestGateway withUpstream(FakeUpstream upstream) {
    return withUpstream(upstream, "");
  }

  public static TestGateway withUpstream(FakeUpstream upstream, String extra) {
    return start(providerYaml(upstream.baseUrl(), "") + """
        models:
          - name: m
            deployments: [ { provider: fake, model: upstream-model } ]
            price: { input_per_mtok: 1.00, output_per_mtok: 2.00 }
          - name: other
            deployments: [ { provider: fake, model: other-upstream } ]
        """, extra);
  }

  public static String providerYaml(String baseUrl, String providerExtra) {
    return """
        providers:
          - name: fake
            type: openai
            base_url: "%s"
            api_key: "sk-upstream-secret"
            timeouts: { connect: 1s, first_byte: 2s, idle: 1s, total: 5s }
            %s
        """.formatted(baseUrl, providerExtra);
  }

  public static TestGateway start(String providersAndModels, String extra) {
    return new TestGateway(providersAndModels, extra, null);
  }

  public static TestGateway start(String providersAndModels, String extra, String databaseUrl) {
    return new TestGateway(providersAndModels, extra, databaseUrl);
  }

  public Tollgate tollgate() {
    return tollgate;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + tollgate.port();
  }

  public HttpResponse<String> post(String path, String key, String body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path))
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    boolean typed = false;
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
      typed |= headers[i].equalsIgnoreCase("content-type");
    }
    if (!typed) {
      b.header("Content-Type", "application/json");
    }
    return send(b.build());
  }

  public HttpResponse<String> request(String method, String path, String key) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return send(b.build());
  }

  /** Any method, with a JSON body when {@code body} is not null. */
  public HttpResponse<String> call(String method, String path, String key, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return send(b.build());
  }

  public HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public HttpClient http() {
    return http;
  }

  /** Creates a virtual key through the admin API and returns its secret. */
  public String createKey(String body) {
    HttpResponse<String> r = post("/admin/v1/keys", MASTER_KEY, body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    String secret = json(r.body()).get("key").asText();
    secrets.add(secret);
    return secret;
  }

  public String createKey() {
    return createKey("{\"name\":\"test\"}");
  }

  public static JsonNode json(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new IllegalStateException("not JSON: " + body, e);
    }
  }

  /** Waits until every call has ended and its usage event is in the database. */
  public void awaitUsageSettled() {
    Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
        .until(() -> tollgate.ledger().unsettled() == 0);
  }

  /** The usage records of a request, after the writer has caught up. */
  public List<UsageEvent> usage(String requestId) {
    awaitUsageSettled();
    return tollgate.usageStore().findByRequestId(requestId);
  }

  public long usageCount() {
    awaitUsageSettled();
    return tollgate.usageStore().count();
  }

  /** Messages logged at ERROR so far by loggers whose name starts with {@code prefix}. */
  public List<String> errorsLoggedBy(String prefix) {
    synchronized (everything.list) {
      return everything.list.stream()
          .filter(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR && e.getLoggerName().startsWith(prefix))
          .map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  /** Remembers a secret that must never appear in any log line. */
  public void secret(String value) {
    secrets.add(value);
  }

  /** When the gateway was up: one-off start-up work on a loop (building the router, binding) is not a bug. */
  private long startedAtMillis = Long.MAX_VALUE;

  private boolean blockedByUs(ILoggingEvent e) {
    var thrown = e.getThrowableProxy();
    if (thrown == null) {
      return true;
    }
    var frames = thrown.getStackTraceElementProxyArray();
    boolean idle = frames.length > 0 && frames[0].getStackTraceElement().getMethodName().startsWith("epollWait");
    // Loading and linking classes on a code path's first use is slow on a starved machine but happens once.
    boolean loading = java.util.Arrays.stream(frames).limit(12).map(f -> f.getStackTraceElement().toString())
        .anyMatch(f -> f.contains("ClassLoader.defineClass") || f.contains("jdk.internal.classfile")
            || f.contains("ClassLoader.loadClass") || f.contains("MethodHandleNatives.linkCallSite"));
    idle |= loading;
    java.util.regex.Matcher ms = java.util.regex.Pattern.compile("blocked for (\\d+) ms").matcher(e.getFormattedMessage());
    long millis = ms.find() ? Long.parseLong(ms.group(1)) : Long.MAX_VALUE;
    boolean startingUp = millis != Long.MAX_VALUE && e.getTimeStamp() - millis < startedAtMillis && millis <= 2_000;
    return !(idle || startingUp) || millis > 2_000;
  }

  @Override
  public void close() {
    tollgate.close();
    checkerLogger.detachAppender(blocked);
    root.detachAppender(everything);
    // A loop caught in our code, or stuck for long, is a bug. A loop caught waiting in epoll was merely
    // not scheduled (the machine was overloaded, e.g. a parallel build): the checker cannot tell.
    assertThat(blocked.list.stream().filter(this::blockedByUs).map(ILoggingEvent::getFormattedMessage))
        .as("an event loop was blocked").isEmpty();
    for (ILoggingEvent event : everything.list) {
      StringBuilder text = new StringBuilder(event.getFormattedMessage());
      if (event.getKeyValuePairs() != null) {
        event.getKeyValuePairs().forEach(kv -> text.append(' ').append(kv.key).append('=').append(kv.value));
      }
      for (var t = event.getThrowableProxy(); t != null; t = t.getCause()) {
        text.append(' ').append(t.getMessage());
      }
      for (String secret : secrets) {
        assertThat(text.toString()).as("a secret reached the log").doesNotContain(secret);
      }
    }
  }
}
