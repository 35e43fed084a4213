package dev.tollgate.provider.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.config.ProviderConfig;
import dev.tollgate.config.ProviderType;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** All providers at once, results in configuration order. */
class ProviderProbesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  void probesRunConcurrentlyAndResultsKeepConfigOrder() throws Exception {
    // Holds every answer until all three probes have arrived: probes run one after another would
    // never get there, and the first would time out.
    int providers = 3;
    List<HttpServerResponse> held = new ArrayList<>();
    AtomicInteger arrived = new AtomicInteger();
    HttpServer server = vertx.createHttpServer().requestHandler(req -> {
      held.add(req.response());
      if (arrived.incrementAndGet() == providers) {
        held.forEach(r -> r.putHeader("content-type", "application/json").end("{\"object\":\"list\",\"data\":[]}"));
      }
    });
    server.listen(0, "127.0.0.1").await();
    String base = "http://127.0.0.1:" + server.actualPort() + "/v1";
    List<ProviderConfig> config = List.of(
        FakeProvider.config("first", ProviderType.OPENAI, base, false),
        FakeProvider.config("mock", ProviderType.MOCK, "http://127.0.0.1:1", false),
        FakeProvider.config("second", ProviderType.OPENAI, base, false),
        FakeProvider.config("gone", ProviderType.GEMINI, "http://127.0.0.1:" + ProviderProbeTest.closedPort(), false),
        FakeProvider.config("third", ProviderType.OPENAI, base, false));
    ProviderProbes probes = new ProviderProbes(new ProviderProbe(JSON, FakeProvider.CLOCK, Duration.ofSeconds(5)));

    List<ProbeResult> results = probes.probeAll(vertx, config).await();

    assertThat(arrived).hasValue(providers);
    assertThat(results).extracting(ProbeResult::provider).containsExactly("first", "mock", "second", "gone", "third");
    assertThat(results).extracting(ProbeResult::status).containsExactly(ProbeStatus.UP, ProbeStatus.UP,
        ProbeStatus.UP, ProbeStatus.UNREACHABLE, ProbeStatus.UP);
  }

  @Test
  void blockingProbesUseAVertxOfTheirOwn() {
    try (FakeProvider fake = new FakeProvider(ProviderType.ANTHROPIC)) {
      ProviderProbes probes = new ProviderProbes(new ProviderProbe(JSON, FakeProvider.CLOCK, Duration.ofSeconds(5)));
      var config = new dev.tollgate.config.TollgateConfig(null, null, null, null, null, null, null, null,
          List.of(fake.config("claude"), fake.wrongKeyConfig("claude-old")), List.of(), null, null);

      List<ProbeResult> results = probes.probeAllBlocking(config);

      assertThat(results).extracting(ProbeResult::status).containsExactly(ProbeStatus.UP, ProbeStatus.AUTH_FAILED);
      assertThat(results.get(1).detail()).isEqualTo("HTTP 401 authentication_error: invalid x-api-key");
    }
  }
}
