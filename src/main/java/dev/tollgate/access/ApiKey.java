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
 * @param teamId the team that owns the key (and is billed for it)
 * @param userId the user the key acts for; empty for a service account key
 * @param models models the key may call; empty means every model
 * @param previous the digest of the secret before the last rotation, while it is still accepted
 * @param ownerDisabled the person the key acts for is disabled: the key opens nothing until they are
 *     enabled again
 */
public record ApiKey(
    String id,
    String name,
    String keyHash,
    String prefix,
    String teamId,
    Optional<String> userId,
    Set<String> models,
    Map<String, Object> metadata,
    Instant createdAt,
    Optional<Instant> expiresAt,
    Optional<Instant> revokedAt,
    Optional<PreviousSecret> previous,
    boolean ownerDisabled) {

  /** A rotated-out secret's digest and the moment it stops being accepted. */
  public record PreviousSecret(String keyHash, Instant validUntil) {}

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
    return new ApiKey(id, name, keyHash, prefix, teamId, userId, models, metadata, createdAt, expiresAt,
        Optional.of(when), previous, ownerDisabled);
  }

  /** Whether a secret with this digest opens the key at {@code now}: the current one, or the previous in its grace period. */
  public boolean accepts(String digest, Instant now) {
    if (digest.equals(keyHash)) {
      return true;
    }
    return previous.map(p -> p.keyHash().equals(digest) && now.isBefore(p.validUntil())).orElse(false);
  }

  /** Whether the key acts for no person. */
  public boolean serviceAccount() {
    return userId.isEmpty();
  }
}
