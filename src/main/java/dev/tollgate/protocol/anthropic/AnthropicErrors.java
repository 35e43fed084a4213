package dev.tollgate.protocol.anthropic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import java.util.Set;

/**
 * Anthropic's error shape, {@code {"type":"error","error":{"type":...,"message":...}}}, so the server
 * answers Anthropic callers in their own format. Thread-safe.
 */
public final class AnthropicErrors {
  /** The error types of Anthropic's API reference. */
  static final Set<String> TYPES = Set.of("invalid_request_error", "authentication_error", "billing_error",
      "permission_error", "not_found_error", "request_too_large", "rate_limit_error", "api_error",
      "timeout_error", "overloaded_error");

  private final ObjectMapper json;

  public AnthropicErrors(ObjectMapper json) {
    this.json = json;
  }

  /** Anthropic's error type for an HTTP status. */
  public static String type(int status) {
    return switch (status) {
      case 400 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 413 -> "request_too_large";
      case 429 -> "rate_limit_error";
      case 529 -> "overloaded_error";
      default -> status >= 400 && status < 500 ? "invalid_request_error" : "api_error";
    };
  }

  /** {@code type} when it is one of Anthropic's error types, else {@code api_error}. */
  static String knownType(String type) {
    return type != null && TYPES.contains(type) ? type : "api_error";
  }

  /** The error body for an HTTP status. */
  public ObjectNode json(int status, String message) {
    return json(type(status), message, null);
  }

  /** The body with Anthropic's top-level {@code request_id}, when there is one. */
  public ObjectNode json(int status, String message, String requestId) {
    return json(type(status), message, requestId);
  }

  /** The error body as bytes, with {@code request_id} when {@code requestId} is not null. */
  public Buffer body(int status, String message, String requestId) {
    return Buffer.buffer(json(status, message, requestId).toString());
  }

  ObjectNode json(String type, String message, String requestId) {
    ObjectNode root = json.createObjectNode();
    root.put("type", "error");
    root.putObject("error").put("type", type).put("message", message);
    if (requestId != null) {
      root.put("request_id", requestId);
    }
    return root;
  }
}
