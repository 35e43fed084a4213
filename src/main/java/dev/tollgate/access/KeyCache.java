package dev.tollgate.access;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Keys by digest, in memory, so the data plane does not wait on the database (DESIGN promise 1).
 *
 * <p>Known keys stay cached and are refreshed in the background every {@code refresh}; a failed
 * refresh keeps the old entry, so a database outage never turns a valid key into a 401. Unknown
 * digests are cached briefly ({@code negativeTtl}) so random keys cannot hammer the database, while a
 * key created on another node becomes usable within that time. Thread-safe.
 */
public final class KeyCache {
  private final AsyncLoadingCache<String, Optional<ApiKey>> cache;

  public KeyCache(KeyStore store, Executor blockingExecutor, Duration refresh, Duration negativeTtl, long maxKeys) {
    this.cache = Caffeine.newBuilder()
        // Maintenance is cheap and non-blocking, so it runs on the calling thread (the event loop):
        // handing it to an executor woke another thread every few lookups, a futex call and a context
        // switch on the hot path. Loads and refreshes, which block on the database, go to blockingExecutor.
        .executor(Runnable::run)
        .maximumSize(maxKeys)
        .refreshAfterWrite(refresh)
        .expireAfter(new Expiry<String, Optional<ApiKey>>() {
          @Override
          public long expireAfterCreate(String key, Optional<ApiKey> value, long currentTime) {
            return value.isPresent() ? Long.MAX_VALUE : negativeTtl.toNanos();
          }

          @Override
          public long expireAfterUpdate(String key, Optional<ApiKey> value, long currentTime, long currentDuration) {
            return expireAfterCreate(key, value, currentTime);
          }

          @Override
          public long expireAfterRead(String key, Optional<ApiKey> value, long currentTime, long currentDuration) {
            return currentDuration;
          }
        })
        .buildAsync((keyHash, ignored) ->
            CompletableFuture.supplyAsync(() -> store.findByHash(keyHash), blockingExecutor));
  }

  /** The key for a digest; completes exceptionally only when it is not cached and the store fails. */
  public CompletableFuture<Optional<ApiKey>> get(String keyHash) {
    return cache.get(keyHash);
  }

  /** Makes a change made on this node visible at once (new key, revocation, rotation). */
  public void put(ApiKey key) {
    cache.put(key.keyHash(), CompletableFuture.completedFuture(Optional.of(key)));
    key.previous().ifPresent(p -> cache.put(p.keyHash(), CompletableFuture.completedFuture(Optional.of(key))));
  }

  public long size() {
    return cache.synchronous().estimatedSize();
  }
}
