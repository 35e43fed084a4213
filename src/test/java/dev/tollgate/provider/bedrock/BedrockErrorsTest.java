package dev.tollgate.provider.bedrock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.provider.ErrorClass;
import dev.tollgate.provider.ProviderError;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bedrock runtime error answers, classified for retry and fallback. */
class BedrockErrorsTest {
  private final BedrockConverseCodec codec = new BedrockConverseCodec(new ObjectMapper());

  private static MultiMap headers(String... nameValues) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < nameValues.length; i += 2) {
      h.add(nameValues[i], nameValues[i + 1]);
    }
    return h;
  }

  @ParameterizedTest(name = "{0} {1}: {2}")
  @CsvSource(delimiter = '|', value = {
      "429 | ThrottlingException | Too many requests, please wait before trying again. | RATE_LIMITED",
      "400 | ServiceQuotaExceededException | Your request exceeds the service quota for your account. | RATE_LIMITED",
      "503 | ServiceUnavailableException | Bedrock is unable to process your request. | SERVER_ERROR",
      "429 | ModelNotReadyException | The model is not ready to serve inference requests. | SERVER_ERROR",
      "500 | InternalServerException | The server encountered an internal error. | SERVER_ERROR",
      "424 | ModelErrorException | The model returned an error while processing the request. | SERVER_ERROR",
      "408 | ModelTimeoutException | The request took too long to process. | TIMEOUT",
      "400 | ValidationException | Input is too long for requested model. | CONTEXT_WINDOW_EXCEEDED",
      "400 | ValidationException | The model returned the following errors: prompt is too long: 210000 tokens > 200000 maximum | CONTEXT_WINDOW_EXCEEDED",
      "400 | ValidationException | Too many input tokens. Max input tokens: 8192, request input token count: 9000 | CONTEXT_WINDOW_EXCEEDED",
      "400 | ValidationException | The model returned the following errors: max_tokens: 100000 > 64000, which is the maximum allowed | BAD_REQUEST",
      "400 | ValidationException | Malformed input request: #/messages/0: required key [content] not found | BAD_REQUEST",
      "403 | AccessDeniedException | You don't have access to the model with the specified model ID. | AUTHENTICATION",
      "403 | UnrecognizedClientException | The security token included in the request is invalid. | AUTHENTICATION",
      "403 | InvalidSignatureException | The request signature we calculated does not match the signature you provided. | AUTHENTICATION",
      "404 | ResourceNotFoundException | Could not resolve the foundation model from the provided model identifier. | NOT_FOUND"})
  void classifiesByTheErrorTypeHeader(int status, String type, String message, ErrorClass expected) {
    ProviderError error = codec.decodeError(status, headers("x-amzn-ErrorType", type + ":http://internal.amazon.com/coral/com.amazon.bedrock/"),
        Buffer.buffer("{\"message\":\"" + message + "\"}"));
    assertThat(error.errorClass()).isEqualTo(expected);
    assertThat(error.type()).isEqualTo(type);
    assertThat(error.message()).isEqualTo(message);
    assertThat(error.status()).isEqualTo(status);
    assertThat(error.retryAfterSeconds()).isEqualTo(-1);
  }

  @ParameterizedTest(name = "{0} without a type header -> {1}")
  @CsvSource({"429, RATE_LIMITED", "500, SERVER_ERROR", "502, SERVER_ERROR", "503, SERVER_ERROR", "401, AUTHENTICATION",
      "403, AUTHENTICATION", "404, NOT_FOUND", "408, TIMEOUT", "400, BAD_REQUEST", "413, BAD_REQUEST"})
  void fallsBackToTheStatus(int status, ErrorClass expected) {
    ProviderError error = codec.decodeError(status, headers(), Buffer.buffer("<html>gateway</html>"));
    assertThat(error.errorClass()).isEqualTo(expected);
    assertThat(error.type()).isEqualTo("http_" + status);
    assertThat(error.message()).isEqualTo("<html>gateway</html>");
  }

  @Test
  void readsTheTypeFromTheBodyWhenTheHeaderIsMissing() {
    ProviderError error = codec.decodeError(400, headers(),
        Buffer.buffer("{\"__type\":\"com.amazon.coral.service#ThrottlingException\",\"Message\":\"slow down\"}"));
    assertThat(error.type()).isEqualTo("ThrottlingException");
    assertThat(error.errorClass()).isEqualTo(ErrorClass.RATE_LIMITED);
    assertThat(error.message()).isEqualTo("slow down");
  }

  @Test
  void readsRetryAfterWhenAProxySendsIt() {
    assertThat(codec.decodeError(429, headers("Retry-After", "7"), Buffer.buffer("{}")).retryAfterSeconds()).isEqualTo(7);
    assertThat(codec.decodeError(429, headers("Retry-After", "soon"), Buffer.buffer("{}")).retryAfterSeconds()).isEqualTo(-1);
  }

  @Test
  void neverThrowsWhateverTheBodyHolds() {
    for (String body : new String[] {"", "null", "[1,2]", "{\"message\":42}", "{\"__type\":7}", "\u0000\u00ff{", "{\"message\":"}) {
      ProviderError error = codec.decodeError(500, headers(), Buffer.buffer(body));
      assertThat(error.errorClass()).as(body).isEqualTo(ErrorClass.SERVER_ERROR);
    }
    assertThat(codec.decodeError(500, null, null).errorClass()).isEqualTo(ErrorClass.SERVER_ERROR);
    assertThat(codec.decodeError(400, headers(), Buffer.buffer("x".repeat(10_000))).message()).hasSize(2_000);
  }
}
