package dev.tollgate.metering;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/** Durable storage for usage events. Blocks; idempotent per event id. */
public interface UsageSink {

  void insert(List<UsageEvent> events);

  /** Which of the events {@code ids} are stored. */
  Set<String> stored(Collection<String> ids);
}
