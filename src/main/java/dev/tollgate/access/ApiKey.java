package dev.tollgate.access;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A virtual API key as stored: never the secret, only its digest and a display prefix.
 *
 * @param models models the key may call; empty means every model
 */
public record ApiKey(
    String id,
    String name,
    String keyHash,
    String prefix,
    Set<String> models,
    Map<String, Object> metadata,
    Instant createdAt,
    Optional<Instant> expiresAt,
    Optional<Instant> revokedAt) {

  public ApiKey {
    models = Set.copyOf(models);
    // Not Map.copyOf: caller metadata may hold JSON nulls.
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }

  public boolean revoked() {
    return revokedAt.isPresent();
  }

  public boolean expiredAt(Instant now) {
    return expiresAt.map(e -> !now.isBefore(e)).orElse(false);
  }

  public ApiKey revokedAt(Instant when) {
    return new ApiKey(id, name, keyHash, prefix, models, metadata, createdAt, expiresAt, Optional.of(when));
  }
}
