package dev.tollgate.metering.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.metering.UsageEvent;
import dev.tollgate.testing.FakeUpstream;
import dev.tollgate.testing.TestGateway;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Exactness: many calls of every kind (answered, streamed, cut off, failed and retried, abandoned by
 * the client) against a fake upstream whose usage is known. The ledger holds exactly one event per
 * upstream call, and what it charges equals what is computed here, independently, from the usage the
 * fake reported and the price table (3 and 15 micro-dollars per input and output token).
 */
class LedgerExactnessTest {
  private static final String CHAT = "/v1/chat/completions";
  private static final long INPUT_MICROS = 3;
  private static final long OUTPUT_MICROS = 15;

  enum Kind { ANSWER, STREAM, CUT_STREAM, FAIL_THEN_ANSWER, RATE_LIMITED_THEN_STREAM, CLIENT_LEAVES }

  @Test
  void everyUpstreamCallIsBilledOnceAndTheTotalIsExact() throws Exception {
    try (FakeUpstream upstream = FakeUpstream.start();
        TestGateway gateway = TestGateway.start(TestGateway.providerYaml(upstream.baseUrl(), "") + """
            models:
              - name: m
                price: { input_per_mtok: 3, output_per_mtok: 15 }
                # A rate-limited deployment cools down: the other one takes the retry.
                deployments: [ { provider: fake, model: upstream-model }, { provider: fake, model: upstream-model-b } ]
            # The breaker stays out of it: cut streams count as failures, and this test is about billing.
            routing:
              backoff: { base: 1ms, max: 2ms }
              cooldown: 10ms
              breaker: { failure_rate: 100, window: 1000, minimum_calls: 1000 }
            """, "")) {
      String key = gateway.createKey();
      Random random = new Random(20261126L);
      Map<Kind, Integer> kinds = new HashMap<>();
      long expectedReportedCost = 0;
      int expectedUpstreamCalls = 0;
      List<String> estimatedRequests = new ArrayList<>();
      for (int i = 0; i < 90; i++) {
        Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
        kinds.merge(kind, 1, Integer::sum);
        long prompt = 1 + random.nextInt(2_000);
        long completion = 1 + random.nextInt(800);
        String id = "exact-" + i;
        switch (kind) {
          case ANSWER -> {
            upstream.enqueue(FakeUpstream.json(200, FakeUpstream.chatCompletion("answer " + i, prompt, completion)));
            assertThat(post(gateway, key, id, false)).isEqualTo(200);
            expectedReportedCost += cost(prompt, completion);
            expectedUpstreamCalls += 1;
          }
          case STREAM -> {
            upstream.enqueue(FakeUpstream.sse(Duration.ofMillis(1),
                FakeUpstream.stream(List.of("one ", "two ", "three"), prompt, completion)));
            assertThat(post(gateway, key, id, true)).isEqualTo(200);
            expectedReportedCost += cost(prompt, completion);
            expectedUpstreamCalls += 1;
          }
          case CUT_STREAM -> {
            // Cut before the usage chunk: the gateway counts what it saw and marks it estimated.
            upstream.enqueue(FakeUpstream.sseThenReset(List.of(FakeUpstream.chunk("partial "),
                FakeUpstream.chunk("answer"))));
            post(gateway, key, id, true);
            estimatedRequests.add(id);
            expectedUpstreamCalls += 1;
          }
          case FAIL_THEN_ANSWER -> {
            upstream.enqueue(FakeUpstream.json(500, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}"),
                FakeUpstream.json(200, FakeUpstream.chatCompletion("second try", prompt, completion)));
            assertThat(post(gateway, key, id, false)).isEqualTo(200);
            expectedReportedCost += cost(prompt, completion); // the failed attempt costs nothing
            expectedUpstreamCalls += 2;
          }
          case RATE_LIMITED_THEN_STREAM -> {
            upstream.enqueue(FakeUpstream.json(429, "{\"error\":{\"message\":\"slow down\",\"type\":\"requests\"}}",
                    "retry-after-ms", "10"),
                FakeUpstream.sse(Duration.ofMillis(1), FakeUpstream.stream(List.of("late"), prompt, completion)));
            assertThat(post(gateway, key, id, true)).isEqualTo(200);
            expectedReportedCost += cost(prompt, completion);
            expectedUpstreamCalls += 2;
          }
          case CLIENT_LEAVES -> {
            upstream.enqueue(FakeUpstream.endlessSse(Duration.ofMillis(5)));
            leaveMidStream(gateway, key, id);
            estimatedRequests.add(id);
            expectedUpstreamCalls += 1;
          }
        }
        gateway.awaitUsageSettled(); // one at a time, so that the fake's queue pairs with this call
      }
      System.out.println("exactness: " + kinds + ", upstream calls " + upstream.received().size());

      List<UsageEvent> events = new ArrayList<>();
      gateway.tollgate().usageStore().export(new dev.tollgate.store.JdbiUsageStore.ExportQuery(0, Long.MAX_VALUE,
          dev.tollgate.access.directory.Scope.everything(), java.util.Optional.empty(), java.util.Optional.empty(),
          java.util.Optional.empty(), java.util.Optional.empty()), events::add);

      // Exactly one event per upstream call, matched by the request id the fake saw.
      assertThat(upstream.received()).hasSize(expectedUpstreamCalls);
      Map<String, Long> callsPerRequest = upstream.received().stream()
          .collect(Collectors.groupingBy(r -> r.headers().get("x-request-id"), Collectors.counting()));
      Map<String, Long> eventsPerRequest = events.stream()
          .collect(Collectors.groupingBy(UsageEvent::requestId, Collectors.counting()));
      assertThat(eventsPerRequest).isEqualTo(callsPerRequest);
      assertThat(events).extracting(UsageEvent::id).doesNotHaveDuplicates();

      // What the upstream reported is charged to the micro-dollar.
      long reportedCost = events.stream().filter(e -> !e.estimated()).mapToLong(UsageEvent::costMicros).sum();
      assertThat(reportedCost).isEqualTo(expectedReportedCost);
      // What it did not report is counted, charged at the same prices and marked.
      Map<String, UsageEvent> byRequest = events.stream().filter(UsageEvent::estimated)
          .collect(Collectors.toMap(UsageEvent::requestId, Function.identity()));
      assertThat(byRequest.keySet()).containsExactlyInAnyOrderElementsOf(estimatedRequests);
      for (UsageEvent e : byRequest.values()) {
        assertThat(e.inputTokens()).isPositive();
        assertThat(e.outputTokens()).isPositive();
        assertThat(e.costMicros()).isEqualTo(cost(e.inputTokens(), e.outputTokens()));
      }
      // Every event carries the caller's team and the key.
      assertThat(events).allSatisfy(e -> assertThat(e.teamId()).isEqualTo("default"));
    }
  }

  private static long cost(long input, long output) {
    return input * INPUT_MICROS + output * OUTPUT_MICROS;
  }

  private static int post(TestGateway gateway, String key, String id, boolean stream) {
    String body = "{\"model\":\"m\",\"stream\":" + stream
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"count me exactly\"}]}";
    return gateway.post(CHAT, key, body, "x-request-id", id).statusCode();
  }

  /** Reads two events of a stream, then hangs up. */
  private static void leaveMidStream(TestGateway gateway, String key, String id) throws Exception {
    String body = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}";
    try (Socket socket = new Socket("127.0.0.1", gateway.tollgate().port())) {
      socket.setSoTimeout(10_000);
      String request = "POST " + CHAT + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
          + "\r\nContent-Type: application/json\r\nx-request-id: " + id + "\r\nContent-Length: "
          + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.UTF_8));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      int events = 0;
      for (String line = in.readLine(); line != null && events < 2; line = in.readLine()) {
        if (line.startsWith("data: ")) {
          events++;
        }
      }
    }
  }
}
