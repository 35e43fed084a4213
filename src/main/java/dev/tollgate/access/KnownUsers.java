package dev.tollgate.access;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.tollgate.access.directory.Directory;
import dev.tollgate.access.directory.User;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Which Tollgate user a JWT's user claim names, cached so the data plane waits on the database only
 * the first time it meets a name. The claim names a user either by Tollgate user id or, for users
 * provisioned by single sign-on from the same identity provider, by their external identity (the
 * token's issuer and the claim's value, normally {@code sub}).
 *
 * <p>Known users stay cached and are re-read in the background every {@code refresh} (so disabling a
 * user takes effect within that time); a failed re-read keeps the old entry, so a database outage does
 * not refuse known callers. Names that match no user are cached for {@code negativeTtl}. Loads run on
 * {@code loadExecutor}; time comes from {@code clock}. Thread-safe.
 */
public final class KnownUsers {
  /** The user a claim names, as far as the data plane needs to know them. */
  public record Found(String userId, boolean disabled) {}

  private record Name(String issuer, String value) {}

  private final AsyncLoadingCache<Name, Optional<Found>> cache;

  public KnownUsers(Directory directory, Executor loadExecutor, Clock clock, Duration refresh, Duration negativeTtl,
      long maxUsers) {
    this.cache = Caffeine.newBuilder()
        // Maintenance is cheap and runs on the caller, as in KeyCache; loads go to loadExecutor.
        .executor(Runnable::run)
        .ticker(() -> nanos(clock.instant()))
        .maximumSize(maxUsers)
        .refreshAfterWrite(refresh)
        .expireAfter(new Expiry<Name, Optional<Found>>() {
          @Override
          public long expireAfterCreate(Name key, Optional<Found> value, long currentTime) {
            return value.isPresent() ? Long.MAX_VALUE : negativeTtl.toNanos();
          }

          @Override
          public long expireAfterUpdate(Name key, Optional<Found> value, long currentTime, long currentDuration) {
            return expireAfterCreate(key, value, currentTime);
          }

          @Override
          public long expireAfterRead(Name key, Optional<Found> value, long currentTime, long currentDuration) {
            return currentDuration;
          }
        })
        .buildAsync((name, ignored) -> CompletableFuture.supplyAsync(() -> load(directory, name), loadExecutor));
  }

  /**
   * The user that {@code value} names for tokens of {@code issuer}; completes exceptionally only when the
   * name is not cached and the directory cannot be read.
   */
  public CompletableFuture<Optional<Found>> find(String issuer, String value) {
    return cache.get(new Name(issuer, value));
  }

  private static Optional<Found> load(Directory directory, Name name) {
    return directory.user(name.value())
        .or(() -> directory.userByIdentity(new User.ExternalIdentity(name.issuer(), name.value())))
        .map(u -> new Found(u.id(), u.disabled()));
  }

  private static long nanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }
}
