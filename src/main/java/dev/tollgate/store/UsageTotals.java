package dev.tollgate.store;

import dev.tollgate.metering.UsageEvent;

/**
 * Summed usage of some calls, as the daily aggregates hold it: how many, their tokens, their cost in
 * micro-dollars, and how many were estimated or failed.
 *
 * @param estimatedRequests calls whose tokens the gateway counted because the upstream reported none
 * @param errorRequests calls whose status is not {@code ok} (partial, upstream_error, timeout, client_closed)
 */
public record UsageTotals(long requests, long inputTokens, long outputTokens, long cachedTokens,
    long reasoningTokens, long costMicros, long estimatedRequests, long errorRequests) {

  public static final UsageTotals ZERO = new UsageTotals(0, 0, 0, 0, 0, 0, 0, 0);

  /** One call. */
  public static UsageTotals of(UsageEvent e) {
    return new UsageTotals(1, e.inputTokens(), e.outputTokens(), e.cachedTokens(), e.reasoningTokens(),
        e.costMicros(), e.estimated() ? 1 : 0, "ok".equals(e.status()) ? 0 : 1);
  }

  public UsageTotals plus(UsageTotals o) {
    return new UsageTotals(requests + o.requests, inputTokens + o.inputTokens, outputTokens + o.outputTokens,
        cachedTokens + o.cachedTokens, reasoningTokens + o.reasoningTokens, costMicros + o.costMicros,
        estimatedRequests + o.estimatedRequests, errorRequests + o.errorRequests);
  }
}
