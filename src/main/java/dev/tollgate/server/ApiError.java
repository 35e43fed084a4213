package dev.tollgate.server;

/**
 * An error as the caller sees it: HTTP status plus the fields of OpenAI's
 * {@code {"error":{"message","type","param","code"}}} shape.
 *
 * @param retryAfterSeconds value for a {@code Retry-After} header, or -1 for none
 */
public record ApiError(int status, String type, String code, String message, String param, long retryAfterSeconds) {

  public ApiError(int status, String type, String code, String message) {
    this(status, type, code, message, null, -1);
  }

  public ApiError withParam(String p) {
    return new ApiError(status, type, code, message, p, retryAfterSeconds);
  }

  public ApiError withRetryAfter(long seconds) {
    return new ApiError(status, type, code, message, param, seconds);
  }

  public GatewayException exception() {
    return new GatewayException(this);
  }

  public static ApiError invalidRequest(String message, String param) {
    return new ApiError(400, "invalid_request_error", "invalid_request", message, param, -1);
  }

  public static ApiError invalidJson(String detail) {
    return new ApiError(400, "invalid_request_error", "invalid_json", "request body is not valid JSON: " + detail);
  }

  public static ApiError missingKey() {
    return new ApiError(401, "authentication_error", "missing_api_key",
        "no API key given: send 'Authorization: Bearer <key>' or 'x-api-key: <key>'");
  }

  public static ApiError invalidKey() {
    return new ApiError(401, "authentication_error", "invalid_api_key", "the API key is not valid");
  }

  public static ApiError revokedKey() {
    return new ApiError(401, "authentication_error", "revoked_api_key", "the API key has been revoked");
  }

  public static ApiError expiredKey() {
    return new ApiError(401, "authentication_error", "expired_api_key", "the API key has expired");
  }

  public static ApiError rotatedKey() {
    return new ApiError(401, "authentication_error", "rotated_api_key",
        "the API key has been rotated and its grace period is over; use the new secret");
  }

  public static ApiError forbidden(String message) {
    return new ApiError(403, "permission_error", "forbidden", message);
  }

  public static ApiError conflict(String message) {
    return new ApiError(409, "invalid_request_error", "conflict", message);
  }

  public static ApiError adminOnly() {
    return new ApiError(403, "permission_error", "admin_required", "this endpoint needs the master key");
  }

  public static ApiError modelNotAllowed(String model) {
    return new ApiError(403, "permission_error", "model_not_allowed",
        "this API key may not use the model '" + model + "'", "model", -1);
  }

  public static ApiError unknownModel(String model) {
    return new ApiError(404, "invalid_request_error", "model_not_found",
        "the model '" + model + "' does not exist", "model", -1);
  }

  public static ApiError notFound(String what) {
    return new ApiError(404, "invalid_request_error", "not_found", what);
  }

  public static ApiError methodNotAllowed(String method, String path) {
    return new ApiError(405, "invalid_request_error", "method_not_allowed",
        "method " + method + " is not allowed on " + path);
  }

  public static ApiError bodyTooLarge(long limit) {
    return new ApiError(413, "invalid_request_error", "request_too_large",
        "request body exceeds the limit of " + limit + " bytes");
  }

  public static ApiError unsupportedMediaType(String contentType) {
    return new ApiError(415, "invalid_request_error", "unsupported_media_type",
        "expected Content-Type: application/json, got " + (contentType == null ? "none" : "'" + contentType + "'"));
  }

  public static ApiError overloaded(String message) {
    return new ApiError(503, "server_error", "overloaded", message, null, 1);
  }

  public static ApiError upstreamUnreachable(String provider) {
    return new ApiError(502, "api_error", "upstream_unreachable",
        "could not connect to the upstream provider '" + provider + "'");
  }

  public static ApiError upstreamProtocol(String provider, String detail) {
    return new ApiError(502, "api_error", "upstream_protocol_error",
        "the upstream provider '" + provider + "' answered badly: " + detail);
  }

  public static ApiError upstreamTimeout(String provider, String which) {
    return new ApiError(504, "api_error", "upstream_timeout",
        "the upstream provider '" + provider + "' timed out (" + which + ")");
  }

  public static ApiError internal() {
    return new ApiError(500, "server_error", "internal_error", "internal error; see the gateway log for the request id");
  }
}
