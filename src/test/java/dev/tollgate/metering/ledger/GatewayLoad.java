package dev.tollgate.metering.ledger;

import dev.tollgate.testing.FakeUpstream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Clients calling a gateway's chat completions in a loop, streaming and not at random (seeded), each
 * request with its own {@code x-request-id} so that the fake upstream's calls and the ledger's events
 * can be matched to it. A call that fails (the gateway was killed, the port is closed) is recorded
 * with status -1 and the client goes on until stopped.
 */
final class GatewayLoad implements AutoCloseable {
  /** One request as its client saw it: the HTTP status, or -1 when the connection failed. */
  record Outcome(String requestId, boolean stream, int status) {}

  private final String baseUrl;
  private final String key;
  private final String idPrefix;
  private final long seed;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
  private final Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
  private final AtomicInteger ok = new AtomicInteger();
  private final List<Thread> clients = new ArrayList<>();
  private volatile boolean stopping;

  GatewayLoad(String baseUrl, String key, String idPrefix, long seed) {
    this.baseUrl = baseUrl;
    this.key = key;
    this.idPrefix = idPrefix;
    this.seed = seed;
  }

  /** Starts {@code n} clients. */
  GatewayLoad start(int n) {
    for (int c = 0; c < n; c++) {
      int client = c;
      clients.add(Thread.ofVirtual().name("load-" + idPrefix + client).start(() -> run(client)));
    }
    return this;
  }

  private void run(int client) {
    Random random = new Random(seed * 31 + client);
    for (int n = 0; !stopping; n++) {
      String id = idPrefix + client + "-" + n;
      boolean stream = random.nextBoolean();
      String body = "{\"model\":\"m\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"call "
          + id + "\"}]}";
      HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/chat/completions"))
          .timeout(Duration.ofSeconds(20))
          .header("Authorization", "Bearer " + key)
          .header("Content-Type", "application/json")
          .header("x-request-id", id)
          .POST(HttpRequest.BodyPublishers.ofString(body))
          .build();
      int status;
      try {
        status = http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
      } catch (IOException e) {
        status = -1;
        pause(50); // the gateway is gone: do not spin on a closed port
      } catch (InterruptedException e) {
        return;
      }
      outcomes.add(new Outcome(id, stream, status));
      if (status == 200) {
        ok.incrementAndGet();
      }
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Calls answered 200 so far. */
  int succeeded() {
    return ok.get();
  }

  List<Outcome> outcomes() {
    return List.copyOf(outcomes);
  }

  /** Stops the clients after their current call and waits for them. */
  @Override
  public void close() {
    stopping = true;
    for (Thread t : clients) {
      try {
        if (!t.join(Duration.ofSeconds(30))) {
          t.interrupt();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    http.close();
  }

  /**
   * How the fake upstream answers: a third at once, the rest after up to 700 ms, streams word by word
   * over up to ~1.2 s, so that many calls are in flight at any moment.
   */
  static FakeUpstream.Behavior answers(long seed) {
    Random random = new Random(seed);
    return (request, response, vertx) -> {
      boolean stream = request.body() != null && request.body().path("stream").asBoolean(false);
      int words = 3 + random.nextInt(6);
      FakeUpstream.Behavior behavior;
      if (stream) {
        List<String> text = new ArrayList<>();
        for (int i = 0; i < words; i++) {
          text.add("w" + i + " ");
        }
        behavior = FakeUpstream.sse(Duration.ofMillis(20 + random.nextInt(130)), FakeUpstream.stream(text, 12, words));
      } else {
        FakeUpstream.Behavior answer = FakeUpstream.json(200, FakeUpstream.chatCompletion("fine", 12, words));
        behavior = random.nextInt(3) == 0 ? answer
            : FakeUpstream.delayed(Duration.ofMillis(50 + random.nextInt(650)), answer);
      }
      behavior.respond(request, response, vertx);
    };
  }
}
