package dev.tollgate.metering;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.access.Caller;
import dev.tollgate.metering.budget.BudgetRef;
import dev.tollgate.metering.budget.BudgetScope;
import dev.tollgate.metering.budget.BudgetService;
import dev.tollgate.metering.budget.Refused;
import dev.tollgate.metering.budget.Reservation;
import dev.tollgate.metering.budget.ReserveResult;
import dev.tollgate.metering.ledger.Ledger;
import dev.tollgate.metering.limits.Admission;
import dev.tollgate.metering.limits.CallerScopes;
import dev.tollgate.metering.limits.LimitsConfig;
import dev.tollgate.metering.limits.RateLimitHeaders;
import dev.tollgate.metering.limits.RateLimiter;
import dev.tollgate.metering.limits.Scope;
import dev.tollgate.routing.Deployment;
import dev.tollgate.routing.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The admit stage of the request path: room in the usage ledger, the caller's rate limits, then the
 * call's worst case reserved against every budget it touches. An admitted call gets a {@link Tab} that
 * carries its attempts to settlement. Thread-safe; never blocks (counting a huge prompt takes a while:
 * callers run those admissions off the event loop).
 */
public final class Meter {
  private final Ledger ledger;
  private final RateLimiter limiter;
  private final BudgetService budgets;
  private final Settlement settlement;
  private final WorstCase worstCase;
  private final Supplier<Pricing> pricing;
  private final Function<String, CompletableFuture<Optional<String>>> organizationOf;

  /**
   * @param pricing read at every call: a reloaded configuration's prices apply from the next call on
   * @param organizationOf the organisation of a team, for budgets of organisations
   */
  public Meter(Ledger ledger, RateLimiter limiter, BudgetService budgets, Settlement settlement, WorstCase worstCase,
      Supplier<Pricing> pricing, Function<String, CompletableFuture<Optional<String>>> organizationOf) {
    this.ledger = ledger;
    this.limiter = limiter;
    this.budgets = budgets;
    this.settlement = settlement;
    this.worstCase = worstCase;
    this.pricing = pricing;
    this.organizationOf = organizationOf;
  }

  /** What admission decided. */
  public sealed interface Verdict {
    /** The call goes ahead; its tab must see every attempt settled or released, and {@link Tab#requestEnded}. */
    record Admitted(Tab tab) implements Verdict {}

    /** A rate limit of the caller is used up (429). */
    record RateLimited(Admission.Limited limited, Map<String, String> headers) implements Verdict {}

    /** A budget cannot hold the call's worst case (429 {@code budget_exceeded}). */
    record OverBudget(Refused refused, Map<String, String> headers) implements Verdict {}

    /** The usage ledger is at its disk cap or failed: no call is taken whose usage could not be kept (503). */
    record LedgerFull() implements Verdict {}

    /**
     * Budgets of organisations exist, and the caller's team was never loaded and cannot be now (the
     * database is down): its organisation's budget cannot be checked, so the call is not taken (503).
     */
    record BudgetsUnknown() implements Verdict {}
  }

  /** Whether an organisation's budget may apply: only then must the caller's organisation be known. */
  private boolean organizationBudgets() {
    return budgets.limitsKind(BudgetScope.Kind.ORGANIZATION);
  }

  /**
   * Admits a call of {@code caller} to {@code model} with request {@code body}. Completes at once unless
   * the caller's organisation must be looked up (budgets of organisations, a team not seen before).
   */
  public CompletionStage<Verdict> admit(Caller caller, Model model, JsonNode body, boolean embedding) {
    if (!ledger.hasRoom()) {
      return CompletableFuture.completedFuture(new Verdict.LedgerFull());
    }
    if (!organizationBudgets()) {
      return CompletableFuture.completedFuture(admit(caller, Optional.empty(), model, body, embedding));
    }
    return organizationOf.apply(caller.teamId())
        .handle((org, failure) -> failure != null ? new Verdict.BudgetsUnknown()
            : admit(caller, org, model, body, embedding));
  }

  private Verdict admit(Caller caller, Optional<String> org, Model model, JsonNode body, boolean embedding) {
    List<BudgetScope> touched = new ArrayList<>(4);
    touched.add(BudgetScope.key(caller.keyId()));
    caller.userId().ifPresent(u -> touched.add(BudgetScope.user(u)));
    touched.add(BudgetScope.team(caller.teamId()));
    org.ifPresent(o -> touched.add(BudgetScope.organization(o)));
    List<BudgetRef> limiting = budgets.budgetsOf(touched);
    boolean budgeted = !limiting.isEmpty();
    LimitsConfig limits = limiter.config();
    // Without any limit configured (the common case) the caller's scopes are not even made.
    CallerScopes scopes = limits.limitsNothing() ? null : CallerScopes.of(caller);
    boolean tokenLimited = scopes != null && tokenLimited(limits, scopes);
    Deployment first = model.deployments().getFirst();
    long prompt = budgeted || tokenLimited ? worstCase.promptTokens(first.upstreamModel(), body) : -1;
    long explicitOutput = !tokenLimited || embedding ? 0
        : WorstCase.maxOutputTokens(body, OptionalLong.of(0), "", false);

    Admission admission = scopes == null ? RateLimiter.UNLIMITED
        : limiter.admit(scopes, tokenLimited ? prompt + explicitOutput : 0);
    if (admission instanceof Admission.Limited limited) {
      return new Verdict.RateLimited(limited, RateLimitHeaders.of(admission));
    }
    Admission.Admitted admitted = (Admission.Admitted) admission;
    long maxOutput = WorstCase.maxOutputTokens(body, pricing.get().outputCap(model.name()),
        first.upstreamModel(), embedding);
    Tab.Bounds bounds = new Tab.Bounds(touched, Math.max(prompt, 0), maxOutput);
    long worst = budgeted ? worstCaseMicros(model, bounds) : 0;
    ReserveResult reserved = budgets.reserve(limiting, worst);
    if (reserved instanceof Refused refused) {
      admitted.permit().settle(0);
      return new Verdict.OverBudget(refused, RateLimitHeaders.of(admission));
    }
    return new Verdict.Admitted(new Tab(this, admitted.permit(), admitted.status(), (Reservation) reserved, bounds,
        prompt));
  }

  private static boolean tokenLimited(LimitsConfig limits, CallerScopes scopes) {
    for (Scope scope : scopes.scopes()) {
      if (limits.specFor(scope).tpm().isPresent()) {
        return true;
      }
    }
    return false;
  }

  /** The worst case of a call to any deployment of {@code model}: at the dearest of their prices. */
  long worstCaseMicros(Model model, Tab.Bounds bounds) {
    long worst = 0;
    for (Deployment d : model.deployments()) {
      worst = Math.max(worst, worstCaseMicros(model.name(), d, bounds));
    }
    return worst;
  }

  long worstCaseMicros(String model, Deployment deployment, Tab.Bounds bounds) {
    return WorstCase.micros(pricing.get().prices().price(model, deployment.upstreamModel()), bounds.promptTokens(),
        bounds.maxOutputTokens());
  }

  /** What a prompt of {@code tokens} costs on {@code deployment} of {@code model} now (for call intents). */
  public long promptCostMicros(String model, String upstreamModel, long tokens) {
    return pricing.get().prices().price(model, upstreamModel).costMicros(new TokenUsage(tokens, 0, 0, 0, 0, true));
  }

  Ledger ledger() {
    return ledger;
  }

  BudgetService budgets() {
    return budgets;
  }

  Settlement settlement() {
    return settlement;
  }
}
