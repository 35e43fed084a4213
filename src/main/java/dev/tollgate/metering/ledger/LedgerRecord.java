package dev.tollgate.metering.ledger;

import dev.tollgate.metering.UsageEvent;

/** What the ledger's write-ahead log holds: a call about to be made, a call that never went out, a call's usage event. */
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

  /** A call's usage event: the system of record for its spend. */
  record Ended(UsageEvent event) implements LedgerRecord {
    @Override
    public String eventId() {
      return event.id();
    }
  }
}
