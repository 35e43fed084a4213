package dev.tollgate.metering;

import dev.tollgate.observe.GatewayMetrics;
import dev.tollgate.store.IdGenerator;
import java.time.Clock;

/**
 * Turns a finished upstream call into its one usage event: the upstream's reported tokens (or a local
 * count, marked estimated, when it reported none), priced in micro-dollars, queued for storage and
 * counted in the metrics. Thread-safe.
 */
public final class Settlement {
  private final PriceTable prices;
  private final TokenCounter tokens;
  private final UsageRecorder recorder;
  private final GatewayMetrics metrics;
  private final IdGenerator ids;
  private final Clock clock;

  public Settlement(PriceTable prices, TokenCounter tokens, UsageRecorder recorder, GatewayMetrics metrics,
      IdGenerator ids, Clock clock) {
    this.prices = prices;
    this.tokens = tokens;
    this.recorder = recorder;
    this.metrics = metrics;
    this.ids = ids;
    this.clock = clock;
  }

  /** Records the call under the usage slot its request reserved. Counting may take a while for huge prompts. */
  public UsageEvent settle(CompletedCall call) {
    TokenUsage usage = call.reported().orElseGet(() -> estimate(call));
    // A call the provider did no work for costs nothing, per-call fee included.
    boolean served = call.reported().isPresent() || call.billable();
    long cost = served ? prices.price(call.model(), call.upstreamModel()).costMicros(usage) : 0;
    UsageEvent event = new UsageEvent(ids.next(), call.requestId(), call.keyId(), call.endpoint(), call.model(),
        call.deployment(), call.provider(), call.upstreamModel(), usage.input(), usage.output(), usage.cached(),
        usage.reasoning(), usage.estimated(), cost, call.status(), call.httpStatus(), call.latencyMs(),
        call.ttftMs(), call.streamed(), call.error(), clock.millis(), call.attempt(), call.route(), call.teamId(),
        call.userId());
    recorder.record(event);
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
