package dev.tollgate.metering;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * Everything known about an upstream call once it is over, before it is priced.
 *
 * @param reported the upstream's own usage report, if any
 * @param answerText the answer text seen, for counting when nothing was reported
 * @param requestBody the request as sent upstream, for counting prompt tokens when nothing was reported
 * @param billable whether the upstream did work worth estimating (false for plain error answers)
 */
public record CompletedCall(
    String requestId,
    String keyId,
    String teamId,
    String userId,
    String endpoint,
    String model,
    String deployment,
    String provider,
    String upstreamModel,
    String status,
    int httpStatus,
    Optional<TokenUsage> reported,
    String answerText,
    JsonNode requestBody,
    boolean billable,
    long latencyMs,
    long ttftMs,
    boolean streamed,
    String error,
    int attempt,
    String route) {}
