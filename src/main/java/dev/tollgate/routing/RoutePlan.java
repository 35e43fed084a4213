package dev.tollgate.routing;

import dev.tollgate.config.FallbackTrigger;
import dev.tollgate.provider.ErrorClass;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The route of one request: which deployment to call next, after how long, and when to give up.
 *
 * <p>The rules, in order: a caller error (400) is final. Otherwise, while attempts and the request's
 * time budget last: errors a sibling deployment might not have (5xx, timeouts, resets, 429, bad
 * credentials, unknown model) go to another deployment of the same model, untried ones first, after a
 * full-jitter backoff; errors every deployment of the model would repeat (context window, content
 * filter) skip straight to that class's fallbacks. When the model has nothing left to try, its
 * fallback chain for the error's class follows, skipping models the caller's key may not use. A
 * rate-limited deployment cools down for its {@code Retry-After}; if it is the only one left and the
 * wait fits the budget, the request waits for it.
 *
 * <p>Confined to the request's event loop (not thread-safe); the health it reports into is shared.
 */
public final class RoutePlan {
  /** Longest wait for a cooling deployment when nothing else can serve; longer Retry-Afters fail now. */
  static final Duration MAX_COOLDOWN_WAIT = Duration.ofSeconds(60);

  private final Router router;
  private final Model primary;
  private final Predicate<String> mayUse;
  private final long deadlineNanos;
  private final List<String> log = new ArrayList<>();
  private final Set<String> visitedModels = new HashSet<>();
  private final Set<DeploymentHealth> tried = new HashSet<>();

  private Model current;
  private int attempts;
  private ErrorClass lastError;
  private List<String> fallbackChain;

  RoutePlan(Router router, Model primary, Predicate<String> mayUse, long deadlineNanos) {
    this.router = router;
    this.primary = primary;
    this.mayUse = mayUse;
    this.deadlineNanos = deadlineNanos;
    this.current = primary;
    visitedModels.add(primary.name());
  }

  /** The next step; call once at the start and once after each failed attempt. */
  public RouteStep next() {
    if (attempts >= primary.routing().maxAttempts()) {
      return stop("no attempts left (max_attempts " + primary.routing().maxAttempts() + ")", false);
    }
    if (lastError == ErrorClass.BAD_REQUEST) {
      return stop("the request was rejected as invalid", false);
    }
    String retry = attempts == 0 ? null : "retry:" + label(lastError);
    if (lastError == null || sameModelMayHelp(lastError)) {
      // Every deployment of the model once, before anything else.
      Optional<RouteStep> step = fromModel(current, retry, false, true);
      if (step.isPresent()) {
        return step.get();
      }
    }
    FallbackTrigger trigger = trigger(lastError);
    if (fallbackChain == null) {
      fallbackChain = new ArrayList<>(primary.routing().fallbacksFor(trigger));
    }
    Optional<RouteStep> fallback = nextFallback();
    if (fallback.isPresent()) {
      return fallback.get();
    }
    if (lastError != null && sameModelMayHelp(lastError)) {
      // No fallback left: the same deployments again, after a backoff (transient failures pass).
      Optional<RouteStep> step = fromModel(current, retry, true, false);
      if (step.isPresent()) {
        return step.get();
      }
    }
    if (attempts == 0) {
      List<DeploymentHealth> all = router.deployments(primary);
      long cooling = all.stream().mapToLong(DeploymentHealth::coolingForMillis).filter(ms -> ms > 0).min().orElse(-1);
      boolean rateLimited = cooling > 0;
      long retryAfter = rateLimited ? cooling : all.stream().mapToLong(DeploymentHealth::closedInMillis)
          .filter(ms -> ms >= 0).min().orElse(-1);
      return new RouteStep.Stop("no deployment of '" + primary.name() + "' can take requests now ("
          + (rateLimited ? "rate limited" : "circuit open or at capacity") + ")", true, rateLimited, retryAfter);
    }
    return stop(fallbackSummary(trigger), false);
  }

  private Optional<RouteStep> nextFallback() {
    while (!fallbackChain.isEmpty()) {
      String name = fallbackChain.removeFirst();
      if (!visitedModels.add(name) || !mayUse.test(name)) {
        continue; // never to a model the key may not use, never twice
      }
      Optional<Model> model = router.catalog().find(name);
      if (model.isEmpty()) {
        continue;
      }
      Model previous = current;
      current = model.get();
      Optional<RouteStep> step = fromModel(current, "fallback:" + label(lastError) + ":" + primary.name(), false,
          false);
      if (step.isPresent()) {
        return step;
      }
      current = previous;
    }
    return Optional.empty();
  }

