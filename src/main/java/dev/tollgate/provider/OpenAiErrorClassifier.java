package dev.tollgate.provider;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.MultiMap;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Classifies an error answer of an OpenAI-compatible provider (OpenAI, Azure, vLLM, Groq, ...) for
 * routing, from its status, its {@code error.code}/{@code error.type}/message and its retry hints.
 * Thread-safe.
 */
public final class OpenAiErrorClassifier {
  private final Clock clock;

  public OpenAiErrorClassifier(Clock clock) {
    this.clock = clock;
  }

  /** @param error the parsed body, or null when it was not JSON */
  public ProviderError classify(int status, MultiMap headers, JsonNode error) {
    JsonNode e = error == null ? null : error.path("error");
    String code = text(e, "code");
    String type = text(e, "type");
    String message = text(e, "message");
    String lower = (message + " " + code + " " + type).toLowerCase(Locale.ROOT);
    ErrorClass c;
    if (status == 429) {
      c = ErrorClass.RATE_LIMITED;
    } else if (status == 408 || status == 504) {
      c = ErrorClass.TIMEOUT;
    } else if (status >= 500) {
      c = ErrorClass.SERVER_ERROR;
    } else if (lower.contains("context_length_exceeded") || lower.contains("maximum context length")
        || lower.contains("context window") || lower.contains("too many tokens")) {
      c = ErrorClass.CONTEXT_WINDOW_EXCEEDED;
    } else if (lower.contains("content_filter") || lower.contains("content_policy_violation")
        || lower.contains("responsibleaipolicyviolation")) {
      c = ErrorClass.CONTENT_FILTERED;
    } else if (status == 401 || status == 403) {
      c = ErrorClass.AUTHENTICATION;
    } else if (status == 404) {
      c = ErrorClass.NOT_FOUND;
    } else {
      c = ErrorClass.BAD_REQUEST;
    }
    String kind = !code.isEmpty() ? code : type;
    return new ProviderError(status, c, kind, message.isEmpty() ? "HTTP " + status : message,
        retryAfterSeconds(headers));
  }

  /** Seconds from {@code retry-after-ms} or {@code Retry-After} (seconds or an HTTP date); -1 when absent. */
  public long retryAfterSeconds(MultiMap headers) {
    long ms = retryAfterMillis(headers);
    return ms < 0 ? -1 : (ms + 999) / 1000;
  }

  /** Milliseconds from the same headers, -1 when absent or unreadable. */
  public long retryAfterMillis(MultiMap headers) {
    String ms = headers.get("retry-after-ms");
    if (ms != null) {
      try {
        return Math.max(0, (long) Double.parseDouble(ms.trim()));
      } catch (NumberFormatException ignored) {
        // fall through to Retry-After
      }
    }
    String ra = headers.get("retry-after");
    if (ra == null || ra.isBlank()) {
      return -1;
    }
    try {
      return Math.max(0, (long) (Double.parseDouble(ra.trim()) * 1000));
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(ra.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
        return Math.max(0, at.toInstant().toEpochMilli() - clock.millis());
      } catch (DateTimeParseException notADate) {
        return -1;
      }
    }
  }

  private static String text(JsonNode node, String field) {
    if (node == null || !node.isObject()) {
      return "";
    }
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? "" : v.asText();
  }
}
