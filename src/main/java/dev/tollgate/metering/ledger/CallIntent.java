package dev.tollgate.metering.ledger;

import dev.tollgate.metering.UsageEvent;

/**
 * An upstream call about to be made, written to the ledger before the request leaves the gateway. Its
 * usage event, written when the call ends, carries the same id; an intent left without one after a
 * crash becomes an {@linkplain #interrupted() interrupted} event, so a call the gateway died during is
 * still billed, once.
 *
 * @param id the id its usage event will have (UUIDv7)
 * @param promptTokens the prompt's tokens as counted (or estimated) at admission
 * @param promptCostMicros what those tokens cost at the prices of the moment the call was made
 */
public record CallIntent(
    String id,
    String requestId,
    String keyId,
    String teamId,
    String userId,
    String endpoint,
    String model,
    String deployment,
    String provider,
    String upstreamModel,
    boolean streamed,
    long promptTokens,
    long promptCostMicros,
    long createdAt,
    int attempt,
    String route) {

  /** Status of an event made from an intent whose call's end was never recorded. */
  public static final String INTERRUPTED = "interrupted";

  /**
   * The event billed for a call whose gateway stopped (crash, kill, power loss) before it ended: the
   * prompt as counted at admission, no output (nothing is known of it), marked estimated.
   */
  public UsageEvent interrupted() {
    return new UsageEvent(id, requestId, keyId, endpoint, model, deployment, provider, upstreamModel, promptTokens, 0,
        0, 0, true, promptCostMicros, INTERRUPTED, 0, 0, -1, streamed,
        "the gateway stopped before the call ended; billed for the prompt as counted at admission", createdAt,
        attempt, route, teamId, userId);
  }
}
