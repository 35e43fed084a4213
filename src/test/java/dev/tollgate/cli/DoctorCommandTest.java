package dev.tollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.config.ProviderType;
import dev.tollgate.provider.probe.FakeProvider;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tollgate doctor} end to end: a config file, fake providers on loopback, stdout and exit code. */
class DoctorCommandTest {
  private static final String MASTER_KEY = "0123456789abcdef0123456789abcdef";
  private static final List<String> SECRETS = List.of(MASTER_KEY, FakeProvider.KEY, FakeProvider.WRONG_KEY,
      FakeProvider.AWS_ID, FakeProvider.AWS_SECRET, FakeProvider.AWS_WRONG_SECRET, FakeProvider.AWS_TOKEN);

  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  /** Everything any run printed, for the secret scan. */
  private final StringBuilder printed = new StringBuilder();
  private final List<FakeProvider> fakes = new ArrayList<>();
  private FakeProvider openai;
  private FakeProvider anthropic;
  private FakeProvider bedrock;

  @BeforeEach
  void startFakes() {
    openai = fake(ProviderType.OPENAI);
    anthropic = fake(ProviderType.ANTHROPIC);
    bedrock = fake(ProviderType.BEDROCK);
  }

  @AfterEach
  void stopFakesAndScanForSecrets() {
    fakes.forEach(FakeProvider::close);
    SECRETS.forEach(s -> assertThat(printed.toString()).doesNotContain(s));
  }

