package dev.tollgate.metering.limits;

import dev.tollgate.metering.limits.RateLimitStatus.Window;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.TokensInheritanceStrategy;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The counters of one scope: a request bucket, a token bucket (each only when the scope has that
 * limit) and the number of its calls in flight.
 *
 * <p>Thread-safety: the hot path ({@link #take}, {@link #giveBack}, {@link #release}) only reads
 * volatile fields and uses Bucket4j's lock-free local buckets and an atomic counter. Reconfiguration
 * ({@link #sync}) is rare (after a config change) and serialised on {@code this}; a call racing with
 * it uses either the old or the new meter, both valid buckets.
 */
final class ScopeState {
  /** Every limit is per minute; a bucket refills from empty to full in this time. */
  static final Duration REFILL_PERIOD = Duration.ofMinutes(1);

  /**
   * How long a refused caller should wait when a concurrency cap refused it: no bucket says when a
   * slot frees up, and a second is long enough not to spin and short next to an LLM call.
   */
  static final Duration CONCURRENCY_RETRY = Duration.ofSeconds(1);

  /**
   * Loosening a limit takes effect at once and tightening keeps what was already used, as far as
   * Bucket4j can: ADDITIVE keeps the available tokens (capped at the new capacity) and adds any
   * increase of capacity. With rpm 100 and 60 used, raising to 200 leaves 140 available (the 60
   * still count); lowering to 20 leaves 20 (within that minute at most 60 + 20 are admitted).
   * PROPORTIONALLY would scale the 40 left, AS_IS would not grant a raise until refill, RESET would
   * forget the 60.
   */
  static final TokensInheritanceStrategy ON_CHANGE = TokensInheritanceStrategy.ADDITIVE;

  /** A bucket and the capacity it was built with (Bucket4j does not expose it). */
  record Meter(Bucket bucket, long capacity) {}

  /** What {@link #take} got: either everything this scope asked for, or a refusal with nothing kept. */
  sealed interface Take permits Taken, Refused {}

  /**
   * One request, {@code reservedTokens} and a concurrency slot were taken from {@code state};
   * {@code first}: no other call of the scope was in flight (the slot taken was the first).
   */
  record Taken(ScopeState state, Meter requests, Meter tokens, long reservedTokens, Window requestWindow,
      Window tokenWindow, boolean first) implements Take {}

  /** {@code scope}'s {@code limit} of {@code allowed} refused; it frees up in about {@code waitNanos}. */
  record Refused(Scope scope, Limit limit, long allowed, long waitNanos) implements Take {}

  private final Scope scope;
  private final TimeMeter time;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile Meter requests;
  private volatile Meter tokens;
  private volatile int maxConcurrent = Integer.MAX_VALUE;
  // Written only under the lock of this; read without it as the fast path of sync.
  private volatile LimitsConfig applied;

  ScopeState(Scope scope, TimeMeter time) {
    this.scope = scope;
    this.time = time;
  }

  Scope scope() {
    return scope;
  }

  int inFlight() {
    return inFlight.get();
  }

  /**
   * Brings the buckets in line with the newest configuration, once per configuration: existing
   * buckets are reconfigured with {@link #ON_CHANGE}, new limits get full buckets, removed ones go.
   */
  void sync(Supplier<LimitsConfig> latest) {
    if (applied == latest.get()) {
      return;
    }
    synchronized (this) {
      // Read inside the lock: of two racing updates, the one applied last is the newest.
      LimitsConfig config = latest.get();
      if (applied == config) {
        return;
      }
      LimitSpec spec = config.specFor(scope);
      requests = reconcile(requests, spec.rpm().isPresent() ? spec.rpm().getAsLong() : 0);
      tokens = reconcile(tokens, spec.tpm().isPresent() ? spec.tpm().getAsLong() : 0);
      maxConcurrent = spec.maxConcurrent().orElse(Integer.MAX_VALUE);
      applied = config;
    }
  }

  private Meter reconcile(Meter old, long capacity) {
    if (capacity == 0) {
      return null;
    }
    if (old == null) {
      return new Meter(Bucket.builder().addLimit(perMinute(capacity)).withCustomTimePrecision(time).build(), capacity);
    }
    if (old.capacity() == capacity) {
      return old;
    }
    old.bucket().replaceConfiguration(BucketConfiguration.builder().addLimit(perMinute(capacity)).build(), ON_CHANGE);
    return new Meter(old.bucket(), capacity);
  }

  private static Bandwidth perMinute(long capacity) {
    return Bandwidth.builder().capacity(capacity).refillGreedy(capacity, REFILL_PERIOD).build();
  }

  /**
   * Takes a concurrency slot, one request and {@code min(estimatedTokens, tpm)} tokens, or nothing.
   * A reservation larger than the whole tpm is cut to it: such a call is admitted when the bucket is
   * full instead of never, and settlement charges what it really used.
   */
  Take take(long estimatedTokens) {
    int max = maxConcurrent;
    // Increment first, then check: two racing callers cannot both see the last free slot.
    int inFlightNow = inFlight.incrementAndGet();
    if (inFlightNow > max) {
      inFlight.decrementAndGet();
      return new Refused(scope, Limit.CONCURRENT_REQUESTS, max, CONCURRENCY_RETRY.toNanos());
    }
    Meter req = requests;
    Window requestWindow = null;
    if (req != null) {
      ConsumptionProbe probe = req.bucket().tryConsumeAndReturnRemaining(1);
      if (!probe.isConsumed()) {
        inFlight.decrementAndGet();
        return new Refused(scope, Limit.REQUESTS_PER_MINUTE, req.capacity(), probe.getNanosToWaitForRefill());
      }
      requestWindow = window(req, probe.getRemainingTokens(), probe.getNanosToWaitForReset());
    }
    Meter tok = tokens;
    Window tokenWindow = null;
    long reserved = 0;
    if (tok != null) {
      reserved = Math.min(estimatedTokens, tok.capacity());
      if (reserved > 0) {
        ConsumptionProbe probe = tok.bucket().tryConsumeAndReturnRemaining(reserved);
        if (!probe.isConsumed()) {
          if (req != null) {
            req.bucket().addTokens(1);
          }
          inFlight.decrementAndGet();
          return new Refused(scope, Limit.TOKENS_PER_MINUTE, tok.capacity(), probe.getNanosToWaitForRefill());
        }
        tokenWindow = window(tok, probe.getRemainingTokens(), probe.getNanosToWaitForReset());
      } else {
        tokenWindow = observe(tok);
      }
    }
    return new Taken(this, req, tok, reserved, requestWindow, tokenWindow, inFlightNow == 1);
  }

  /** Returns everything {@code taken} took (another scope refused the call). */
  void giveBack(Taken taken) {
    if (taken.requests() != null) {
      taken.requests().bucket().addTokens(1);
    }
    if (taken.tokens() != null && taken.reservedTokens() > 0) {
      taken.tokens().bucket().addTokens(taken.reservedTokens());
    }
    inFlight.decrementAndGet();
  }

  /** The call ended: its concurrency slot is free. Returns whether it was the last call in flight. */
  boolean release() {
    return inFlight.decrementAndGet() == 0;
  }

  /** The limit of this scope that would refuse the call now, the slowest to free up first; takes nothing. */
  Optional<Refused> wouldRefuse(long estimatedTokens) {
    Refused worst = null;
    int max = maxConcurrent;
    if (inFlight.get() >= max) {
      worst = new Refused(scope, Limit.CONCURRENT_REQUESTS, max, CONCURRENCY_RETRY.toNanos());
    }
    Meter req = requests;
    if (req != null) {
      long wait = req.bucket().estimateAbilityToConsume(1).getNanosToWaitForRefill();
      if (wait > 0 && (worst == null || wait > worst.waitNanos())) {
        worst = new Refused(scope, Limit.REQUESTS_PER_MINUTE, req.capacity(), wait);
      }
    }
    Meter tok = tokens;
    if (tok != null && estimatedTokens > 0) {
      long wait = tok.bucket().estimateAbilityToConsume(Math.min(estimatedTokens, tok.capacity()))
          .getNanosToWaitForRefill();
      if (wait > 0 && (worst == null || wait > worst.waitNanos())) {
        worst = new Refused(scope, Limit.TOKENS_PER_MINUTE, tok.capacity(), wait);
      }
    }
    return Optional.ofNullable(worst);
  }

  /** The request window as it stands now; null without an rpm limit. */
  Window requestWindow() {
    Meter req = requests;
    return req == null ? null : observe(req);
  }

  /** The token window as it stands now; null without a tpm limit. */
  Window tokenWindow() {
    Meter tok = tokens;
    return tok == null ? null : observe(tok);
  }

  private Window observe(Meter meter) {
    long available = meter.bucket().getAvailableTokens();
    // The wait until a whole bucket's worth could be taken is the wait until it is full.
    long toFull = meter.bucket().estimateAbilityToConsume(meter.capacity()).getNanosToWaitForRefill();
    return window(meter, available, toFull);
  }

  private Window window(Meter meter, long remaining, long resetNanos) {
    return new Window(scope, meter.capacity(), Math.max(0, remaining), Duration.ofNanos(Math.max(0, resetNanos)));
  }
}
