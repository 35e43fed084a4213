package dev.tollgate.access.secrets;

import dev.tollgate.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.server.ApiError;
import dev.tollgate.server.GatewayException;
import dev.tollgate.store.Database;
import dev.tollgate.testing.TestDatabases;
import dev.tollgate.testing.TestDatabases.Kind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * The admin operations as the router will call them. The leak test drives set, list, replace, bad
 * requests, rotation and delete while capturing every log line, answer, error and audit entry, then
 * scans them all for the value (issue 4: "a provider key set through the API never appears in any API
 * response, log line or audit entry").
 */
class ProviderSecretsApiTest {
  private static final String SECRET = "sk-live-Zq8VZ3xWb9LmT0pR4uYh1cKe7N";
  private static final String SECRET_2 = "sk-live-second-Jf83Hd7Qp2Ls9Xa1";
  /** Letters and digits only: a JSON parser's error quotes such a token whole, where it stops at a dash. */
  private static final String BARE = "AIzaSyD4bX9kQ7mN2pL8vR3tW6yZ0cE5fH1jK";
  private static final String K1 = "k1:" + Keys.b64(1);
  private static final String K2 = "k2:" + Keys.b64(2);
  private static final Set<String> PROVIDERS = Set.of("openai", "azure", "vertex");

  @TempDir
  Path dir;

  private final ObjectMapper json = new ObjectMapper();
  private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T10:00:00Z"));
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final PatternLayout layout = new PatternLayout();
  private Database db;
  private ProviderSecretStore store;

  @BeforeEach
  void captureLogs() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    layout.setContext(context);
    layout.setPattern("%level %logger %msg %kvp %mdc %ex");
    layout.start();
    logs.setContext(context);
    logs.start();
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(logs);
  }

  @AfterEach
  void release() {
    ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
        .detachAppender(logs);
    logs.stop();
    if (db != null) {
      db.close();
    }
  }

  private ProviderSecretsApi api(String keys) {
    if (db == null) {
      db = TestDatabases.open(Kind.SQLITE, dir);
      store = new ProviderSecretStore(db.jdbi());
    }
    return new ProviderSecretsApi(secrets(keys), PROVIDERS::contains, json);
  }

  private ProviderSecrets secrets(String keys) {
    return new ProviderSecrets(store, new SecretCipher(EncryptionKeys.parse(keys), new SecureRandom()), clock);
  }

  private static byte[] body(String value) {
    return ("{\"value\": \"" + value + "\"}").getBytes(StandardCharsets.UTF_8);
  }

  private String logText() {
    StringBuilder sb = new StringBuilder();
    logs.list.forEach(e -> sb.append(layout.doLayout(e)).append('\n'));
    return sb.toString();
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void theValueAppearsInNoAnswerLogLineErrorOrAuditEntry(Kind kind) {
    db = TestDatabases.open(kind, dir);
    store = new ProviderSecretStore(db.jdbi());
    List<String> seen = new ArrayList<>();
    ProviderSecretsApi api = api(K1);

    ProviderSecretsApi.Outcome created = api.put("openai", "api_key", body(SECRET), "user-1");
    seen.add(created.toString());
    seen.add(created.body().toString());
    seen.add(created.audit().toString());
    seen.add(api.list().toString());
    clock.advance(Duration.ofMinutes(1));
    ProviderSecretsApi.Outcome replaced = api.put("openai", "api_key", body(SECRET_2), "user-2");
    seen.add(replaced.toString());
    seen.add(api.put("azure", "api_key", body(SECRET), "user-1").toString());
    // Bad requests that carry the value: malformed JSON, wrong shapes, a mistyped field, a stray space.
    for (String bad : new String[] {"{\"value\": " + SECRET + "}", "{\"" + SECRET + "\": 1}", SECRET,
        "{\"value\": " + BARE + "}", BARE, "{\"value\": \"" + BARE + "\"" + BARE + "}",
        "{\"value\": \"" + SECRET + " \"}", "{\"value\": [\"" + SECRET + "\"]}",
        "{\"value\": \"" + SECRET + "\", \"value\": \"" + SECRET + "\"}"}) {
      GatewayException e = catchThrowableOfType(GatewayException.class,
          () -> api.put("openai", "api_key", bad.getBytes(StandardCharsets.UTF_8), "user-1"));
      assertThat(e).as(bad).isNotNull();
      seen.add(e.getMessage());
      seen.add(e.error().toString());
    }
    GatewayException wrongField = catchThrowableOfType(GatewayException.class,
        () -> api.put("openai", SECRET, body(SECRET), "user-1"));
    seen.add(wrongField.getMessage());
    // Rotation, re-encryption and a listing under the new key.
    ProviderSecrets rotating = secrets(K2 + "," + K1);
    ReencryptReport report = rotating.reencrypt(1);
    seen.add(report.toString());
    ProviderSecretsApi rotated = new ProviderSecretsApi(rotating, PROVIDERS::contains, json);
    JsonNode listed = rotated.list();
    seen.add(listed.toString());
    seen.add(rotating.list().toString());
    seen.add(rotating.set("vertex", SecretField.API_KEY, new dev.tollgate.config.Secret(SECRET), "u").toString());
    ProviderSecretsApi.Outcome deleted = rotated.delete("openai", "api_key", "user-3");
    seen.add(deleted.toString());
    seen.add(rotated.list().toString());
    String logged = logText();

    // The capture worked: the things that should be there are.
    assertThat(report.rewritten()).isEqualTo(2);
    assertThat(listed.get("data")).hasSize(2);
    assertThat(listed.toString()).contains(ProviderSecrets.fingerprint(new dev.tollgate.config.Secret(SECRET_2)));
    assertThat(logged).contains("provider secret set", "provider=\"openai\"", "fingerprint=\"sha256:",
        "provider secret deleted", "provider secrets re-encrypted");
    assertThat(seen).hasSizeGreaterThan(20);
    for (String secret : List.of(SECRET, SECRET_2, BARE)) {
      assertThat(logged).doesNotContain(secret);
      assertThat(seen).allSatisfy(s -> assertThat(s).doesNotContain(secret));
    }
  }

  @Test
  void putAnswers201ThenWith200AndHandsBackMetadataForTheAudit() {
    ProviderSecretsApi api = api(K1);

    ProviderSecretsApi.Outcome first = api.put("openai", "api_key", body(SECRET), "user-1");
    clock.advance(Duration.ofSeconds(30));
    ProviderSecretsApi.Outcome second = api.put("openai", "api_key", body(SECRET_2), "user-2");

    assertThat(first.status()).isEqualTo(201);
    assertThat(first.body().toString()).isEqualTo("{\"object\":\"provider_secret\",\"provider\":\"openai\","
        + "\"field\":\"api_key\",\"key_id\":\"k1\",\"fingerprint\":\"" + ProviderSecrets.fingerprint(
        new dev.tollgate.config.Secret(SECRET)) + "\",\"created_at\":\"2026-03-01T10:00:00Z\","
        + "\"updated_at\":\"2026-03-01T10:00:00Z\",\"updated_by\":\"user-1\"}");
    assertThat(first.audit().action()).isEqualTo("provider_secret.set");
    assertThat(first.audit().target()).isEqualTo("openai/api_key");
    assertThat(first.audit().before()).isEmpty();
    assertThat(first.audit().after()).contains(first.body());
    assertThat(second.status()).isEqualTo(200);
    assertThat(second.audit().before()).contains(first.body());
    assertThat(second.audit().after().orElseThrow().get("updated_by").asText()).isEqualTo("user-2");
    assertThat(second.body().get("updated_at").asText()).isEqualTo("2026-03-01T10:00:30Z");
    assertThat(secrets(K1).resolve("openai", SecretField.API_KEY).orElseThrow().value()).isEqualTo(SECRET_2);
  }

  @Test
  void deleteAnswersWithWhatWasDeletedThen404() {
    ProviderSecretsApi api = api(K1);
    JsonNode set = api.put("azure", "api_key", body(SECRET), "user-1").body();

    ProviderSecretsApi.Outcome deleted = api.delete("azure", "api_key", "user-2");
    GatewayException again = catchThrowableOfType(GatewayException.class,
        () -> api.delete("azure", "api_key", "user-2"));

    assertThat(deleted.status()).isEqualTo(200);
    assertThat(deleted.body().get("deleted").asBoolean()).isTrue();
    assertThat(deleted.body().get("fingerprint")).isEqualTo(set.get("fingerprint"));
    assertThat(deleted.audit().action()).isEqualTo("provider_secret.delete");
    assertThat(deleted.audit().before()).contains(set);
    assertThat(deleted.audit().after()).isEmpty();
    assertThat(again.error().status()).isEqualTo(404);
    assertThat(again.error().message()).isEqualTo("no api_key is stored for provider 'azure'");
    assertThat(api.list().get("data")).isEmpty();
  }

  @Test
  void aMultiLineServiceAccountKeyIsAcceptedForCredentialsJsonOnly() {
    ProviderSecretsApi api = api(K1);
    String document = "{\\n  \\\"type\\\": \\\"service_account\\\"\\n}";
    assertThat(api.put("vertex", "credentials_json", body(document), "u").status()).isEqualTo(201);
    assertThat(secrets(K1).resolve("vertex", SecretField.CREDENTIALS_JSON).orElseThrow().value())
        .isEqualTo("{\n  \"type\": \"service_account\"\n}");
    GatewayException e = catchThrowableOfType(GatewayException.class,
        () -> api.put("vertex", "api_key", body(document), "u"));
    assertThat(e.error().message()).isEqualTo("'value' contains control characters");
  }

  static Stream<Arguments> badRequests() {
    String tooLong = "k".repeat(ProviderSecretsApi.MAX_VALUE_CHARS + 1);
    return Stream.of(
        // provider, field, body, status, code, param, message
        Arguments.of("open ai", "api_key", body(SECRET), 400, "invalid_request", "provider",
            "the provider name must be 1 to 64 of A-Z a-z 0-9 . _ -, starting with a letter or digit"),
        Arguments.of("a:b", "api_key", body(SECRET), 400, "invalid_request", "provider", null),
        Arguments.of("anthropic", "api_key", body(SECRET), 404, "not_found", null,
            "no provider named 'anthropic' is configured"),
        Arguments.of("openai", "apikey", body(SECRET), 400, "invalid_request", "field",
            "unknown secret field (known: api_key, aws_access_key_id, aws_secret_access_key, aws_session_token,"
                + " credentials_json)"),
        Arguments.of("openai", "api_key", new byte[0], 400, "invalid_request", null,
            "the request body must be a JSON object {\"value\": \"...\"}"),
        Arguments.of("openai", "api_key", "{\"value\": sk-1}".getBytes(StandardCharsets.UTF_8), 400, "invalid_json",
            null, "request body is not valid JSON: expected a JSON object {\"value\": \"...\"}"),
        Arguments.of("openai", "api_key", "{\"value\": \"a\", \"value\": \"b\"}".getBytes(StandardCharsets.UTF_8), 400,
            "invalid_json", null, null),
        Arguments.of("openai", "api_key", "[\"sk-1\"]".getBytes(StandardCharsets.UTF_8), 400, "invalid_request", null,
            "the request body must be a JSON object {\"value\": \"...\"}"),
        Arguments.of("openai", "api_key", "{\"value\": \"sk-1\", \"note\": 1}".getBytes(StandardCharsets.UTF_8), 400,
            "invalid_request", null, "unknown field in the body (known: value)"),
        Arguments.of("openai", "api_key", "{}".getBytes(StandardCharsets.UTF_8), 400, "invalid_request", "value",
            "'value' must be a non-empty string"),
        Arguments.of("openai", "api_key", body(""), 400, "invalid_request", "value", "'value' must be a non-empty string"),
        Arguments.of("openai", "api_key", "{\"value\": 42}".getBytes(StandardCharsets.UTF_8), 400, "invalid_request",
            "value", "'value' must be a non-empty string"),
        Arguments.of("openai", "api_key", "{\"value\": null}".getBytes(StandardCharsets.UTF_8), 400, "invalid_request",
            "value", "'value' must be a non-empty string"),
        Arguments.of("openai", "api_key", body(SECRET + "\\n"), 400, "invalid_request", "value",
            "'value' has leading or trailing whitespace (a pasted line break?)"),
        Arguments.of("openai", "api_key", body(" " + SECRET), 400, "invalid_request", "value", null),
        Arguments.of("openai", "api_key", body("sk\\u0000x"), 400, "invalid_request", "value",
            "'value' contains control characters"),
        Arguments.of("openai", "api_key", body(tooLong), 400, "invalid_request", "value",
            "'value' is longer than 16384 characters"));
  }

  @ParameterizedTest
  @MethodSource("badRequests")
  void badRequestsAreRefusedAndStoreNothing(String provider, String field, byte[] body, int status, String code,
      String param, String message) {
    ProviderSecretsApi api = api(K1);

    GatewayException e = catchThrowableOfType(GatewayException.class, () -> api.put(provider, field, body, "u"));

    assertThat(e).as("refused").isNotNull();
    ApiError error = e.error();
    assertThat(error.status()).isEqualTo(status);
    assertThat(error.code()).isEqualTo(code);
    assertThat(error.param()).isEqualTo(param);
    if (message != null) {
      assertThat(error.message()).isEqualTo(message);
    }
    assertThat(error.message()).doesNotContain(SECRET).doesNotContain("sk-1");
    assertThat(api.list().get("data")).isEmpty();
  }

  @Test
  void deleteValidatesLikePut() {
    ProviderSecretsApi api = api(K1);
    assertThat(catchThrowableOfType(GatewayException.class, () -> api.delete("nope", "api_key", "u")).error().status())
        .isEqualTo(404);
    assertThat(catchThrowableOfType(GatewayException.class, () -> api.delete("openai", "key", "u")).error().param())
        .isEqualTo("field");
    assertThat(catchThrowableOfType(GatewayException.class, () -> api.delete("", "api_key", "u")).error().param())
        .isEqualTo("provider");
  }
}