  @Test
  void allUpPrintsATableAndExits0() throws Exception {
    Path config = config("""
        - { name: openai, type: openai, base_url: "%s", api_key: "%s" }
        - { name: local, type: mock }
        - { name: aws, type: bedrock, base_url: "%s", region: us-east-1, aws_access_key_id: "%s",
            aws_secret_access_key: "%s", aws_session_token: "%s" }
        """.formatted(openai.baseUrl(), FakeProvider.KEY, bedrock.baseUrl(), FakeProvider.AWS_ID,
        FakeProvider.AWS_SECRET, FakeProvider.AWS_TOKEN));

    assertThat(run("doctor", "--config", config.toString())).isZero();

    List<String> lines = out.toString().lines().toList();
    assertThat(lines.getFirst().split(" {2,}")).containsExactly("PROVIDER", "TYPE", "STATUS", "LATENCY", "ERROR");
    assertThat(row(lines, 1)).startsWith("openai", "openai", "up").hasSize(4);
    assertThat(row(lines, 2)).containsExactly("local", "mock", "up", "0 ms");
    assertThat(row(lines, 3)).startsWith("aws", "bedrock", "up").hasSize(4);
    assertThat(row(lines, 1)[3]).matches("\\d+ ms");
    assertThat(lines).endsWith("", "tollgate: 3 of 3 provider(s) up");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void anyProviderNotUpExits1AndSaysWhy() throws Exception {
    Path config = config("""
        - { name: claude, type: anthropic, base_url: "%s", api_key: "%s" }
        - { name: gone, type: gemini, base_url: "http://127.0.0.1:%d", api_key: "%s" }
        - { name: openai, type: openai, base_url: "%s", api_key: "%s" }
        - { name: aws, type: bedrock, base_url: "%s", region: us-east-1, aws_access_key_id: "%s",
            aws_secret_access_key: "%s" }
        """.formatted(anthropic.baseUrl(), FakeProvider.WRONG_KEY, closedPort(), FakeProvider.KEY,
        openai.baseUrl(), FakeProvider.WRONG_KEY, bedrock.baseUrl(), FakeProvider.AWS_ID,
        FakeProvider.AWS_WRONG_SECRET));

    assertThat(run("doctor", "--config", config.toString())).isEqualTo(1);

    List<String> lines = out.toString().lines().toList();
    assertThat(row(lines, 1)).startsWith("claude", "anthropic", "auth_failed")
        .endsWith("HTTP 401 authentication_error: invalid x-api-key");
    assertThat(row(lines, 2)).startsWith("gone", "gemini", "unreachable");
    assertThat(row(lines, 2)[4]).startsWith("cannot connect: ");
    assertThat(row(lines, 3)).startsWith("openai", "openai", "auth_failed");
    assertThat(row(lines, 3)[4]).startsWith("HTTP 401 invalid_api_key: Incorrect API key provided: ****.");
    assertThat(row(lines, 4)).startsWith("aws", "bedrock", "auth_failed");
    assertThat(row(lines, 4)[4]).startsWith("HTTP 403 InvalidSignatureException: ");
    assertThat(lines).last().isEqualTo("tollgate: 0 of 4 provider(s) up");
  }

  @Test
  void jsonPrintsTheHealthReport() throws Exception {
    Path config = config("""
        - { name: openai, type: openai, base_url: "%s", api_key: "%s" }
        - { name: claude, type: anthropic, base_url: "%s", api_key: "%s" }
        """.formatted(openai.baseUrl(), FakeProvider.KEY, anthropic.baseUrl(), FakeProvider.WRONG_KEY));

    assertThat(run("doctor", "--json", "--config", config.toString())).isEqualTo(1);

    JsonNode report = new ObjectMapper().readTree(out.toString());
    assertThat(report.path("checked_at").asText()).isEqualTo(FakeProvider.CLOCK.instant().toString());
    assertThat(report.path("healthy").asBoolean(true)).isFalse();
    assertThat(report.path("summary").path("up").asInt()).isEqualTo(1);
    assertThat(report.path("summary").path("auth_failed").asInt()).isEqualTo(1);
    JsonNode claude = report.path("providers").path(1);
    ((com.fasterxml.jackson.databind.node.ObjectNode) claude).remove("latency_ms");
    assertThat(claude).isEqualTo(new ObjectMapper().readTree("""
        {"name": "claude", "type": "anthropic", "status": "auth_failed",
         "detail": "HTTP 401 authentication_error: invalid x-api-key"}"""));
    assertThat(report.path("providers").path(0).path("status").asText()).isEqualTo("up");
  }

  @Test
  void aSlowProviderTimesOutAfterTheGivenTimeout() throws Exception {
    openai.mode(FakeProvider.Mode.SLOW);
    Path config = config("""
        - { name: openai, type: openai, base_url: "%s", api_key: "%s" }
        """.formatted(openai.baseUrl(), FakeProvider.KEY));

    assertThat(run("doctor", "--timeout", "300ms", "--config", config.toString())).isEqualTo(1);

    assertThat(row(out.toString().lines().toList(), 1))
        .containsExactly("openai", "openai", "timeout", "300 ms", "no complete answer within 300 ms");
  }

  @Test
  void anInvalidConfigIsReportedExactlyLikeServeWithExit2() throws Exception {
    Path config = config("""
        - { name: claude, type: anthropic, api_key: "" }
        - { name: aws, type: bedrock, region: us-east-1, aws_access_key_id: "%s" }
        """.formatted(FakeProvider.AWS_ID));
    assertThat(run("serve", "--config", config.toString())).isEqualTo(2);
    String serveErr = err.toString();
    err.getBuffer().setLength(0);

    assertThat(run("doctor", "--config", config.toString())).isEqualTo(2);

    assertThat(err.toString()).isEqualTo(serveErr).startsWith("tollgate: invalid configuration:")
        .contains("providers[0].api_key: is required for anthropic providers");
    assertThat(out.toString()).isEmpty();
    assertThat(fakes).allSatisfy(f -> assertThat(f.received()).isEmpty());
  }

  @Test
  void aMissingConfigFileIsAConfigError() {
    assertThat(run("doctor", "--config", dir.resolve("nope.yaml").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("nope.yaml: no such file");
  }

  @Test
  void aBadTimeoutIsAUsageError() throws Exception {
    Path config = config("  - { name: local, type: mock }\n");

    assertThat(run("doctor", "--timeout", "soon", "--config", config.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("'soon' is not a duration");
    assertThat(run("doctor", "--timeout", "0s", "--config", config.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--timeout: PT0S (expected: > 0)");
  }

  @Test
  void noProvidersIsHealthy() throws Exception {
    Files.writeString(dir.resolve("empty.yaml"), "auth: { master_key: \"%s\" }\n".formatted(MASTER_KEY));

    assertThat(run("doctor", "--config", dir.resolve("empty.yaml").toString())).isZero();
    assertThat(out.toString()).isEqualTo("tollgate: no providers are configured" + System.lineSeparator());
  }

  @Test
  void durationsReadShortAndIsoForms() {
    var converter = new DoctorCommand.DurationConverter();

    assertThat(converter.convert("500ms")).hasMillis(500);
    assertThat(converter.convert("10s")).hasSeconds(10);
    assertThat(converter.convert("2m")).hasMinutes(2);
    assertThat(converter.convert("PT1.5S")).hasMillis(1500);
  }

  private FakeProvider fake(ProviderType type) {
    FakeProvider f = new FakeProvider(type);
    fakes.add(f);
    return f;
  }

  private Path config(String providers) throws Exception {
    Path file = dir.resolve("tollgate.yaml");
    Files.writeString(file, "auth: { master_key: \"" + MASTER_KEY + "\" }\nproviders:\n"
        + providers.indent(2));
    return file;
  }

  /** Runs {@code tollgate ...} with {@code doctor} registered the way Main will register it. */
  private int run(String... args) {
    CommandLine cli = new CommandLine(new Main()).addSubcommand(new DoctorCommand(FakeProvider.CLOCK));
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    printed.append(out).append(err);
    return code;
  }

  private static String[] row(List<String> lines, int i) {
    return Arrays.stream(lines.get(i).split(" {2,}")).map(String::strip).toArray(String[]::new);
  }

  private static int closedPort() throws Exception {
    try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
