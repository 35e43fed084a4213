package dev.tollgate.protocol.anthropic;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.provider.ErrorClass;
import dev.tollgate.provider.ProviderError;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Anthropic error answers, classified. Reads {@code {"type":"error","error":{"type","message"}}}
 * when the body holds it and falls back to the status when it does not (proxies answer with HTML).
 * Thread-safe.
 */
final class ErrorDecoder {
  private static final int MAX_MESSAGE_CHARS = 1000;

  private final ObjectMapper json;
  private final Clock clock;

  ErrorDecoder(ObjectMapper json, Clock clock) {
    this.json = json;
    this.clock = clock;
  }

  ProviderError decode(int status, MultiMap headers, Buffer body) {
    String type = null;
    String message = null;
    String text = body == null ? "" : body.toString(StandardCharsets.UTF_8);
    try {
      JsonNode error = json.readTree(text).path("error");
      if (error.path("type").isTextual()) {
        type = error.get("type").textValue();
      }
      if (error.path("message").isTextual()) {
        message = error.get("message").textValue();
      }
    } catch (JacksonException e) {
      // Not JSON: the status alone classifies it, the text becomes the message.
    }
    if (type == null) {
      type = AnthropicErrors.type(status);
    }
    if (message == null) {
      message = text.isBlank() ? "HTTP " + status
          : text.length() > MAX_MESSAGE_CHARS ? text.substring(0, MAX_MESSAGE_CHARS) : text;
    }
    ErrorClass errorClass = classify(status, type, message);
    long retryAfter = errorClass == ErrorClass.RATE_LIMITED || errorClass == ErrorClass.SERVER_ERROR
        ? retryAfter(headers) : -1;
    return new ProviderError(status, errorClass, type, message, retryAfter);
  }

  private static ErrorClass classify(int status, String type, String message) {
    if (status == 429 || type.equals("rate_limit_error")) {
      return ErrorClass.RATE_LIMITED;
    }
    if (status >= 500 || type.equals("overloaded_error") || type.equals("api_error")) {
      return ErrorClass.SERVER_ERROR;
    }
    return switch (status) {
      case 400 -> contextWindow(message) ? ErrorClass.CONTEXT_WINDOW_EXCEEDED : ErrorClass.BAD_REQUEST;
      case 401, 403 -> ErrorClass.AUTHENTICATION;
      case 404 -> ErrorClass.NOT_FOUND;
      default -> status >= 400 && status < 500 ? ErrorClass.BAD_REQUEST : ErrorClass.SERVER_ERROR;
    };
  }

  /** Anthropic says "prompt is too long: N tokens > M maximum" or "... exceed context limit: ...". */
  private static boolean contextWindow(String message) {
    String m = message.toLowerCase(Locale.ROOT);
    return m.contains("prompt is too long") || m.contains("exceed context limit")
        || m.contains("context window");
  }

  private long retryAfter(MultiMap headers) {
    String value = headers == null ? null : headers.get("retry-after");
    if (value == null || value.isBlank()) {
      return -1;
    }
    try {
      return Math.max(0, Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
        return Math.max(0, at.toEpochSecond() - clock.instant().getEpochSecond());
      } catch (DateTimeParseException notADate) {
        return -1;
      }
    }
  }
}
