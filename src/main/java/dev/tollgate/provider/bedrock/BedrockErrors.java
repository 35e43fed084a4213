package dev.tollgate.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.provider.ErrorClass;
import dev.tollgate.provider.ProviderError;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.util.Locale;

/**
 * Classifies a Bedrock runtime error answer: the type comes from {@code x-amzn-ErrorType} (which may
 * carry a {@code :namespace} suffix), the message from the JSON body's {@code message}. Never throws.
 */
final class BedrockErrors {
  private static final int MAX_MESSAGE_CHARS = 2_000;

  private final ObjectMapper json;

  BedrockErrors(ObjectMapper json) {
    this.json = json;
  }

  ProviderError decode(int status, MultiMap headers, Buffer body) {
    String type = headers == null ? null : headers.get("x-amzn-ErrorType");
    if (type != null) {
      int colon = type.indexOf(':');
      type = (colon >= 0 ? type.substring(0, colon) : type).trim();
    }
    String message = null;
    try {
      JsonNode root = body == null || body.length() == 0 ? null : json.readTree(body.getBytes());
      if (root != null && root.isObject()) {
        JsonNode m = root.has("message") ? root.get("message") : root.get("Message");
        message = m != null && m.isTextual() ? m.asText() : null;
        if (type == null || type.isEmpty()) {
          JsonNode t = root.get("__type");
          type = t != null && t.isTextual() ? t.asText().substring(t.asText().lastIndexOf('#') + 1) : null;
        }
      }
    } catch (Exception e) {
      // Not JSON (a proxy's HTML page, a cut body): classify by status, keep the raw text below.
    }
    if (message == null) {
      message = body == null ? "" : body.toString();
    }
    if (message.length() > MAX_MESSAGE_CHARS) {
      message = message.substring(0, MAX_MESSAGE_CHARS);
    }
    if (type == null || type.isEmpty()) {
      type = "http_" + status;
    }
    return new ProviderError(status, classify(status, type, message), type, message, retryAfter(headers));
  }

  static ErrorClass classify(int status, String type, String message) {
    switch (type) {
      case "ThrottlingException", "ServiceQuotaExceededException", "TooManyRequestsException" -> {
        return ErrorClass.RATE_LIMITED;
      }
      case "ServiceUnavailableException", "ModelNotReadyException", "InternalServerException",
          "InternalFailure", "ModelErrorException", "ModelStreamErrorException" -> {
        return ErrorClass.SERVER_ERROR;
      }
      case "ModelTimeoutException" -> {
        return ErrorClass.TIMEOUT;
      }
      case "ValidationException" -> {
        return contextWindow(message) ? ErrorClass.CONTEXT_WINDOW_EXCEEDED : ErrorClass.BAD_REQUEST;
      }
      case "AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException",
          "IncompleteSignatureException", "MissingAuthenticationTokenException", "ExpiredTokenException" -> {
        return ErrorClass.AUTHENTICATION;
      }
      case "ResourceNotFoundException" -> {
        return ErrorClass.NOT_FOUND;
      }
      default -> { }
    }
    if (status == 429) {
      return ErrorClass.RATE_LIMITED;
    }
    if (status == 408) {
      return ErrorClass.TIMEOUT;
    }
    if (status >= 500) {
      return ErrorClass.SERVER_ERROR;
    }
    if (status == 401 || status == 403) {
      return ErrorClass.AUTHENTICATION;
    }
    if (status == 404) {
      return ErrorClass.NOT_FOUND;
    }
    return ErrorClass.BAD_REQUEST;
  }

  /** Bedrock's wordings for a prompt that does not fit the model, as models behind it phrase them. */
  private static boolean contextWindow(String message) {
    String m = message.toLowerCase(Locale.ROOT);
    return m.contains("input is too long") || m.contains("prompt is too long") || m.contains("too many tokens")
        || m.contains("too many input tokens")
        || m.contains("context window") || m.contains("context length") || m.contains("maximum context");
  }

  private static long retryAfter(MultiMap headers) {
    String value = headers == null ? null : headers.get("Retry-After");
    if (value == null) {
      return -1;
    }
    try {
      return Math.max(0, Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
