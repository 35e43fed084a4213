package dev.tollgate.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.provider.ErrorClass;
import dev.tollgate.provider.ProviderError;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * Classifies Google's error answers, {@code {"error":{"code","message","status","details"}}} (the
 * streaming endpoint sometimes wraps it in a one-element array). Reads the gRPC status name first and
 * the HTTP status second, since Google sends both and the name is the more precise. Never throws:
 * a body that is not Google's shape is classified by its HTTP status alone.
 */
final class ErrorDecoder {
  /** Longest slice of an unreadable body quoted in the message. */
  static final int SNIPPET = 300;

  private static final Pattern TOKEN_LIMIT = Pattern.compile(
      "(?i)token count.*exceeds|exceeds the maximum number of tokens|too many tokens");
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)s");

  private final ObjectMapper json;

  ErrorDecoder(ObjectMapper json) {
    this.json = json;
  }

  ProviderError decode(int status, MultiMap headers, Buffer body) {
    JsonNode error = errorObject(body);
    String grpc = error.path("status").asText("");
    String message = error.path("message").asText("");
    String reason = "";
    long retryDelay = -1;
    for (JsonNode d : error.path("details")) {
      String type = d.path("@type").asText("");
      if (type.endsWith("google.rpc.ErrorInfo") && reason.isEmpty()) {
        reason = d.path("reason").asText("");
      } else if (type.endsWith("google.rpc.RetryInfo")) {
        retryDelay = seconds(d.path("retryDelay").asText(""));
      }
    }
    ErrorClass errorClass = classify(status, grpc, reason, message);
    String type = !grpc.isEmpty() ? grpc : !reason.isEmpty() ? reason : "http_" + status;
    if (message.isEmpty()) {
      message = snippet(body, status);
    }
    long retryAfter = retryDelay >= 0 ? retryDelay : retryAfter(headers);
    return new ProviderError(status, errorClass, type, message, retryAfter);
  }

  private static ErrorClass classify(int status, String grpc, String reason, String message) {
    if (status == 429 || grpc.equals("RESOURCE_EXHAUSTED")) {
      return ErrorClass.RATE_LIMITED;
    }
    if (status == 401 || status == 403 || grpc.equals("UNAUTHENTICATED") || grpc.equals("PERMISSION_DENIED")
        || reason.equals("API_KEY_INVALID")) {
      return ErrorClass.AUTHENTICATION;
    }
    if (status == 504 || grpc.equals("DEADLINE_EXCEEDED")) {
      return ErrorClass.TIMEOUT;
    }
    if (status >= 500 || grpc.equals("UNAVAILABLE") || grpc.equals("INTERNAL")) {
      return ErrorClass.SERVER_ERROR;
    }
    if (status == 404 || grpc.equals("NOT_FOUND")) {
      return ErrorClass.NOT_FOUND;
    }
    if ((status == 400 || grpc.equals("INVALID_ARGUMENT")) && TOKEN_LIMIT.matcher(message).find()) {
      return ErrorClass.CONTEXT_WINDOW_EXCEEDED;
    }
    return ErrorClass.BAD_REQUEST;
  }

  private JsonNode errorObject(Buffer body) {
    if (body == null || body.length() == 0) {
      return json.missingNode();
    }
    try {
      JsonNode root = json.readTree(body.getBytes());
      if (root != null && root.isArray() && !root.isEmpty()) {
        root = root.get(0);
      }
      return root == null ? json.missingNode() : root.path("error");
    } catch (java.io.IOException | RuntimeException e) {
      return json.missingNode();
    }
  }

  /** A protobuf Duration in JSON ("27s", "0.5s"), rounded up to whole seconds; -1 when unreadable. */
  static long seconds(String duration) {
    var m = DURATION.matcher(duration.trim());
    if (!m.matches()) {
      return -1;
    }
    try {
      return new BigDecimal(m.group(1)).setScale(0, RoundingMode.CEILING).longValueExact();
    } catch (ArithmeticException e) {
      return -1;
    }
  }

  /** {@code Retry-After} in seconds, or as an HTTP date measured against the answer's own {@code Date}. */
  static long retryAfter(MultiMap headers) {
    String value = headers == null ? null : headers.get("Retry-After");
    if (value == null || value.isBlank()) {
      return -1;
    }
    value = value.trim();
    if (value.chars().allMatch(Character::isDigit)) {
      try {
        return Long.parseLong(value);
      } catch (NumberFormatException e) {
        return -1;
      }
    }
    String date = headers.get("Date");
    if (date == null) {
      return -1;
    }
    try {
      long at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond();
      long now = ZonedDateTime.parse(date.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond();
      return Math.max(0, at - now);
    } catch (DateTimeParseException e) {
      return -1;
    }
  }

  private static String snippet(Buffer body, int status) {
    if (body == null || body.length() == 0) {
      return "HTTP " + status + " with an empty body";
    }
    String text = body.getString(0, Math.min(body.length(), SNIPPET), StandardCharsets.UTF_8.name()).strip();
    return "HTTP " + status + ": " + text;
  }
}
