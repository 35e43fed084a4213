package dev.tollgate.metering;

import java.util.List;

/** Durable storage for usage events. Blocks; idempotent per event id. */
public interface UsageSink {

  void insert(List<UsageEvent> events);
}
