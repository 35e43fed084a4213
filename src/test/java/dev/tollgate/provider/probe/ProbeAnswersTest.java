package dev.tollgate.provider.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.config.ProviderType;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Answers as the providers document them, read into a status and a detail. */
class ProbeAnswersTest {
  private final ProbeAnswers answers = new ProbeAnswers(new ObjectMapper());

  static Stream<Arguments> answers() {
    return Stream.of(
        Arguments.of(ProviderType.OPENAI, 200, null, """
            {"object": "list", "data": []}""", ProbeStatus.UP, "model list answered (0 on the first page)"),
        Arguments.of(ProviderType.OPENAI, 200, null, """
            {"object": "list"}""", ProbeStatus.DOWN, "HTTP 200 but no 'data' list in the answer"),
        Arguments.of(ProviderType.OPENAI, 200, null, "[1, 2]", ProbeStatus.DOWN,
            "HTTP 200 but not a JSON object: [1, 2]"),
        Arguments.of(ProviderType.OPENAI, 429, null, """
            {"error": {"message": "Rate limit reached for requests", "type": "requests", "param": null,
             "code": "rate_limit_exceeded"}}""", ProbeStatus.DOWN,
            "HTTP 429 rate_limit_exceeded: Rate limit reached for requests"),
        Arguments.of(ProviderType.OPENAI, 403, null, """
            {"error": {"message": "You are not allowed to sample from this model", "type": "invalid_request_error",
             "param": null, "code": null}}""", ProbeStatus.AUTH_FAILED,
            "HTTP 403 invalid_request_error: You are not allowed to sample from this model"),
        Arguments.of(ProviderType.OPENAI, 404, null, "<html>Not Found</html>", ProbeStatus.DOWN,
            "HTTP 404: <html>Not Found</html> (is base_url the API root?)"),
        Arguments.of(ProviderType.OPENAI, 502, null, "", ProbeStatus.DOWN, "HTTP 502"),
        Arguments.of(ProviderType.AZURE, 401, null, """
            {"error": {"code": "401", "message": "Access denied due to invalid subscription key."}}""",
            ProbeStatus.AUTH_FAILED, "HTTP 401 401: Access denied due to invalid subscription key."),
        Arguments.of(ProviderType.ANTHROPIC, 529, null, """
            {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}""",
            ProbeStatus.DOWN, "HTTP 529 overloaded_error: Overloaded"),
        Arguments.of(ProviderType.ANTHROPIC, 403, null, """
            {"type": "error", "error": {"type": "permission_error",
             "message": "Your API key does not have permission to use the specified resource."}}""",
            ProbeStatus.AUTH_FAILED,
            "HTTP 403 permission_error: Your API key does not have permission to use the specified resource."),
        Arguments.of(ProviderType.GEMINI, 200, null, """
            {"models": [{"name": "models/gemini-2.0-flash"}]}""", ProbeStatus.UP,
            "model list answered (1 on the first page)"),
        Arguments.of(ProviderType.GEMINI, 200, null, """
            {"data": []}""", ProbeStatus.DOWN, "HTTP 200 but no 'models' list in the answer"),
        Arguments.of(ProviderType.GEMINI, 400, null, """
            {"error": {"code": 400, "message": "API key expired. Please renew the API key.",
             "status": "INVALID_ARGUMENT", "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
             "reason": "API_KEY_INVALID", "domain": "googleapis.com"}]}}""", ProbeStatus.AUTH_FAILED,
            "HTTP 400 400: API key expired. Please renew the API key."),
        Arguments.of(ProviderType.GEMINI, 400, null, """
            {"error": {"code": 400, "message": "Invalid page size", "status": "INVALID_ARGUMENT"}}""",
            ProbeStatus.DOWN, "HTTP 400 400: Invalid page size"),
        Arguments.of(ProviderType.GEMINI, 403, null, """
            {"error": {"code": 403, "message": "Method doesn't allow unregistered callers.",
             "status": "PERMISSION_DENIED"}}""", ProbeStatus.AUTH_FAILED,
            "HTTP 403 403: Method doesn't allow unregistered callers."),
        Arguments.of(ProviderType.BEDROCK, 400, "ValidationException", """
            {"message": "The provided model identifier is invalid."}""", ProbeStatus.UP,
            "signature accepted (ValidationException for the probe model 'tollgate-doctor-probe', as expected)"),
        Arguments.of(ProviderType.BEDROCK, 404, "ResourceNotFoundException:http://internal.amazon.com/coral/x/", """
            {"message": "Model not found."}""", ProbeStatus.UP,
            "signature accepted (ResourceNotFoundException for the probe model 'tollgate-doctor-probe', as expected)"),
        Arguments.of(ProviderType.BEDROCK, 400, null, """
            {"__type": "com.amazon.coral.validate#ValidationException", "message": "bad"}""", ProbeStatus.UP,
            "signature accepted (ValidationException for the probe model 'tollgate-doctor-probe', as expected)"),
        Arguments.of(ProviderType.BEDROCK, 403, "ExpiredTokenException", """
            {"message": "The security token included in the request is expired"}""", ProbeStatus.AUTH_FAILED,
            "HTTP 403 ExpiredTokenException: The security token included in the request is expired"),
        Arguments.of(ProviderType.BEDROCK, 403, "AccessDeniedException", """
            {"message": "User: arn:aws:iam::123456789012:user/x is not authorized to perform: \
            bedrock:InvokeModel"}""", ProbeStatus.AUTH_FAILED, "HTTP 403 AccessDeniedException: User: "
            + "arn:aws:iam::123456789012:user/x is not authorized to perform: bedrock:InvokeModel"),
        Arguments.of(ProviderType.BEDROCK, 429, "ThrottlingException", """
            {"message": "Too many requests, please wait before trying again."}""", ProbeStatus.DOWN,
            "HTTP 429 ThrottlingException: Too many requests, please wait before trying again."),
        Arguments.of(ProviderType.BEDROCK, 400, null, "<html>Bad Request</html>", ProbeStatus.DOWN,
            "HTTP 400: <html>Bad Request</html>"),
        Arguments.of(ProviderType.BEDROCK, 200, null, """
            {"output": {}}""", ProbeStatus.DOWN, "HTTP 200 for model 'tollgate-doctor-probe', which does not "
            + "exist: base_url does not look like Bedrock's runtime endpoint"),
        Arguments.of(ProviderType.BEDROCK, 503, "ServiceUnavailableException", """
            {"message": "Service Unavailable"}""", ProbeStatus.DOWN,
            "HTTP 503 ServiceUnavailableException: Service Unavailable"));
  }

  @ParameterizedTest(name = "{0} {1} {2} -> {4}")
  @MethodSource("answers")
  void classifiesTheAnswer(ProviderType type, int status, String errorType, String body, ProbeStatus expected,
      String detail) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (errorType != null) {
      headers.add("x-amzn-ErrorType", errorType);
    }

    ProbeAnswers.Verdict verdict = answers.classify(type, status, headers, Buffer.buffer(body));

    assertThat(verdict).isEqualTo(new ProbeAnswers.Verdict(expected, detail));
  }
}
