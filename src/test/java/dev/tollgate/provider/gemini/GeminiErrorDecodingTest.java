package dev.tollgate.provider.gemini;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.provider.ErrorClass;
import dev.tollgate.provider.ProviderError;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Google's error bodies classified for retry, cooldown and fallback. */
class GeminiErrorDecodingTest {
  private final GeminiCodec codec = new GeminiCodec(new ObjectMapper(), new GeminiPaths.GoogleAi());

  static final String QUOTA = """
      {
        "error": {
          "code": 429,
          "message": "You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.\\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 10\\nPlease retry in 26.617787604s.",
          "status": "RESOURCE_EXHAUSTED",
          "details": [
            {
              "@type": "type.googleapis.com/google.rpc.QuotaFailure",
              "violations": [{
                "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
                "quotaDimensions": {"location": "global", "model": "gemini-2.0-flash"},
                "quotaValue": "10"
              }]
            },
            {
              "@type": "type.googleapis.com/google.rpc.Help",
              "links": [{"description": "Learn more about Gemini API quotas",
                         "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]
            },
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "26s"}
          ]
        }
      }""";

  static final String KEY_INVALID = """
      {
        "error": {
          "code": 400,
          "message": "API key not valid. Please pass a valid API key.",
          "status": "INVALID_ARGUMENT",
          "details": [
            {
              "@type": "type.googleapis.com/google.rpc.ErrorInfo",
              "reason": "API_KEY_INVALID",
              "domain": "googleapis.com",
              "metadata": {"service": "generativelanguage.googleapis.com"}
            },
            {
              "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
              "locale": "en-US",
              "message": "API key not valid. Please pass a valid API key."
            }
          ]
        }
      }""";

  private static String error(int code, String status, String message) {
    return "{\"error\":{\"code\":" + code + ",\"message\":\"" + message + "\",\"status\":\"" + status + "\"}}";
  }

