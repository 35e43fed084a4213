package dev.tollgate.access.jwt;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * One issuer's JSON Web Key Set, kept in memory so verifying a token never waits on the network while
 * it holds the key asked for. Lookups return futures that are already complete on that path; fetches
 * (first use, a set older than {@code ttl}, a {@code kid} the set lacks) run on {@code fetchExecutor}, and
 * a future that waits for one completes on that executor's thread.
 *
 * <p>A set older than {@code ttl} is still used for the key it has while a refresh runs in the
 * background; only a key the set lacks makes the caller wait for a fetch.
 *
 * <p>Key rotation: an issuer publishes a new key before signing with it, so an unknown {@code kid} is
 * a reason to refetch at once, but at most once per {@code minRefetch}, so a flood of tokens with made-up
 * key ids cannot turn this node into a load generator against the issuer. A key the issuer has removed
 * stops verifying at the next fetch. When a fetch fails the last good set stays in use (an outage at the
 * issuer does not reject valid callers); with no set at all lookups fail with
 * {@link KeysUnavailableException}.
 *
 * <p>Thread-safe: the state is a few fields guarded by {@code this}, held only to read them or to start
 * a fetch, never across one. Concurrent lookups that need a fetch share the one in flight.
 */
public final class JwksCache {
  private static final int MAX_BYTES = 512 * 1024;

  private final URI url;
  private final Executor fetchExecutor;
  private final Clock clock;
  private final Duration ttl;
  private final Duration minRefetch;
  private final Duration timeout;

  // @GuardedBy("this")
  private JWKSet keys;
  // @GuardedBy("this")
  private Instant fetchedAt = Instant.MIN;
  // @GuardedBy("this")
  private Instant lastAttempt = Instant.MIN;
  // @GuardedBy("this")
  private CompletableFuture<JWKSet> inFlight;
  // @GuardedBy("this")
  private long fetches;

  public JwksCache(URI url, Executor fetchExecutor, Clock clock, Duration ttl, Duration minRefetch, Duration timeout) {
    this.url = url;
    this.fetchExecutor = fetchExecutor;
    this.clock = clock;
    this.ttl = ttl;
    this.minRefetch = minRefetch;
    this.timeout = timeout;
  }

  /**
   * The keys that match, possibly none; completes exceptionally with {@link KeysUnavailableException} only
   * when no key set was ever fetched. Never blocks the caller.
   */
  public CompletableFuture<List<JWK>> select(JWKMatcher matcher) {
    JWKSelector selector = new JWKSelector(matcher);
    CompletableFuture<JWKSet> fetch;
    JWKSet cached;
    synchronized (this) {
      Instant now = clock.instant();
      cached = keys;
      boolean mayFetch = inFlight != null || !now.isBefore(lastAttempt.plus(minRefetch));
      if (cached != null) {
        List<JWK> found = selector.select(cached);
        boolean fresh = now.isBefore(fetchedAt.plus(ttl));
        if ((fresh && !found.isEmpty()) || !mayFetch) {
          return CompletableFuture.completedFuture(found);
        }
        if (!found.isEmpty()) {
          // Stale but the key is there: answer now and refresh behind the caller, so the hot path
          // never waits for a routine refresh. A key the issuer removed works until that fetch lands.
          startFetch(now);
          return CompletableFuture.completedFuture(found);
        }
      } else if (!mayFetch) {
        return CompletableFuture.failedFuture(new KeysUnavailableException(
            "the key set at " + url + " is unavailable (last fetch failed; retrying after " + minRefetch + ")", null));
      }
      fetch = startFetch(now);
    }
    return fetch.handle((fetched, failure) -> {
      if (fetched != null) {
        return selector.select(fetched);
      }
      if (cached != null) {
        return selector.select(cached);
      }
      throw new KeysUnavailableException("the key set at " + url + " cannot be fetched: " + cause(failure), failure);
    });
  }

  /** How many fetches were started, for metrics and tests. */
  public synchronized long fetches() {
    return fetches;
  }

  public URI url() {
    return url;
  }

  // @GuardedBy("this")
  private CompletableFuture<JWKSet> startFetch(Instant now) {
    if (inFlight != null) {
      return inFlight;
    }
    lastAttempt = now;
    fetches++;
    CompletableFuture<JWKSet> fetch = new CompletableFuture<>();
    inFlight = fetch;
    try {
      fetchExecutor.execute(() -> fetchInto(fetch));
    } catch (RejectedExecutionException e) {
      inFlight = null;
      fetch.completeExceptionally(e);
    }
    return fetch;
  }

  private void fetchInto(CompletableFuture<JWKSet> fetch) {
    JWKSet set = null;
    Throwable failure = null;
    try {
      set = load();
    } catch (RuntimeException e) {
      failure = e;
    }
    // The state changes before the future completes, so whoever waits on it sees the new set.
    synchronized (this) {
      if (set != null) {
        keys = set;
        fetchedAt = clock.instant();
      }
      inFlight = null;
    }
    if (set != null) {
      fetch.complete(set);
    } else {
      fetch.completeExceptionally(failure);
    }
  }

  private JWKSet load() {
    int millis = Math.toIntExact(timeout.toMillis());
    try {
      // Only public keys: a set that also published private parts must not make us hold them.
      return JWKSet.load(url.toURL(), millis, millis, MAX_BYTES).toPublicJWKSet();
    } catch (IOException | ParseException e) {
      throw new CompletionException(e);
    }
  }

  private static String cause(Throwable failure) {
    Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }
}
