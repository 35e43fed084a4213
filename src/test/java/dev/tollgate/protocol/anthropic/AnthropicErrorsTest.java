package dev.tollgate.protocol.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Anthropic's error body for each HTTP status the gateway answers with. */
class AnthropicErrorsTest {
  private final ObjectMapper json = new ObjectMapper();
  private final AnthropicErrors errors = new AnthropicErrors(json);

  @ParameterizedTest
  @CsvSource({"400,invalid_request_error", "401,authentication_error", "403,permission_error",
      "404,not_found_error", "413,request_too_large", "429,rate_limit_error", "500,api_error",
      "529,overloaded_error", "502,api_error", "504,api_error", "503,api_error", "422,invalid_request_error",
      "409,invalid_request_error"})
  void mapsTheStatusToAnthropicsErrorType(int status, String type) throws Exception {
    assertThat(json.readTree(errors.body(status, "something broke", null).getBytes()))
        .isEqualTo(json.readTree("{\"type\":\"error\",\"error\":{\"type\":\"" + type
            + "\",\"message\":\"something broke\"}}"));
  }

  @Test
  void carriesTheRequestIdWhenGiven() throws Exception {
    assertThat(json.readTree(errors.body(429, "slow down", "req_011CSHoEeqs5C35K2UUqR7Fy").getBytes()))
        .isEqualTo(json.readTree("""
            {"type":"error","error":{"type":"rate_limit_error","message":"slow down"},
             "request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}"""));
  }

  @Test
  void keepsOnlyAnthropicsOwnErrorTypes() {
    assertThat(AnthropicErrors.knownType("overloaded_error")).isEqualTo("overloaded_error");
    assertThat(AnthropicErrors.knownType("server_error")).isEqualTo("api_error");
    assertThat(AnthropicErrors.knownType(null)).isEqualTo("api_error");
  }
}
