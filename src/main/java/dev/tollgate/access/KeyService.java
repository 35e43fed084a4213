package dev.tollgate.access;

import dev.tollgate.access.directory.Page;
import dev.tollgate.access.directory.Scope;
import dev.tollgate.store.IdGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Creates, lists, rotates and revokes virtual keys, keeping this node's {@link KeyCache} in step so a
 * change is effective here at once. Blocks on the store: call from a virtual thread.
 */
public final class KeyService {
  /** The longest a rotated-out secret may stay valid. */
  public static final Duration MAX_GRACE = Duration.ofDays(30);

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

  /** What a new key is: its owner team, the person it acts for (none for a service account), and its limits. */
  public record Spec(String name, String teamId, Optional<String> userId, Set<String> models,
      Optional<Instant> expiresAt, Map<String, Object> metadata) {}

  /** A key and its secret, which exists nowhere else and is never shown again. */
  public record Created(ApiKey key, String secret) {
    @Override
    public String toString() {
      return "Created[key=" + key.id() + ", secret=<redacted>]";
    }
  }

  public Created create(Spec spec) {
    String secret = secrets.newSecret();
    ApiKey key = new ApiKey(ids.next(), spec.name(), KeySecrets.digest(secret), KeySecrets.displayPrefix(secret),
        spec.teamId(), spec.userId(), spec.models(), spec.metadata(), clock.instant(), spec.expiresAt(),
        Optional.empty(), Optional.empty(), false);
    store.insert(key);
    cache.put(key);
    return new Created(key, secret);
  }

  public Page<ApiKey> list(Scope scope, KeyStore.Filter filter, Page.Request page) {
    return store.list(scope, filter, page);
  }

  public Optional<ApiKey> find(String id) {
    return store.findById(id);
  }

  /**
   * Reloads this node's cached keys of a user whose state changed (disabled, enabled), so the change
   * holds here at once; other nodes see it at their next refresh.
   */
  public void refreshOwnedBy(String userId) {
    Page.Request page = new Page.Request(Page.Request.MAX_LIMIT, Optional.empty());
    while (true) {
      Page<ApiKey> keys = store.list(Scope.everything(), new KeyStore.Filter(Optional.empty(), Optional.of(userId),
          Optional.empty(), clock.instant()), page);
      keys.items().forEach(cache::put);
      if (keys.nextCursor().isEmpty()) {
        return;
      }
      page = new Page.Request(Page.Request.MAX_LIMIT, keys.nextCursor());
    }
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

  /**
   * Gives a live key a new secret; the old one stays valid for {@code grace} (zero: not at all), so
   * callers can switch without an outage. Empty when the key does not exist, is revoked, or was
   * rotated concurrently.
   */
  public Optional<Created> rotate(String id, Duration grace) {
    if (grace.isNegative() || grace.compareTo(MAX_GRACE) > 0) {
      throw new IllegalArgumentException("the grace period must be between 0 and " + MAX_GRACE.toDays() + " days");
    }
    Optional<ApiKey> current = store.findById(id).filter(k -> !k.revoked());
    if (current.isEmpty()) {
      return Optional.empty();
    }
    String secret = secrets.newSecret();
    ApiKey.PreviousSecret previous = new ApiKey.PreviousSecret(current.get().keyHash(), clock.instant().plus(grace));
    if (!store.rotate(id, KeySecrets.digest(secret), KeySecrets.displayPrefix(secret), previous)) {
      return Optional.empty();
    }
    ApiKey rotated = store.findById(id).orElseThrow();
    cache.put(rotated);
    return Optional.of(new Created(rotated, secret));
  }
}
