package dev.tollgate.protocol.openai.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.provider.ErrorClass;
import dev.tollgate.provider.ProviderError;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Classifies an OpenAI-compatible provider's error answer. Reads OpenAI's shape
 * ({@code {"error":{"message","type","param","code"}}}) and the looser ones compatible servers use
 * ({@code {"error":"..."}}, vLLM's top-level {@code message}, FastAPI's {@code detail}); never throws,
 * whatever the body holds. Thread-safe.
 */
final class OpenAiErrorDecoder {
  /** Characters of a non-JSON body kept as the message. */
  private static final int MESSAGE_LIMIT = 500;

  private final ObjectMapper json;
  private final Clock clock;

  OpenAiErrorDecoder(ObjectMapper json, Clock clock) {
    this.json = json;
    this.clock = clock;
  }

  ProviderError decode(int status, MultiMap headers, Buffer body) {
    String type = null;
    String code = null;
    String innerCode = null;
    String message = null;
    JsonNode root = parse(body);
    if (root != null && root.isObject()) {
      JsonNode error = root.get("error");
      JsonNode carrier = error != null && error.isObject() ? error : root;
      type = textual(carrier.get("type"));
      code = textual(carrier.get("code"));
      innerCode = textual(carrier.path("innererror").get("code"));
      message = textual(carrier.get("message"));
      if (message == null && error != null && error.isTextual()) {
        message = error.asText();
      }
      if (message == null) {
        message = textual(root.get("detail"));
      }
    }
    if (message == null) {
      message = rawText(body, status);
    }
    ErrorClass errorClass = classify(status, code, innerCode, message);
    String reported = code != null ? code : type != null ? type : "http_" + status;
    return new ProviderError(status, errorClass, reported, message, retryAfterSeconds(headers));
  }

  private static ErrorClass classify(int status, String code, String innerCode, String message) {
    if (status == 429) {
      return ErrorClass.RATE_LIMITED;
    }
    if (status >= 500) {
      return ErrorClass.SERVER_ERROR;
    }
    if (status < 400) {
      return ErrorClass.UNREACHABLE; // not an error status at all: the provider broke its protocol
    }
    if (status == 401 || status == 403) {
      return ErrorClass.AUTHENTICATION;
    }
    if (status == 404) {
      return ErrorClass.NOT_FOUND;
    }
    if ("context_length_exceeded".equals(code)
        || message.toLowerCase(Locale.ROOT).contains("maximum context length")) {
      return ErrorClass.CONTEXT_WINDOW_EXCEEDED;
    }
    if ("content_filter".equals(code) || "content_policy_violation".equals(code)
        || "ResponsibleAIPolicyViolation".equals(innerCode)) {
      return ErrorClass.CONTENT_FILTERED;
    }
    return ErrorClass.BAD_REQUEST;
  }

  /**
   * {@code retry-after-ms} (OpenAI and Azure send it beside {@code Retry-After}) is the precise one;
   * otherwise {@code Retry-After} in seconds or as an HTTP date. Rounded up: retrying early only
   * earns another 429.
   */
  private long retryAfterSeconds(MultiMap headers) {
    if (headers == null) {
      return -1;
    }
    String ms = headers.get("retry-after-ms");
    if (ms != null) {
      try {
        double millis = Double.parseDouble(ms.strip());
        if (millis >= 0 && Double.isFinite(millis)) {
          return (long) Math.ceil(millis / 1000.0);
        }
      } catch (NumberFormatException e) {
        // fall back to Retry-After
      }
    }
    String after = headers.get("retry-after");
    if (after == null || after.isBlank()) {
      return -1;
    }
    String value = after.strip();
    try {
      long seconds = Long.parseLong(value);
      return seconds < 0 ? -1 : seconds;
    } catch (NumberFormatException e) {
      // an HTTP date, below
    }
    try {
      ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
      long millis = Duration.between(clock.instant(), at.toInstant()).toMillis();
      return Math.max(0, (millis + 999) / 1000);
    } catch (DateTimeParseException e) {
      return -1;
    }
  }

  private JsonNode parse(Buffer body) {
    if (body == null || body.length() == 0) {
      return null;
    }
    try {
      return json.readTree(body.getBytes());
    } catch (Exception e) {
      return null; // not JSON: the raw text becomes the message
    }
  }

  private static String rawText(Buffer body, int status) {
    if (body == null || body.length() == 0) {
      return "the provider answered HTTP " + status + " with no body";
    }
    String text = body.toString(StandardCharsets.UTF_8).strip();
    if (text.isEmpty()) {
      return "the provider answered HTTP " + status + " with no body";
    }
    return text.length() > MESSAGE_LIMIT ? text.substring(0, MESSAGE_LIMIT) + "..." : text;
  }

  private static String textual(JsonNode node) {
    return node != null && node.isTextual() ? node.asText() : null;
  }
}
