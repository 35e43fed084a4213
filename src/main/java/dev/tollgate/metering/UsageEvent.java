package dev.tollgate.metering;

/**
 * One upstream call as billed: the system of record for spend.
 *
 * @param id UUIDv7; storing is idempotent on it
 * @param estimated true when tokens were counted locally because the upstream reported none
 * @param status ok, partial, upstream_error, timeout or client_closed
 * @param ttftMs time to first token (streams) or to the whole answer; -1 when none arrived
 * @param teamId the team billed for the call
 * @param userId the person behind the key, or null for service accounts and the master key
 */
public record UsageEvent(
    String id,
    String requestId,
    String keyId,
    String endpoint,
    String model,
    String deployment,
    String provider,
    String upstreamModel,
    long inputTokens,
    long outputTokens,
    long cachedTokens,
    long reasoningTokens,
    boolean estimated,
    long costMicros,
    String status,
    int httpStatus,
    long latencyMs,
    long ttftMs,
    boolean streamed,
    String error,
    long createdAt,
    int attempt,
    String route,
    String teamId,
    String userId) {

  /** An event of the default team with no user (tests, and keys made before teams). */
  public UsageEvent(String id, String requestId, String keyId, String endpoint, String model, String deployment,
      String provider, String upstreamModel, long inputTokens, long outputTokens, long cachedTokens,
      long reasoningTokens, boolean estimated, long costMicros, String status, int httpStatus, long latencyMs,
      long ttftMs, boolean streamed, String error, long createdAt, int attempt, String route) {
    this(id, requestId, keyId, endpoint, model, deployment, provider, upstreamModel, inputTokens, outputTokens,
        cachedTokens, reasoningTokens, estimated, costMicros, status, httpStatus, latencyMs, ttftMs, streamed, error,
        createdAt, attempt, route, "default", null);
  }

  /** An event of a request's first and only attempt, with no routing note. */
  public UsageEvent(String id, String requestId, String keyId, String endpoint, String model, String deployment,
      String provider, String upstreamModel, long inputTokens, long outputTokens, long cachedTokens,
      long reasoningTokens, boolean estimated, long costMicros, String status, int httpStatus, long latencyMs,
      long ttftMs, boolean streamed, String error, long createdAt) {
    this(id, requestId, keyId, endpoint, model, deployment, provider, upstreamModel, inputTokens, outputTokens,
        cachedTokens, reasoningTokens, estimated, costMicros, status, httpStatus, latencyMs, ttftMs, streamed, error,
        createdAt, 1, null);
  }
}
