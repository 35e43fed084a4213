package dev.tollgate.provider.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.config.ProviderConfig;
import dev.tollgate.config.ProviderType;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Each provider type against a fake of it on loopback: up, wrong key, unreachable, slow, garbage. */
class ProviderProbeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Generous: the first SigV4 signature in a JVM loads the AWS signer, which can take a second. */
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  /** For the slow fake, which answers after 5 s. */
  private static final Duration SHORT_TIMEOUT = Duration.ofMillis(300);
  private static final List<String> SECRETS = List.of(FakeProvider.KEY, FakeProvider.WRONG_KEY, FakeProvider.AWS_ID,
      FakeProvider.AWS_SECRET, FakeProvider.AWS_WRONG_SECRET, FakeProvider.AWS_TOKEN);
  private static final List<ProviderType> HTTP_TYPES = List.of(ProviderType.OPENAI, ProviderType.AZURE,
      ProviderType.ANTHROPIC, ProviderType.GEMINI, ProviderType.BEDROCK);

  private static Vertx vertx;
  private final ProviderProbe probe = new ProviderProbe(JSON, FakeProvider.CLOCK, TIMEOUT);
  private final ProviderProbe shortProbe = new ProviderProbe(JSON, FakeProvider.CLOCK, SHORT_TIMEOUT);

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    vertx.close().await();
  }

  /** A scenario: how the fake behaves, which config the probe uses, what it must report. */
  enum Scenario { UP, WRONG_KEY, UNREACHABLE, SLOW, GARBAGE }

  static Stream<Arguments> everyTypeAndScenario() {
    List<Arguments> all = new ArrayList<>();
    for (ProviderType type : HTTP_TYPES) {
      for (Scenario s : Scenario.values()) {
        all.add(Arguments.of(type, s));
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("everyTypeAndScenario")
  void reportsWhatTheProviderDid(ProviderType type, Scenario scenario) throws IOException {
    try (FakeProvider fake = new FakeProvider(type)) {
      ProviderConfig config = switch (scenario) {
        case UP -> fake.config("p");
        case WRONG_KEY -> fake.wrongKeyConfig("p");
        case UNREACHABLE -> FakeProvider.config("p", type, "http://127.0.0.1:" + closedPort(), false);
        case SLOW -> {
          fake.mode(FakeProvider.Mode.SLOW);
          yield fake.config("p");
        }
        case GARBAGE -> {
          fake.mode(FakeProvider.Mode.GARBAGE);
          yield fake.config("p");
        }
      };

      ProviderProbe probe = scenario == Scenario.SLOW ? shortProbe : this.probe;
      ProbeResult result = probe.probe(vertx, config).await();

      ProbeStatus expected = switch (scenario) {
        case UP -> ProbeStatus.UP;
        case WRONG_KEY -> ProbeStatus.AUTH_FAILED;
        case UNREACHABLE -> ProbeStatus.UNREACHABLE;
        case SLOW -> ProbeStatus.TIMEOUT;
        case GARBAGE -> ProbeStatus.DOWN;
      };
      assertThat(result.status()).as(result.toString()).isEqualTo(expected);
      assertThat(result.provider()).isEqualTo("p");
      assertThat(result.type()).isEqualTo(type);
      assertThat(result.detail()).isNotBlank();
      SECRETS.forEach(s -> assertThat(result.detail()).doesNotContain(s));
      if (scenario == Scenario.SLOW) {
        assertThat(result.latencyMillis()).isEqualTo(SHORT_TIMEOUT.toMillis());
        assertThat(result.detail()).isEqualTo("no complete answer within 300 ms");
      } else {
        assertThat(result.latencyMillis()).isBetween(0L, TIMEOUT.toMillis());
      }
      assertThat(fake.received()).hasSize(scenario == Scenario.UNREACHABLE ? 0 : 1);
    }
  }

  @Test
  void openAiRefusalEchoingTheKeyIsScrubbed() {
    try (FakeProvider fake = new FakeProvider(ProviderType.OPENAI)) {
      ProbeResult result = probe.probe(vertx, fake.wrongKeyConfig("openai")).await();

      assertThat(result.status()).isEqualTo(ProbeStatus.AUTH_FAILED);
      assertThat(result.detail()).isEqualTo("HTTP 401 invalid_api_key: Incorrect API key provided: ****. You can find"
          + " your API key at https://platform.openai.com/account/api-keys.");
    }
  }

  @Test
  void bedrockWithTheWrongSecretIsAnInvalidSignatureAndTheSignatureIsScrubbed() {
    try (FakeProvider fake = new FakeProvider(ProviderType.BEDROCK)) {
      ProbeResult result = probe.probe(vertx, fake.wrongKeyConfig("b")).await();

      assertThat(result.status()).isEqualTo(ProbeStatus.AUTH_FAILED);
      assertThat(result.detail()).startsWith("HTTP 403 InvalidSignatureException: The request signature we calculated")
          .contains("Credential=****/20261126/us-east-1/bedrock/aws4_request").contains("Signature=****")
          .doesNotContainPattern("Signature=[0-9a-f]{8}");
    }
  }

  @Test
  void bedrockProbeIsAConverseToAModelThatCannotExist() {
    try (FakeProvider fake = new FakeProvider(ProviderType.BEDROCK)) {
      ProbeResult result = probe.probe(vertx, fake.config("b")).await();

      assertThat(result.status()).isEqualTo(ProbeStatus.UP);
      assertThat(result.detail()).isEqualTo("signature accepted (ValidationException for the probe model"
          + " 'tollgate-doctor-probe', as expected)");
      FakeProvider.Received r = fake.received().getFirst();
      assertThat(r.uri()).isEqualTo("/model/tollgate-doctor-probe/converse");
      assertThat(r.headers().get("x-amz-security-token")).isEqualTo(FakeProvider.AWS_TOKEN);
      assertThat(JSON.readTree(r.body().getBytes())).isEqualTo(JSON.readTree("""
          {"messages": [{"role": "user", "content": [{"text": "ping"}]}], "inferenceConfig": {"maxTokens": 1}}"""));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void upReportsTheSizeOfTheFirstPage() {
    try (FakeProvider fake = new FakeProvider(ProviderType.OPENAI)) {
      ProbeResult result = probe.probe(vertx, fake.config("openai")).await();

      assertThat(result.detail()).isEqualTo("model list answered (2 on the first page)");
      assertThat(fake.received().getFirst().headers().get("x-request-id")).isEqualTo("tollgate-doctor");
    }
  }

  @Test
  void anOpenAiCompatibleServerWithoutKeyIsProbedWithoutAuthorization() {
    try (FakeProvider fake = new FakeProvider(ProviderType.OPENAI)) {
      ProviderConfig keyless = new ProviderConfig("local", ProviderType.OPENAI, fake.config("x").baseUrl(),
          java.util.Optional.empty(), null, java.util.Map.of(), true, dev.tollgate.config.Timeouts.DEFAULTS, 4,
          dev.tollgate.config.MockSettings.DEFAULTS);

      ProbeResult result = probe.probe(vertx, keyless).await();

      assertThat(fake.received().getFirst().headers().contains("authorization")).isFalse();
      assertThat(result.status()).isEqualTo(ProbeStatus.AUTH_FAILED); // this fake wants a key
    }
  }

  @ParameterizedTest
  @EnumSource(value = ProviderType.class, names = {"AZURE", "ANTHROPIC", "GEMINI"})
  void aMissingKeyFailsWithoutCallingTheProvider(ProviderType type) {
    try (FakeProvider fake = new FakeProvider(type)) {
      ProviderConfig base = fake.config("p");
      ProviderConfig keyless = new ProviderConfig("p", type, base.baseUrl(), java.util.Optional.empty(),
          base.apiVersion(), base.headers(), true, base.timeouts(), 4, base.mock(), base.cloud());

      ProbeResult result = probe.probe(vertx, keyless).await();

      assertThat(result.status()).isEqualTo(ProbeStatus.AUTH_FAILED);
      assertThat(result.detail()).isEqualTo("no api_key is configured");
      assertThat(fake.received()).isEmpty();
    }
  }

  @Test
  void theMockIsAlwaysUp() {
    ProviderConfig mock = FakeProvider.config("m", ProviderType.MOCK, "http://127.0.0.1:1", false);

    assertThat(probe.probe(vertx, mock).await())
        .isEqualTo(new ProbeResult("m", ProviderType.MOCK, ProbeStatus.UP, 0, "built-in mock"));
  }

  static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
