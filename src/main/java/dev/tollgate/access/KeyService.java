package dev.tollgate.access;

import dev.tollgate.store.IdGenerator;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Creates, lists and revokes virtual keys, keeping this node's {@link KeyCache} in step so a change is
 * effective here at once. Blocks on the store: call from a virtual thread.
 */
public final class KeyService {
  private final KeyStore store;
  private final KeyCache cache;
  private final KeySecrets secrets;
  private final IdGenerator ids;
  private final Clock clock;

  public KeyService(KeyStore store, KeyCache cache, KeySecrets secrets, IdGenerator ids, Clock clock) {
    this.store = store;
    this.cache = cache;
    this.secrets = secrets;
    this.ids = ids;
    this.clock = clock;
  }

  /** A new key and its secret, which exists nowhere else and is never shown again. */
  public record Created(ApiKey key, String secret) {}

  public Created create(String name, Set<String> models, Optional<Instant> expiresAt, Map<String, Object> metadata) {
    String secret = secrets.newSecret();
    ApiKey key = new ApiKey(ids.next(), name, KeySecrets.digest(secret), KeySecrets.displayPrefix(secret), models,
        metadata, clock.instant(), expiresAt, Optional.empty());
    store.insert(key);
    cache.put(key);
    return new Created(key, secret);
  }

  public List<ApiKey> list() {
    return store.list();
  }

  public Optional<ApiKey> find(String id) {
    return store.findById(id);
  }

  /** Revokes the key; returns it as revoked, or empty when no such key exists. */
  public Optional<ApiKey> revoke(String id) {
    Instant now = clock.instant();
    if (!store.revoke(id, now)) {
      return Optional.empty();
    }
    Optional<ApiKey> revoked = store.findById(id);
    revoked.ifPresent(cache::put);
    return revoked;
  }
}