  /**
   * An attempt on {@code model}: among its untried deployments when {@code untriedOnly}, else among
   * all available ones; waiting for a cooling one when {@code mayWait} and nothing else is left.
   */
  private Optional<RouteStep> fromModel(Model model, String retryReason, boolean mayWait, boolean untriedOnly) {
    List<DeploymentHealth> all = router.deployments(model);
    List<DeploymentHealth> candidates = all.stream()
        .filter(h -> (!untriedOnly || !tried.contains(h)) && h.available())
        .toList();
    List<DeploymentHealth> pool = new ArrayList<>(candidates);
    while (!pool.isEmpty()) {
      Optional<DeploymentSelector.Choice> choice = router.selector().choose(model, pool);
      if (choice.isEmpty()) {
        break;
      }
      DeploymentHealth h = choice.get().health();
      Duration delay = attempts == 0 || retryReason == null || !retryReason.startsWith("retry:")
          ? Duration.ZERO : backoff();
      if (remainingNanos() <= delay.toNanos()) {
        return Optional.of(stop("the request's time budget ("
            + primary.routing().requestTimeout().toSeconds() + "s) is spent", false));
      }
      if (h.tryAcquire()) {
        tried.add(h);
        attempts++;
        String reason = retryReason == null ? choice.get().reason() : retryReason;
        return Optional.of(new RouteStep.Go(new Attempt(attempts, model, h, reason), delay));
      }
      pool.remove(h);
    }
    if (mayWait && lastError == ErrorClass.RATE_LIMITED) {
      return waitForCooldown(model, all);
    }
    return Optional.empty();
  }

  /** Every deployment is cooling down: wait for the first one back if the budget allows. */
  private Optional<RouteStep> waitForCooldown(Model model, List<DeploymentHealth> all) {
    Optional<DeploymentHealth> soonest = all.stream()
        .filter(h -> h.coolingForMillis() > 0)
        .min((a, b) -> Long.compare(a.coolingForMillis(), b.coolingForMillis()));
    if (soonest.isEmpty()) {
      return Optional.empty();
    }
    Duration wait = Duration.ofMillis(soonest.get().coolingForMillis());
    if (wait.compareTo(MAX_COOLDOWN_WAIT) > 0 || wait.toNanos() >= remainingNanos()) {
      return Optional.empty();
    }
    // The breaker permission is taken when the wait is over, not now: the caller re-plans then.
    attempts++;
    tried.add(soonest.get());
    return Optional.of(new RouteStep.Go(new Attempt(attempts, model, soonest.get(), "retry:rate_limited:after_wait"),
        wait));
  }

  /** Full jitter: uniform in [0, min(max, base * 2^(retry-1))]. */
  private Duration backoff() {
    long base = router.config().backoffBase().toMillis();
    long cap = router.config().backoffMax().toMillis();
    long ceiling = Math.min(cap, base << Math.min(20, attempts - 1));
    long jitter = ceiling <= 0 ? 0 : router.random().nextLong(ceiling + 1);
    return Duration.ofMillis(jitter);
  }

  /**
   * A second deployment of the current model to race a slow first attempt (hedging), or empty when
   * none is untried and available, or attempts or time are spent.
   */
  public Optional<Attempt> hedge() {
    if (attempts >= primary.routing().maxAttempts() || remainingNanos() <= 0) {
      return Optional.empty();
    }
    List<DeploymentHealth> pool = new ArrayList<>(router.deployments(current).stream()
        .filter(h -> !tried.contains(h) && h.available())
        .toList());
    while (!pool.isEmpty()) {
      Optional<DeploymentSelector.Choice> choice = router.selector().choose(current, pool);
      if (choice.isEmpty()) {
        break;
      }
      DeploymentHealth h = choice.get().health();
      if (h.tryAcquire()) {
        tried.add(h);
        attempts++;
        return Optional.of(new Attempt(attempts, current, h, "hedge"));
      }
      pool.remove(h);
    }
    return Optional.empty();
  }

  /** Whether an attempt made after a cooldown wait still needs its breaker permission. */
  public boolean needsPermission(Attempt attempt) {
    return attempt.reason().endsWith(":after_wait");
  }

  /** Takes the permission for an attempt that waited; false when the deployment is still unavailable. */
  public boolean acquireAfterWait(Attempt attempt) {
    return attempt.health().available() && attempt.health().tryAcquire();
  }

  /** The attempt got a useful answer (success, or the caller's own error). */
  public void succeeded(Attempt attempt, long firstByteNanos) {
    attempt.health().succeeded(firstByteNanos);
    log.add(describe(attempt) + ": ok");
  }

