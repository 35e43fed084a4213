package dev.tollgate.routing;

import dev.tollgate.config.BreakerConfig;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this node knows about one deployment's fitness: its circuit breaker, a rate-limit cooldown,
 * requests in flight, time to first token, and its own rpm/tpm capacity. Shared by every event loop;
 * thread-safe and non-blocking.
 */
public final class DeploymentHealth {
  private static final Logger log = LoggerFactory.getLogger(DeploymentHealth.class);

  private final Deployment deployment;
  private final CircuitBreaker breaker;
  private final Clock clock;
  private final Duration openFor;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final LatencyAverage ttft = new LatencyAverage();
  private final Bucket requests;
  private final Bucket tokens;
  private volatile long coolUntilMillis;
  private volatile long openedAtMillis;
  // Transitions are noticed by comparing states after each outcome: a Resilience4j event consumer
  // would make the breaker build an event object for every single call.
  private final java.util.concurrent.atomic.AtomicReference<CircuitBreaker.State> lastState =
      new java.util.concurrent.atomic.AtomicReference<>(CircuitBreaker.State.CLOSED);

  public DeploymentHealth(Deployment deployment, BreakerConfig config, Clock clock) {
    this.deployment = deployment;
    this.clock = clock;
    this.openFor = config.openFor();
    this.breaker = CircuitBreaker.of(deployment.id(), CircuitBreakerConfig.custom()
        .failureRateThreshold(config.failureRatePercent())
        .slowCallRateThreshold(config.slowCallRatePercent())
        .slowCallDurationThreshold(config.slowCall())
        .slidingWindow(config.window(), config.minimumCalls(), SlidingWindowType.COUNT_BASED)
        .waitDurationInOpenState(config.openFor())
        .permittedNumberOfCallsInHalfOpenState(config.halfOpenCalls())
        // Open -> half-open happens when a request asks, not on a timer thread of Resilience4j's.
        .automaticTransitionFromOpenToHalfOpenEnabled(false)
        .currentTimestampFunction(c -> clock.millis(), TimeUnit.MILLISECONDS)
        .build());
    int rpm = deployment.config().rpm();
    long tpm = deployment.config().tpm();
    this.requests = rpm > 0 ? perMinute(rpm) : null;
    this.tokens = tpm > 0 ? perMinute(tpm) : null;
  }

  private static Bucket perMinute(long capacity) {
    return Bucket.builder()
        .addLimit(Bandwidth.builder().capacity(capacity).refillGreedy(capacity, Duration.ofMinutes(1)).build())
        .build();
  }

  private String rates() {
    CircuitBreaker.Metrics m = breaker.getMetrics();
    return String.format("%.0f%% of the last %d calls failed, %.0f%% were slow", Math.max(0, m.getFailureRate()),
        m.getNumberOfBufferedCalls(), Math.max(0, m.getSlowCallRate()));
  }

  public Deployment deployment() {
    return deployment;
  }

  /** Whether a request could be sent now, without taking anything (selection looks before it leaps). */
  public boolean available() {
    long now = clock.millis();
    if (now < coolUntilMillis) {
      return false;
    }
    if (requests != null && requests.getAvailableTokens() <= 0) {
      return false;
    }
    if (tokens != null && tokens.getAvailableTokens() <= 0) {
      return false;
    }
    return switch (breaker.getState()) {
      case CLOSED, HALF_OPEN, DISABLED, METRICS_ONLY -> true;
      case OPEN -> now >= openedAtMillis + openFor.toMillis();
      case FORCED_OPEN -> false;
    };
  }

  /**
   * Takes a breaker permission and a request from the rpm budget for one call; false when either is
   * gone (half-open probes all out, or the budget spent by another event loop meanwhile).
   */
  public boolean tryAcquire() {
    boolean permitted = breaker.tryAcquirePermission();
    noticeTransition(); // open -> half-open happens here
    if (!permitted) {
      return false;
    }
    if (requests != null && !requests.tryConsume(1)) {
      breaker.releasePermission();
      return false;
    }
    inFlight.incrementAndGet();
    return true;
  }

  /** The call answered usefully (including the caller's own 4xx): healthy. */
  public void succeeded(long firstByteNanos) {
    inFlight.decrementAndGet();
    breaker.onSuccess(firstByteNanos, TimeUnit.NANOSECONDS);
    ttft.record(firstByteNanos, clock.millis());
    noticeTransition();
  }

  /** The deployment failed the call (5xx, timeout, unreachable, bad credentials). */
  public void failed(long elapsedNanos, Throwable why) {
    inFlight.decrementAndGet();
    breaker.onError(elapsedNanos, TimeUnit.NANOSECONDS, why);
    noticeTransition();
  }

  /** Logs a state change (once, whichever thread sees it first) and dates an opening. */
  private void noticeTransition() {
    CircuitBreaker.State now = breaker.getState();
    CircuitBreaker.State before = lastState.get();
    if (now == before || !lastState.compareAndSet(before, now)) {
      return;
    }
    if (now == CircuitBreaker.State.OPEN) {
      openedAtMillis = clock.millis();
      log.warn("circuit breaker for deployment {} opened: {}", deployment.id(), rates());
    } else {
      log.info("circuit breaker for deployment {}: {} -> {}", deployment.id(), before, now);
    }
  }

  /**
   * The deployment is rate limited: leave it alone for {@code coolFor}. Not a health failure: the
   * provider is fine, this account is just over its quota.
   */
  public void rateLimited(Duration coolFor) {
    inFlight.decrementAndGet();
    breaker.releasePermission();
    long until = clock.millis() + coolFor.toMillis();
    if (coolFor.isPositive() && until > coolUntilMillis) {
      coolUntilMillis = until;
      log.info("deployment {} is rate limited; cooling down for {} ms", deployment.id(), coolFor.toMillis());
    }
  }

  /** The call ended without telling anything about the deployment (the client left, the gateway cancelled). */
  public void released() {
    inFlight.decrementAndGet();
    breaker.releasePermission();
  }

  /** Counts the call's tokens against the tpm budget (after the fact: tokens are known only then). */
  public void usedTokens(long count) {
    if (tokens != null && count > 0) {
      tokens.consumeIgnoringRateLimits(count);
    }
  }

  public int inFlight() {
    return inFlight.get();
  }

  /** Moving average of time to first token in nanoseconds, -1 before the first call. */
  public double ttftNanos() {
    return ttft.nanos();
  }

  public long lastLatencySampleMillis() {
    return ttft.lastSampleMillis();
  }

  /** Until an open breaker lets probes through, 0 if it already would, -1 if it is not open. */
  public long closedInMillis() {
    if (breaker.getState() != CircuitBreaker.State.OPEN) {
      return -1;
    }
    return Math.max(0, openedAtMillis + openFor.toMillis() - clock.millis());
  }

  public long coolingForMillis() {
    return Math.max(0, coolUntilMillis - clock.millis());
  }

  public CircuitBreaker.State breakerState() {
    return breaker.getState();
  }

  public float failureRate() {
    return breaker.getMetrics().getFailureRate();
  }
}
