package dev.tollgate.provider.bedrock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.Secret;
import dev.tollgate.config.UpstreamAddress;
import dev.tollgate.provider.ProviderHttpRequest;
import dev.tollgate.provider.UpstreamException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * SigV4 signatures, checked against AWS's published test suite and against a signature computed
 * here from the specification (canonical request, string to sign, HMAC key chain) with javax.crypto.
 */
class SigV4AuthorizerTest {
  // The credentials and time of AWS's SigV4 test suite.
  private static final AwsCredentials SUITE = new AwsCredentials("AKIDEXAMPLE",
      new Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), null);
  private static final Clock SUITE_TIME = Clock.fixed(Instant.parse("2015-08-30T12:36:00Z"), ZoneOffset.UTC);
  private static final Clock NOW = Clock.fixed(Instant.parse("2026-11-26T01:40:05Z"), ZoneOffset.UTC);
  private static final String HOST = "bedrock-runtime.us-east-1.amazonaws.com";
  private static final UpstreamAddress BEDROCK = UpstreamAddress.of(URI.create("https://" + HOST)).orElseThrow();
  private static final String BODY = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hello\"}]}]}";

  private static Map<String, String> authorize(SigV4Authorizer authorizer, String host, ProviderHttpRequest request) {
    Future<Map<String, String>> headers = authorizer.authorize(host, request);
    assertThat(headers.isComplete()).as("signing completes before returning").isTrue();
    assertThat(headers.succeeded()).isTrue();
    return headers.result();
  }

  private static ProviderHttpRequest converse(String body) {
    return new ProviderHttpRequest("POST", "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse",
        Map.of("Content-Type", "application/json", "Accept", "application/json"), Buffer.buffer(body));
  }

  @Test
  void theSpecificationWrittenOutHereReproducesAwsTestSuiteVectors() throws Exception {
    // get-vanilla and get-vanilla-query-order-key-case: they sign only host and x-amz-date.
    SortedMap<String, String> suiteHeaders = new TreeMap<>(Map.of("host", "example.amazonaws.com",
        "x-amz-date", "20150830T123600Z"));
    assertThat(independentSignature("GET", "/", "", suiteHeaders, new byte[0], "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1", "service", Instant.parse("2015-08-30T12:36:00Z")))
        .isEqualTo("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            + "SignedHeaders=host;x-amz-date, "
            + "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    assertThat(independentSignature("GET", "/", "Param1=value1&Param2=value2", suiteHeaders, new byte[0],
        "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1", "service",
        Instant.parse("2015-08-30T12:36:00Z")))
        .endsWith("Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
  }

  @Test
  void signsTheTestSuiteRequestsAsTheSpecificationDoesWithThePayloadHashHeaderAdded() throws Exception {
    // The SDK signer always adds and signs x-amz-content-sha256, so its output for the suite's
    // requests differs from the published signatures by exactly that header.
    SigV4Authorizer authorizer = new SigV4Authorizer("t", SUITE, "us-east-1", "service",
        UpstreamAddress.of(URI.create("https://example.amazonaws.com")).orElseThrow(), SUITE_TIME);
    String emptyHash = hex(sha256(new byte[0]));
    SortedMap<String, String> signed = new TreeMap<>(Map.of("host", "example.amazonaws.com",
        "x-amz-content-sha256", emptyHash, "x-amz-date", "20150830T123600Z"));

    Map<String, String> vanilla = authorize(authorizer, "example.amazonaws.com",
        new ProviderHttpRequest("GET", "/", Map.of(), Buffer.buffer()));
    assertThat(vanilla).containsEntry("X-Amz-Date", "20150830T123600Z").containsEntry("x-amz-content-sha256", emptyHash);
    assertThat(vanilla.get("Authorization")).isEqualTo(independentSignature("GET", "/", "", signed, new byte[0],
        "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1", "service",
        Instant.parse("2015-08-30T12:36:00Z")));

    Map<String, String> query = authorize(authorizer, "example.amazonaws.com",
        new ProviderHttpRequest("GET", "/?Param2=value2&Param1=value1", Map.of(), Buffer.buffer()));
    assertThat(query.get("Authorization")).isEqualTo(independentSignature("GET", "/", "Param1=value1&Param2=value2",
        signed, new byte[0], "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1", "service",
        Instant.parse("2015-08-30T12:36:00Z")));
  }

  @Test
  void signsAConverseCallOverTheExactBodyAndTheDoubleEncodedPath() throws Exception {
    SigV4Authorizer authorizer = new SigV4Authorizer("bedrock-east", SUITE, "us-east-1", BEDROCK, NOW);
    Map<String, String> headers = authorize(authorizer, HOST, converse(BODY));

    SortedMap<String, String> signed = new TreeMap<>(Map.of(
        "host", HOST,
        "x-amz-date", "20261126T014005Z"));
    signed.put("x-amz-content-sha256", hex(sha256(BODY.getBytes(StandardCharsets.UTF_8))));
    // Services other than S3 sign the path encoded once more: %3A becomes %253A.
    String expected = independentSignature("POST", "/model/anthropic.claude-3-5-sonnet-20240620-v1%253A0/converse",
        "", signed, BODY.getBytes(StandardCharsets.UTF_8), "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        "us-east-1", "bedrock", Instant.parse("2026-11-26T01:40:05Z"));

    assertThat(headers.get("Authorization")).isEqualTo(expected);
    assertThat(headers).containsOnlyKeys("Authorization", "X-Amz-Date", "x-amz-content-sha256")
        .containsEntry("X-Amz-Date", "20261126T014005Z")
        .containsEntry("x-amz-content-sha256", hex(sha256(BODY.getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void signsTheSessionTokenOfTemporaryCredentials() throws Exception {
    AwsCredentials temporary = new AwsCredentials("ASIAEXAMPLE", new Secret("secret/KEY+example"),
        new Secret("IQoJb3JpZ2luX2VjEXAMPLETOKEN=="));
    SigV4Authorizer authorizer = new SigV4Authorizer("bedrock-east", temporary, "eu-central-1",
        UpstreamAddress.of(URI.create("https://bedrock-runtime.eu-central-1.amazonaws.com")).orElseThrow(), NOW);
    Map<String, String> headers = authorize(authorizer, "bedrock-runtime.eu-central-1.amazonaws.com", converse(BODY));

    assertThat(headers).containsEntry("X-Amz-Security-Token", "IQoJb3JpZ2luX2VjEXAMPLETOKEN==");
    SortedMap<String, String> signed = new TreeMap<>(Map.of(
        "host", "bedrock-runtime.eu-central-1.amazonaws.com", "x-amz-date", "20261126T014005Z",
        "x-amz-security-token", "IQoJb3JpZ2luX2VjEXAMPLETOKEN=="));
    signed.put("x-amz-content-sha256", hex(sha256(BODY.getBytes(StandardCharsets.UTF_8))));
    assertThat(headers.get("Authorization")).isEqualTo(independentSignature("POST",
        "/model/anthropic.claude-3-5-sonnet-20240620-v1%253A0/converse", "", signed,
        BODY.getBytes(StandardCharsets.UTF_8), "ASIAEXAMPLE", "secret/KEY+example", "eu-central-1", "bedrock",
        Instant.parse("2026-11-26T01:40:05Z")));
  }

  @Test
  void signsTheBasePathAndANonDefaultPortOfAnEndpointOverride() throws Exception {
    UpstreamAddress proxy = UpstreamAddress.of(URI.create("http://vpce.local:8443/bedrock/")).orElseThrow();
    SigV4Authorizer authorizer = new SigV4Authorizer("p", SUITE, "us-east-1", proxy, NOW);
    Map<String, String> headers = authorize(authorizer, "vpce.local", converse(BODY));

    SortedMap<String, String> signed = new TreeMap<>(Map.of(
        "host", "vpce.local:8443",
        "x-amz-date", "20261126T014005Z"));
    signed.put("x-amz-content-sha256", hex(sha256(BODY.getBytes(StandardCharsets.UTF_8))));
    assertThat(headers.get("Authorization")).isEqualTo(independentSignature("POST",
        "/bedrock/model/anthropic.claude-3-5-sonnet-20240620-v1%253A0/converse", "", signed,
        BODY.getBytes(StandardCharsets.UTF_8), "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1",
        "bedrock", Instant.parse("2026-11-26T01:40:05Z")));
  }

  @Test
  void aChangedBodyOrClockChangesTheSignature() {
    SigV4Authorizer authorizer = new SigV4Authorizer("b", SUITE, "us-east-1", BEDROCK, NOW);
    String original = authorize(authorizer, HOST, converse(BODY)).get("Authorization");
    assertThat(authorize(authorizer, HOST, converse(BODY)).get("Authorization")).isEqualTo(original);
    // protocol headers are not signed, so a transport may set its own Accept
    ProviderHttpRequest otherAccept = new ProviderHttpRequest("POST", converse(BODY).pathAndQuery(),
        Map.of("Accept", "text/event-stream"), Buffer.buffer(BODY));
    assertThat(authorize(authorizer, HOST, otherAccept).get("Authorization")).isEqualTo(original);
    assertThat(authorize(authorizer, HOST, converse(BODY.replace("Hello", "Hellp"))).get("Authorization"))
        .isNotEqualTo(original);
    SigV4Authorizer later = new SigV4Authorizer("b", SUITE, "us-east-1", BEDROCK,
        Clock.offset(NOW, java.time.Duration.ofSeconds(1)));
    assertThat(authorize(later, HOST, converse(BODY)).get("Authorization")).isNotEqualTo(original);
  }

  @Test
  void failsWithUnreachableWhenTheRequestCannotBeSigned() {
    SigV4Authorizer authorizer = new SigV4Authorizer("bedrock-east", SUITE, "us-east-1", BEDROCK, NOW);
    Future<Map<String, String>> result = authorizer.authorize(HOST,
        new ProviderHttpRequest("BREW", "/model/x/converse", Map.of(), Buffer.buffer(BODY)));
    assertThat(result.failed()).isTrue();
    assertThat(result.cause()).isInstanceOfSatisfying(UpstreamException.class, e -> {
      assertThat(e.kind()).isEqualTo(UpstreamException.Kind.UNREACHABLE);
      assertThat(e.provider()).isEqualTo("bedrock-east");
    });
  }

  @Test
  void neverShowsTheSecretsInToString() {
    AwsCredentials c = new AwsCredentials("AKID", new Secret("very-secret"), new Secret("session-secret"));
    assertThat(c.toString()).contains("AKID").doesNotContain("very-secret").doesNotContain("session-secret");
  }

  // -------------------------------------------------------------- the specification, written out

  private static String independentSignature(String method, String canonicalUri, String canonicalQuery,
      SortedMap<String, String> headers, byte[] body, String accessKey, String secret, String region, String service,
      Instant time) throws Exception {
    String amzDate = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(time);
    String date = amzDate.substring(0, 8);
    StringBuilder canonicalHeaders = new StringBuilder();
    headers.forEach((name, value) -> canonicalHeaders.append(name).append(':').append(value.trim()).append('\n'));
    String signedHeaders = String.join(";", headers.keySet());
    String canonicalRequest = method + "\n" + canonicalUri + "\n" + canonicalQuery + "\n" + canonicalHeaders + "\n"
        + signedHeaders + "\n" + hex(sha256(body));
    String scope = date + "/" + region + "/" + service + "/aws4_request";
    String stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n"
        + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
    byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
    key = hmac(key, region);
    key = hmac(key, service);
    key = hmac(key, "aws4_request");
    return "AWS4-HMAC-SHA256 Credential=" + accessKey + "/" + scope + ", SignedHeaders=" + signedHeaders
        + ", Signature=" + hex(hmac(key, stringToSign));
  }

  private static byte[] hmac(byte[] key, String data) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] sha256(byte[] data) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(data);
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
