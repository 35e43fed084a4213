package dev.tollgate.server;

import static dev.tollgate.testing.FakeUpstream.chunk;
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
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** A client that hangs up mid-stream makes the gateway cancel the upstream call at once, and bill what was used. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientDisconnectTest {
  private FakeUpstream upstream;
  private TestGateway gateway;
  private String key;

  @BeforeAll
  void start() {
    upstream = FakeUpstream.start();
    gateway = TestGateway.withUpstream(upstream);
    key = gateway.createKey();
  }

  @AfterAll
  void stop() {
    gateway.close();
    upstream.close();
  }

  /** Sends a raw HTTP/1.1 request and returns the open socket. */
  private Socket open(String body, String requestId) throws Exception {
    Socket socket = new Socket("127.0.0.1", gateway.tollgate().port());
    socket.setSoTimeout(60_000);
    String request = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
        + "\r\nContent-Type: application/json\r\nx-request-id: " + requestId + "\r\nContent-Length: "
        + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    OutputStream out = socket.getOutputStream();
    out.write(request.getBytes(StandardCharsets.UTF_8));
    out.flush();
    return socket;
  }

  @Test
  void hangingUpMidStreamCancelsTheUpstreamAndBillsThePartialAnswer() throws Exception {
    upstream.enqueue(FakeUpstream.endlessSse(Duration.ofMillis(20)));
    int before = upstream.cancellations();
    String id = "gone-" + UUID.randomUUID();
    String body = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}";

    try (Socket socket = open(body, id)) {
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      int events = 0;
      for (String line = in.readLine(); line != null && events < 3; line = in.readLine()) {
        if (line.contains("data: ")) {
          events++;
        }
      }
      assertThat(events).isEqualTo(3);
    } // closing the socket is the client going away

    Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> upstream.cancellations() > before);
    List<UsageEvent> usage = gateway.usage(id);
    assertThat(usage).hasSize(1);
    assertThat(usage.getFirst().status()).isEqualTo("client_closed");
    assertThat(usage.getFirst().outputTokens()).isPositive();
    assertThat(usage.getFirst().estimated()).isTrue();
    assertThat(gateway.tollgate().inFlight()).isZero();
  }

  @Test
  void hangingUpBeforeTheAnswerStartsCancelsTheUpstreamToo() throws Exception {
    upstream.enqueue(FakeUpstream.silent());
    int before = upstream.cancellations();
    int received = upstream.received().size();
    String id = "early-" + UUID.randomUUID();

    try (Socket socket = open("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}", id)) {
      Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> upstream.received().size() > received);
    }

    Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> upstream.cancellations() > before);
    List<UsageEvent> usage = gateway.usage(id);
    assertThat(usage).hasSize(1);
    assertThat(usage.getFirst().status()).isEqualTo("client_closed");
    // Cancelling the upstream call is routine: nothing for an operator to chase in the error log.
    assertThat(gateway.errorsLoggedBy("io.vertx")).isEmpty();
  }

  @Test
  void aSlowReaderPausesTheUpstreamInsteadOfBeingBufferedFor() throws Exception {
    // About 40 MB of events: far more than the kernel's socket buffers (up to ~4 MB each way on
    // loopback here) and the write queues hold while the client sleeps.
    int count = 40_001;
    String padding = " ".repeat(1000);
    upstream.enqueue(upstream.burst(i -> i == count - 1 ? FakeUpstream.DONE : chunk("token-" + i + padding), count));
    String id = "slow-" + UUID.randomUUID();
    try (Socket socket = open("{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}",
        id)) {
      // While the client reads nothing, the upstream must stall far short of the end: the gateway
      // paused it rather than reading everything into memory.
      int[] last = {-1};
      Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(400)).until(() -> {
        int now = upstream.burstWritten();
        boolean stalled = now == last[0];
        last[0] = now;
        return stalled;
      });
      assertThat(last[0]).isLessThan(count / 2);
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      int data = 0;
      boolean done = false;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.startsWith("data: ")) {
          data++;
          if (line.equals("data: [DONE]")) {
            done = true;
            break;
          }
        }
      }
      assertThat(done).isTrue();
      assertThat(data).isEqualTo(count);
    }
    assertThat(gateway.usage(id).getFirst().status()).isEqualTo("ok");
  }
}
