package dev.tollgate.metering;

import dev.tollgate.observe.GatewayMetrics;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * Turns a finished upstream call into its usage event: the upstream's reported tokens (or a local
 * count, marked estimated, when it reported none), priced in micro-dollars at the prices in force now,
 * and counted in the metrics. Thread-safe.
 */
public final class Settlement {
  private final Supplier<PriceTable> prices;
  private final TokenCounter tokens;
  private final GatewayMetrics metrics;
  private final Clock clock;

  /** @param prices read at every call, so that a price change applies from the next call on */
  public Settlement(Supplier<PriceTable> prices, TokenCounter tokens, GatewayMetrics metrics, Clock clock) {
    this.prices = prices;
    this.tokens = tokens;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** The call's usage event, with the id its intent was written under. Counting may take a while for huge prompts. */
  public UsageEvent event(CompletedCall call, String eventId) {
    TokenUsage usage = call.reported().orElseGet(() -> estimate(call));
    // A call the provider did no work for costs nothing, per-call fee included.
    boolean served = call.reported().isPresent() || call.billable();
    long cost = served ? prices.get().price(call.model(), call.upstreamModel()).costMicros(usage) : 0;
    UsageEvent event = new UsageEvent(eventId, call.requestId(), call.keyId(), call.endpoint(), call.model(),
        call.deployment(), call.provider(), call.upstreamModel(), usage.input(), usage.output(), usage.cached(),
        usage.reasoning(), usage.estimated(), cost, call.status(), call.httpStatus(), call.latencyMs(),
        call.ttftMs(), call.streamed(), call.error(), clock.millis(), call.attempt(), call.route(), call.teamId(),
        call.userId());
    metrics.usage(call.model(), call.deployment(), usage, cost);
    return event;
  }

  private TokenUsage estimate(CompletedCall call) {
    if (!call.billable()) {
      return TokenUsage.NONE;
    }
    long input = tokens.countPrompt(call.upstreamModel(), call.requestBody());
    long output = tokens.count(call.upstreamModel(), call.answerText());
    return new TokenUsage(input, output, 0, 0, true);
  }
}