  private static MultiMap headers(String... pairs) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < pairs.length; i += 2) {
      h.add(pairs[i], pairs[i + 1]);
    }
    return h;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void classification(String name, int status, MultiMap headers, String body, ErrorClass errorClass, String type,
      long retryAfter) {
    ProviderError e = codec.decodeError(status, headers, Buffer.buffer(body));

    assertThat(e.status()).isEqualTo(status);
    assertThat(e.errorClass()).isEqualTo(errorClass);
    assertThat(e.type()).isEqualTo(type);
    assertThat(e.retryAfterSeconds()).isEqualTo(retryAfter);
    assertThat(e.message()).isNotBlank();
  }

  static Stream<Arguments> classification() {
    MultiMap none = headers();
    return Stream.of(
        Arguments.of("quota with RetryInfo beats Retry-After", 429, headers("Retry-After", "5"), QUOTA,
            ErrorClass.RATE_LIMITED, "RESOURCE_EXHAUSTED", 26),
        Arguments.of("quota wrapped in an array (stream endpoint)", 429, none, "[" + QUOTA + "]",
            ErrorClass.RATE_LIMITED, "RESOURCE_EXHAUSTED", 26),
        Arguments.of("fractional retry delay rounds up", 429, none,
            QUOTA.replace("\"26s\"", "\"1.2s\""), ErrorClass.RATE_LIMITED, "RESOURCE_EXHAUSTED", 2),
        Arguments.of("unreadable retry delay falls back to Retry-After", 429, headers("retry-after", "7"),
            QUOTA.replace("\"26s\"", "\"soon\""), ErrorClass.RATE_LIMITED, "RESOURCE_EXHAUSTED", 7),
        Arguments.of("RESOURCE_EXHAUSTED without 429", 400, none, error(400, "RESOURCE_EXHAUSTED", "quota"),
            ErrorClass.RATE_LIMITED, "RESOURCE_EXHAUSTED", -1),
        Arguments.of("429 without a body, Retry-After seconds", 429, headers("Retry-After", "30"), "",
            ErrorClass.RATE_LIMITED, "http_429", 30),
        Arguments.of("Retry-After as an HTTP date", 429,
            headers("Retry-After", "Wed, 21 Oct 2015 07:28:30 GMT", "Date", "Wed, 21 Oct 2015 07:28:00 GMT"), "",
            ErrorClass.RATE_LIMITED, "http_429", 30),
        Arguments.of("Retry-After date without Date", 429, headers("Retry-After", "Wed, 21 Oct 2015 07:28:30 GMT"),
            "", ErrorClass.RATE_LIMITED, "http_429", -1),
        Arguments.of("API key not valid (400)", 400, none, KEY_INVALID, ErrorClass.AUTHENTICATION,
            "INVALID_ARGUMENT", -1),
        Arguments.of("unauthenticated", 401, none, error(401, "UNAUTHENTICATED",
            "Request had invalid authentication credentials."), ErrorClass.AUTHENTICATION, "UNAUTHENTICATED", -1),
        Arguments.of("permission denied", 403, none, error(403, "PERMISSION_DENIED",
            "Generative Language API has not been used in project 1234 before or it is disabled."),
            ErrorClass.AUTHENTICATION, "PERMISSION_DENIED", -1),
        Arguments.of("unknown model", 404, none, error(404, "NOT_FOUND",
            "models/gemini-9 is not found for API version v1beta, or is not supported for generateContent."),
            ErrorClass.NOT_FOUND, "NOT_FOUND", -1),
        Arguments.of("internal", 500, none, error(500, "INTERNAL",
            "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting"),
            ErrorClass.SERVER_ERROR, "INTERNAL", -1),
        Arguments.of("overloaded", 503, headers("Retry-After", "2"), error(503, "UNAVAILABLE",
            "The model is overloaded. Please try again later."), ErrorClass.SERVER_ERROR, "UNAVAILABLE", 2),
        Arguments.of("deadline", 504, none, error(504, "DEADLINE_EXCEEDED",
            "Deadline expired before operation could complete."), ErrorClass.TIMEOUT, "DEADLINE_EXCEEDED", -1),
        Arguments.of("prompt too long", 400, none, error(400, "INVALID_ARGUMENT",
            "The input token count (1200293) exceeds the maximum number of tokens allowed (1048576)."),
            ErrorClass.CONTEXT_WINDOW_EXCEEDED, "INVALID_ARGUMENT", -1),
        Arguments.of("other invalid argument", 400, none, error(400, "INVALID_ARGUMENT",
            "* GenerateContentRequest.contents: contents is not specified\\n"), ErrorClass.BAD_REQUEST,
            "INVALID_ARGUMENT", -1),
        Arguments.of("unsupported location", 400, none, error(400, "FAILED_PRECONDITION",
            "User location is not supported for the API use."), ErrorClass.BAD_REQUEST, "FAILED_PRECONDITION", -1),
        Arguments.of("an HTML page from a proxy", 502, none, "<html><body>502 Bad Gateway</body></html>",
            ErrorClass.SERVER_ERROR, "http_502", -1),
        Arguments.of("JSON that is not Google's shape", 422, none, "{\"detail\":\"nope\"}", ErrorClass.BAD_REQUEST,
            "http_422", -1),
        Arguments.of("a JSON string", 400, none, "\"oops\"", ErrorClass.BAD_REQUEST, "http_400", -1));
  }

  @Test
  void theMessageQuotesAnUnreadableBodyBriefly() {
    ProviderError e = codec.decodeError(502, headers(), Buffer.buffer("<html>" + "x".repeat(10_000) + "</html>"));
    assertThat(e.message()).startsWith("HTTP 502: <html>xxx").hasSizeLessThan(ErrorDecoder.SNIPPET + 20);
    assertThat(codec.decodeError(500, headers(), Buffer.buffer()).message()).isEqualTo("HTTP 500 with an empty body");
    assertThat(codec.decodeError(500, null, null).errorClass()).isEqualTo(ErrorClass.SERVER_ERROR);
  }

  @Test
  void neverThrowsWhateverTheBodyHolds() {
    Random random = new Random(20261126L);
    String[] seeds = {QUOTA, KEY_INVALID, "[", "{\"error\":", "{\"error\":[1,{}]}", "{\"error\":{\"details\":7}}",
        "{\"error\":{\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":{}}]}}"};
    int checked = 0;
    for (String seed : seeds) {
      for (int i = 0; i < 200; i++) {
        byte[] bytes = seed.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int cut = bytes.length == 0 ? 0 : random.nextInt(bytes.length + 1);
        byte[] body = java.util.Arrays.copyOf(bytes, cut);
        if (body.length > 0 && random.nextBoolean()) {
          body[random.nextInt(body.length)] = (byte) random.nextInt(256);
        }
        int status = 400 + random.nextInt(200);
        ProviderError e = codec.decodeError(status, headers("Retry-After", random.nextBoolean() ? "x" : "9"),
            Buffer.buffer(body));
        assertThat(e.errorClass()).isNotNull();
        assertThat(e.message()).isNotNull();
        checked++;
      }
    }
    assertThat(checked).isEqualTo(seeds.length * 200);
  }

  @Test
  void retryDelayDurations() {
    assertThat(ErrorDecoder.seconds("27s")).isEqualTo(27);
    assertThat(ErrorDecoder.seconds("0.000001s")).isEqualTo(1);
    assertThat(ErrorDecoder.seconds("0s")).isZero();
    assertThat(ErrorDecoder.seconds("27")).isEqualTo(-1);
    assertThat(ErrorDecoder.seconds("-3s")).isEqualTo(-1);
  }
}