  /**
   * The attempt failed with {@code error}; {@code retryAfterMillis} is the provider's hint or -1.
   * Reports to the deployment's health and remembers the error for {@link #next()}.
   */
  public void failed(Attempt attempt, ErrorClass error, long retryAfterMillis, long elapsedNanos, String detail) {
    lastError = error;
    switch (error) {
      // A model's only deployment is not benched: there is nowhere else to send its traffic, and the
      // provider answers its own 429s quickly; benching would turn them into the gateway's 503s.
      case RATE_LIMITED -> attempt.health().rateLimited(router.deployments(attempt.model()).size() < 2
          ? Duration.ZERO : retryAfterMillis > 0 ? Duration.ofMillis(retryAfterMillis) : router.config().cooldown());
      case BAD_REQUEST, CONTEXT_WINDOW_EXCEEDED, CONTENT_FILTERED -> attempt.health().succeeded(elapsedNanos);
      default -> attempt.health().failed(elapsedNanos, new UpstreamFailure(error, detail));
    }
    log.add(describe(attempt) + ": " + detail);
  }

  /** The attempt ended without a verdict on the deployment (the client left). */
  public void released(Attempt attempt) {
    attempt.health().released();
  }

  /** Whether {@link #next()} could still produce an attempt after {@code error}; takes nothing. */
  public boolean mayRetry(ErrorClass error) {
    if (error == ErrorClass.BAD_REQUEST || attempts >= primary.routing().maxAttempts() || remainingNanos() <= 0) {
      return false;
    }
    if (sameModelMayHelp(error)) {
      boolean other = router.deployments(current).stream().anyMatch(DeploymentHealth::available);
      if (other || error == ErrorClass.RATE_LIMITED) {
        return true;
      }
    }
    List<String> chain = fallbackChain != null ? fallbackChain : primary.routing().fallbacksFor(trigger(error));
    return chain.stream().anyMatch(m -> !visitedModels.contains(m) && mayUse.test(m)
        && router.catalog().find(m).map(x -> router.deployments(x).stream().anyMatch(DeploymentHealth::available))
            .orElse(false));
  }

  public int attempts() {
    return attempts;
  }

  /** One line per attempt: {@code gpt-4o via openai/gpt-4o: upstream answered 500}. */
  public List<String> log() {
    return List.copyOf(log);
  }

  private long remainingNanos() {
    return deadlineNanos - System.nanoTime();
  }

  private RouteStep stop(String why, boolean noneAvailable) {
    String attemptsMade = log.isEmpty() ? "" : "; attempts: " + String.join("; ", log);
    return new RouteStep.Stop(why + attemptsMade, noneAvailable);
  }

  private String fallbackSummary(FallbackTrigger trigger) {
    return primary.routing().fallbacksFor(trigger).isEmpty()
        ? "every deployment of '" + primary.name() + "' failed and it has no fallback for " + trigger.configName()
        : "every deployment of '" + primary.name() + "' and of its fallbacks failed";
  }

  private static boolean sameModelMayHelp(ErrorClass error) {
    return switch (error) {
      case RATE_LIMITED, SERVER_ERROR, TIMEOUT, UNREACHABLE, AUTHENTICATION, NOT_FOUND -> true;
      case CONTEXT_WINDOW_EXCEEDED, CONTENT_FILTERED, BAD_REQUEST -> false;
    };
  }

  static FallbackTrigger trigger(ErrorClass error) {
    if (error == null) {
      return FallbackTrigger.SERVER_ERROR; // nothing could even be tried: the model is as good as down
    }
    return switch (error) {
      case RATE_LIMITED -> FallbackTrigger.RATE_LIMITED;
      case SERVER_ERROR, UNREACHABLE, AUTHENTICATION, NOT_FOUND -> FallbackTrigger.SERVER_ERROR;
      case TIMEOUT -> FallbackTrigger.TIMEOUT;
      case CONTEXT_WINDOW_EXCEEDED -> FallbackTrigger.CONTEXT_WINDOW_EXCEEDED;
      case CONTENT_FILTERED -> FallbackTrigger.CONTENT_FILTERED;
      case BAD_REQUEST -> FallbackTrigger.ANY;
    };
  }

  private static String label(ErrorClass error) {
    return error == null ? "unavailable" : error.name().toLowerCase(Locale.ROOT);
  }

  private static String describe(Attempt a) {
    return a.model().name() + " via " + a.deployment().id();
  }

  /** The cause a breaker records: which class of failure, never a stack trace. */
  static final class UpstreamFailure extends RuntimeException {
    UpstreamFailure(ErrorClass error, String detail) {
      super(error + ": " + detail, null, false, false);
    }
  }
}
