package dev.tollgate.metering.ledger;

import dev.tollgate.metering.UsageEvent;

/**
 * What the ledger's write-ahead log holds: a call about to be made, a call that never went out, how a call
 * ended, a call's whole usage event.
 */
sealed interface LedgerRecord {

  /** The id of the usage event the record is about. */
  String eventId();

  /** A call about to be made. */
  record Begun(CallIntent intent) implements LedgerRecord {
    @Override
    public String eventId() {
      return intent.id();
    }
  }

  /** A call that was begun but never reached its upstream: nothing to bill, the intent is closed. */
  record Abandoned(String eventId) implements LedgerRecord {}

  /**
   * How a call ended: its usage event less the fields its intent already holds in the log (who called, which
   * model and deployment, which attempt), which the flusher joins back. Under half the size of a whole event
   * (122 bytes against 314 for a typical chat call) on every path it takes: encoded on the event loop, stored,
   * written, read back, decoded.
   */
  record Outcome(String eventId, long inputTokens, long outputTokens, long cachedTokens, long reasoningTokens,
      boolean estimated, long costMicros, String status, int httpStatus, long latencyMs, long ttftMs,
      boolean streamed, String error, long createdAt) implements LedgerRecord {

    /** The outcome of {@code event}, whose call's intent is in the log under the same id. */
    static Outcome of(UsageEvent event) {
      return new Outcome(event.id(), event.inputTokens(), event.outputTokens(), event.cachedTokens(),
          event.reasoningTokens(), event.estimated(), event.costMicros(), event.status(), event.httpStatus(),
          event.latencyMs(), event.ttftMs(), event.streamed(), event.error(), event.createdAt());
    }

    /** The usage event: {@code intent}'s fields (the call's intent, the same id) with this outcome. */
    UsageEvent event(CallIntent intent) {
      return new UsageEvent(eventId, intent.requestId(), intent.keyId(), intent.endpoint(), intent.model(),
          intent.deployment(), intent.provider(), intent.upstreamModel(), inputTokens, outputTokens, cachedTokens,
          reasoningTokens, estimated, costMicros, status, httpStatus, latencyMs, ttftMs, streamed, error, createdAt,
          intent.attempt(), intent.route(), intent.teamId(), intent.userId());
    }
  }

  /** A call's whole usage event: the system of record for its spend (calls billed as interrupted, older logs). */
  record Ended(UsageEvent event) implements LedgerRecord {
    @Override
    public String eventId() {
      return event.id();
    }
  }
}
