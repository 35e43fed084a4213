package dev.tollgate.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.access.Authenticator;
import dev.tollgate.config.ProviderConfig;
import dev.tollgate.config.TollgateConfig;
import dev.tollgate.metering.Meter;
import dev.tollgate.metering.TokenCounter;
import dev.tollgate.observe.GatewayMetrics;
import dev.tollgate.protocol.openai.RequestDecoder;
import dev.tollgate.protocol.openai.RequestEncoder;
import dev.tollgate.routing.ModelCatalog;
import dev.tollgate.protocol.anthropic.AnthropicRequestDecoder;
import dev.tollgate.protocol.openai.translate.OpenAiChatDecoder;
import dev.tollgate.provider.OpenAiErrorClassifier;
import dev.tollgate.routing.Router;
import dev.tollgate.store.IdGenerator;
import java.time.Clock;

/**
 * The shared, thread-safe parts every server verticle uses on its event loop. Built once by the
 * composition root; holds no per-request state.
 */
public record DataPlane(
    TollgateConfig config,
    Authenticator authenticator,
    RequestDecoder decoder,
    RequestEncoder encoder,
    ModelCatalog catalog,
    Router router,
    OpenAiErrorClassifier errors,
    CodecProviders providers,
    OpenAiChatDecoder chatDecoder,
    AnthropicRequestDecoder anthropicDecoder,
    Meter meter,
    TokenCounter tokens,
    GatewayMetrics metrics,
    ObjectMapper json,
    Async async,
    InFlight inFlight,
    IdGenerator ids,
    Clock clock) {

  public ProviderConfig provider(String name) {
    return config.provider(name).orElseThrow(() -> new IllegalStateException("validated config lost provider " + name));
  }
}
