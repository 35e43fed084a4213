package dev.tollgate.metering.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.tollgate.metering.limits.Admission.Admitted;
import dev.tollgate.metering.limits.Admission.Limited;
import dev.tollgate.metering.limits.RateLimitStatus.Window;
import dev.tollgate.metering.limits.ScopeState.Refused;
import dev.tollgate.metering.limits.ScopeState.Taken;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Caller-side rate limits: requests per minute, tokens per minute and concurrent requests, per key,
 * user and team, counted on this node (a deployment's own capacity is {@code routing.DeploymentHealth}'s).
 *
 * <p><b>Admission</b> takes one request, the call's estimated tokens and a concurrency slot from every
 * limited scope of the caller, key first, then user, then team. When one scope refuses, what the
 * others gave is given back, so a refused call costs no scope anything. The give-back is not atomic
 * with the take: for the few microseconds in between, a concurrent call of the same key may see the
 * key's bucket lower than it will be and be refused too. The race only ever refuses, never admits
 * beyond a limit. Tokens are reserved at admission from an estimate (prompt + max output) and
 * corrected by {@link Permit#settle}.
 *
 * <p><b>Reconfiguration</b>: {@link #update} swaps the configuration; every tracked scope's buckets
 * are reconfigured in place (see {@link ScopeState#ON_CHANGE} for what happens to tokens already
 * used), scopes that lost all their limits are dropped, and permits in flight stay valid.
 *
 * <p><b>Memory</b>: counters live in a bounded Caffeine cache, one entry per scope seen. An entry
 * that has been idle for a whole {@link ScopeState#REFILL_PERIOD} with no call in flight is
 * indistinguishable from a new one (buckets never go below zero, so they are full again), so
 * expiring it loses nothing; an entry with calls in flight is kept ({@link #PINNED}). Past
 * {@code limits.max_tracked_scopes} Caffeine evicts the entries it judges least likely to be used
 * again; an evicted scope that comes back starts with full buckets: the bound on memory wins over
 * exactness for that scope (promise 7).
 *
 * <p>Thread-safety: safe for any number of event loops; non-blocking. The hot path holds no lock:
 * Bucket4j's local buckets are lock-free, counters are atomic, and the Caffeine lookups are
 * lock-free reads (only a scope's first call briefly locks its hash bin to create the entry). Cache maintenance runs on the calling thread (it is short and amortised).
 */
public final class RateLimiter {
  /**
   * How long an entry with calls in flight is kept without any access: longer than any call may
   * last (upstream calls end after 10 minutes by default), so that its concurrency count survives.
   */
  static final Duration PINNED = Duration.ofHours(1);

  private static final long NANOS_PER_MILLI = 1_000_000L;
  /** The admission of every call none of whose scopes is limited (the usual case where no limits are configured). */
  public static final Admitted UNLIMITED = new Admitted(Permit.UNLIMITED, RateLimitStatus.UNLIMITED);

  private final ClockTime time;
  private final Cache<Scope, ScopeState> states;
  private final Function<Scope, ScopeState> newState;
  private final Supplier<LimitsConfig> latest = this::config;
  private volatile LimitsConfig config;

  public RateLimiter(LimitsConfig config, Clock clock) {
    this.config = Objects.requireNonNull(config, "config");
    this.time = ClockTime.of(clock);
    this.newState = scope -> new ScopeState(scope, time);
    this.states = Caffeine.newBuilder()
        .maximumSize(config.maxTrackedScopes())
        .expireAfter(new IdleExpiry())
        .ticker(time)
        .executor(Runnable::run)
        .build();
  }

  /** The configuration in force. */
  public LimitsConfig config() {
    return config;
  }

  /**
   * Admits a call of {@code caller} that will use about {@code estimatedTokens} (input + output), or
   * refuses it naming the limit that frees up last. Never blocks.
   */
  public Admission admit(CallerScopes caller, long estimatedTokens) {
    if (estimatedTokens < 0) {
      throw new IllegalArgumentException("estimatedTokens: " + estimatedTokens + " (expected: >= 0)");
    }
    LimitsConfig current = config;
    List<ScopeState> limited = null;
    for (Scope scope : caller.scopes()) {
      if (!current.specFor(scope).isEmpty()) {
        ScopeState state = states.get(scope, newState);
        state.sync(latest);
        if (limited == null) {
          limited = new ArrayList<>(3);
        }
        limited.add(state);
      }
    }
    if (limited == null) {
      return UNLIMITED;
    }
    List<Taken> taken = new ArrayList<>(limited.size());
    for (ScopeState state : limited) {
      switch (state.take(estimatedTokens)) {
        case Taken t -> taken.add(t);
        case Refused r -> {
          for (Taken t : taken) {
            t.state().giveBack(t);
          }
          return limited(r, limited, estimatedTokens);
        }
      }
    }
    // A lookup above set its entry's expiry before the call was in flight: where the call is the scope's
    // only one, read the entry again so that IdleExpiry pins it now (with others in flight it is pinned).
    for (Taken t : taken) {
      if (t.first()) {
        states.getIfPresent(t.state().scope());
      }
    }
    Window requests = null;
    Window tokens = null;
    for (Taken t : taken) {
      requests = tighter(requests, t.requestWindow());
      tokens = tighter(tokens, t.tokenWindow());
    }
    return new Admitted(new Permit(taken, this::released),
        new RateLimitStatus(Optional.ofNullable(requests), Optional.ofNullable(tokens)));
  }

  private Limited limited(Refused first, List<ScopeState> limited, long estimatedTokens) {
    // Another limit may free up later than the one that refused first; retrying before then is futile.
    Refused worst = first;
    Window requests = null;
    Window tokens = null;
    for (ScopeState state : limited) {
      Optional<Refused> refusal = state.wouldRefuse(estimatedTokens);
      if (refusal.isPresent() && refusal.get().waitNanos() > worst.waitNanos()) {
        worst = refusal.get();
      }
      requests = tighter(requests, state.requestWindow());
      tokens = tighter(tokens, state.tokenWindow());
    }
    return new Limited(worst.scope(), worst.limit(), worst.allowed(), retryAfter(worst.waitNanos()),
        new RateLimitStatus(Optional.ofNullable(requests), Optional.ofNullable(tokens)));
  }

  /**
   * Bucket4j's wait rounded up to whole milliseconds: it rounds down to the nanosecond (rpm 7 answers
   * 8,571,428,571 ns, when the request is whole only a fraction later), and clients wait in
   * milliseconds anyway.
   */
  static Duration retryAfter(long waitNanos) {
    long millis = Math.max(1, (Math.max(0, waitNanos) + NANOS_PER_MILLI - 1) / NANOS_PER_MILLI);
    return Duration.ofMillis(millis);
  }

  private static Window tighter(Window current, Window candidate) {
    if (candidate == null) {
      return current;
    }
    return current == null || candidate.tighterThan(current) ? candidate : current;
  }

  /** A permit freed the last slot in flight of {@code scope}: read the entry so that it is no longer pinned. */
  private void released(Scope scope) {
    states.getIfPresent(scope);
  }

  /**
   * Applies a new configuration without a restart: tracked scopes are reconfigured now (and any a
   * concurrent admission creates from the old configuration on its next use), scopes left without
   * limits are dropped, the bound on tracked scopes is resized. Call from the control plane; it walks
   * every tracked scope.
   */
  public void update(LimitsConfig next) {
    Objects.requireNonNull(next, "next");
    config = next;
    states.policy().eviction().ifPresent(eviction -> eviction.setMaximum(next.maxTrackedScopes()));
    for (Map.Entry<Scope, ScopeState> entry : states.asMap().entrySet()) {
      if (next.specFor(entry.getKey()).isEmpty()) {
        states.asMap().remove(entry.getKey(), entry.getValue());
      } else {
        entry.getValue().sync(this::config);
      }
    }
  }

  /**
   * How many scopes have counters in memory now, after expiring idle ones. Traffic expires them too,
   * a bounded batch per maintenance run (Caffeine's); this drains every batch that is due.
   */
  public long trackedScopes() {
    long before;
    do {
      before = states.estimatedSize();
      states.cleanUp();
    } while (states.estimatedSize() < before);
    return states.estimatedSize();
  }

  /**
   * Idle entries expire after a refill period, entries with calls in flight are pinned. Caffeine
   * asks on every create, read and update; admission and release read the entry again when they move its
   * in-flight count from or to zero, the only changes that change the answer (a read per call was
   * two Caffeine reads a call for nothing under steady traffic).
   *
   * <p>Tolerated race: a release's read can compute "idle" just before an admission of the same
   * scope marks a call in flight and pins it, and then overwrite the pin. That call's entry then
   * expires after a refill period without traffic; if the call outlives it, the next caller of the
   * scope is not counted against that one call's concurrency slot. It needs a call longer than a
   * minute in a scope that sees no other traffic meanwhile, and overshoots by one call at most.
   */
  private static final class IdleExpiry implements Expiry<Scope, ScopeState> {
    private static long nanos(ScopeState state) {
      return state.inFlight() > 0 ? PINNED.toNanos() : ScopeState.REFILL_PERIOD.toNanos();
    }

    @Override
    public long expireAfterCreate(Scope scope, ScopeState state, long currentTime) {
      return nanos(state);
    }

    @Override
    public long expireAfterUpdate(Scope scope, ScopeState state, long currentTime, long currentDuration) {
      return nanos(state);
    }

    @Override
    public long expireAfterRead(Scope scope, ScopeState state, long currentTime, long currentDuration) {
      return nanos(state);
    }
  }
}
