package dev.tollgate.access.directory;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A group of users and keys inside an organisation; budgets and usage are reported per team. */
public record Team(String id, String orgId, String name, Map<String, Object> metadata, Instant createdAt) {
  public Team {
    // Not Map.copyOf: metadata may hold JSON nulls.
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }
}
