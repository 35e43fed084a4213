package dev.tollgate.provider.vertex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading service-account key files: the fields, errors that name the field, and the key kept out of sight. */
class ServiceAccountKeyTest {
  private static final URI GOOGLE = URI.create("https://oauth2.googleapis.com/token");
  private final ObjectMapper json = new ObjectMapper();

  private byte[] bytes(ObjectNode key) {
    try {
      return json.writeValueAsBytes(key);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private ObjectNode edited(Consumer<ObjectNode> edit) {
    ObjectNode key = TestKeys.keyJson(json, GOOGLE);
    edit.accept(key);
    return key;
  }

  /** No message may carry any stretch of the key's base64 text. */
  private static void assertKeyAbsent(String text) {
    String b64 = TestKeys.privateKeyBase64();
    for (int i = 0; i + 24 <= b64.length(); i += 24) {
      assertThat(text).doesNotContain(b64.substring(i, i + 24));
    }
    assertThat(text).doesNotContain("BEGIN PRIVATE KEY-----\n");
  }

  @Test
  void readsAConsoleDownload() {
    ServiceAccountKey key = ServiceAccountKey.parse(json, bytes(TestKeys.keyJson(json, GOOGLE)));

    assertThat(key.clientEmail()).isEqualTo(TestKeys.CLIENT_EMAIL);
    assertThat(key.privateKeyId()).isEqualTo(TestKeys.KEY_ID);
    assertThat(key.projectId()).isEqualTo(TestKeys.PROJECT);
    assertThat(key.tokenUri()).isEqualTo(GOOGLE);
    assertThat(key.privateKey().getEncoded()).isEqualTo(TestKeys.PAIR.getPrivate().getEncoded());
  }

  @Test
  void acceptsThePemWithEscapedNewlinesAsItIsOftenPastedIntoEnvironmentVariables() throws Exception {
    // A key pasted into an env var arrives as one JSON string with \n escapes: the same bytes once parsed.
    String text = json.writeValueAsString(TestKeys.keyJson(json, GOOGLE));
    assertThat(text).contains("\\n");

    ServiceAccountKey key = ServiceAccountKey.parse(json, text.getBytes(StandardCharsets.UTF_8));

    assertThat(key.privateKey().getEncoded()).isEqualTo(TestKeys.PAIR.getPrivate().getEncoded());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"type", "client_email", "private_key", "private_key_id", "token_uri", "project_id"})
  void aMissingFieldIsNamed(String field) {
    assertThatThrownBy(() -> ServiceAccountKey.parse(json, bytes(edited(k -> k.remove(field)))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the service-account key has no '" + field + "'");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"client_email", "private_key_id", "project_id"})
  void aBlankOrNonTextFieldIsNamed(String field) {
    assertThatThrownBy(() -> ServiceAccountKey.parse(json, bytes(edited(k -> k.put(field, " ")))))
        .hasMessage("'" + field + "' must be a non-empty string");
    assertThatThrownBy(() -> ServiceAccountKey.parse(json, bytes(edited(k -> k.put(field, 42)))))
        .hasMessage("'" + field + "' must be a non-empty string");
  }

  static Stream<Arguments> invalidKeys() {
    String pem = TestKeys.pem(TestKeys.PAIR.getPrivate());
    return Stream.of(
        Arguments.of("user credentials", (Consumer<ObjectNode>) k -> k.put("type", "authorized_user"),
            "type is 'authorized_user', expected 'service_account' (user credentials and external-account "
                + "configurations are not supported)"),
        Arguments.of("PKCS#1 PEM", (Consumer<ObjectNode>) k -> k.put("private_key",
                pem.replace("BEGIN PRIVATE", "BEGIN RSA PRIVATE").replace("END PRIVATE", "END RSA PRIVATE")),
            "'private_key' is not a PEM-encoded PKCS#8 private key (-----BEGIN PRIVATE KEY-----)"),
        Arguments.of("truncated key", (Consumer<ObjectNode>) k -> k.put("private_key",
                pem.substring(0, 200) + "\n-----END PRIVATE KEY-----\n"),
            "'private_key' is not a valid PKCS#8 RSA private key"),
        Arguments.of("an EC key", (Consumer<ObjectNode>) k -> k.put("private_key", ecPem()),
            "'private_key' is not a valid PKCS#8 RSA private key"),
        Arguments.of("token_uri over http to a remote host", (Consumer<ObjectNode>) k -> k.put("token_uri",
                "http://oauth2.googleapis.com/token"),
            "'token_uri' must be an https URL (http only on a loopback address): http://oauth2.googleapis.com/token"),
        Arguments.of("token_uri without a host", (Consumer<ObjectNode>) k -> k.put("token_uri", "token"),
            "'token_uri' must be an https URL (http only on a loopback address): token"),
        Arguments.of("token_uri not a URI", (Consumer<ObjectNode>) k -> k.put("token_uri", "https://a b/token"),
            "'token_uri' is not a URI: https://a b/token"));
  }

  private static String ecPem() {
    try {
      KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
      ec.initialize(256);
      return TestKeys.pem(ec.generateKeyPair().getPrivate());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidKeys")
  void anInvalidFieldIsExplainedWithoutTheKey(String name, Consumer<ObjectNode> edit, String message) {
    assertThatThrownBy(() -> ServiceAccountKey.parse(json, bytes(edited(edit))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message)
        .hasNoCause()
        .satisfies(e -> assertKeyAbsent(e.getMessage()));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"http://127.0.0.1:8080/token", "http://localhost/token", "http://[::1]:9000/token"})
  void plainHttpIsAllowedOnLoopbackOnly(String uri) {
    assertThat(ServiceAccountKey.parse(json, bytes(edited(k -> k.put("token_uri", uri)))).tokenUri())
        .isEqualTo(URI.create(uri));
  }

  @Test
  void brokenJsonCutInsideThePrivateKeyIsReportedWithoutQuotingIt() {
    byte[] whole = bytes(TestKeys.keyJson(json, GOOGLE));
    String text = new String(whole, StandardCharsets.UTF_8);
    int cut = text.indexOf("-----BEGIN PRIVATE KEY-----") + 300;

    assertThatThrownBy(() -> ServiceAccountKey.parse(json,
        (text.substring(0, cut) + "\u0001\"}").getBytes(StandardCharsets.UTF_8)))
        .hasMessage("the service-account key is not JSON")
        .hasNoCause();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"[]", "\"key\"", "null", ""})
  void aKeyThatIsNotAnObjectIsRefused(String text) {
    assertThatThrownBy(() -> ServiceAccountKey.parse(json, text.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the service-account key is not a JSON object");
  }

  @Test
  void toStringLeavesThePrivateKeyOut() {
    ServiceAccountKey key = ServiceAccountKey.parse(json, bytes(TestKeys.keyJson(json, GOOGLE)));

    assertThat(key.toString())
        .isEqualTo("ServiceAccountKey[clientEmail=" + TestKeys.CLIENT_EMAIL + ", privateKeyId=" + TestKeys.KEY_ID
            + ", tokenUri=https://oauth2.googleapis.com/token, projectId=test-project, privateKey=****]");
    assertKeyAbsent(key.toString());
  }

  @Test
  void readsAKeyFileAndNamesAFileThatIsMissingOrBroken(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sa.json");
    Files.write(file, bytes(TestKeys.keyJson(json, GOOGLE)));
    assertThat(ServiceAccountKey.read(json, file).clientEmail()).isEqualTo(TestKeys.CLIENT_EMAIL);

    Path missing = dir.resolve("absent.json");
    assertThatThrownBy(() -> ServiceAccountKey.read(json, missing))
        .hasMessage("service-account key file " + missing + " cannot be read: NoSuchFileException");

    Files.write(file, bytes(edited(k -> k.remove("client_email"))));
    assertThatThrownBy(() -> ServiceAccountKey.read(json, file))
        .hasMessage(file + ": the service-account key has no 'client_email'");
  }
}
