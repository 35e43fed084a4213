package dev.tollgate.server;

import dev.tollgate.metering.limits.RateLimitHeaders;
import dev.tollgate.metering.limits.RateLimitStatus;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Writes an admitted call's {@code x-ratelimit-*} headers into its response. Every response of a limited
 * caller carries six of them: their names are encoded and checked once here, not on every response.
 */
final class RateLimitResponseHeaders {
  private static final Map<String, CharSequence> ENCODED = RateLimitHeaders.NAMES.stream()
      .collect(Collectors.toUnmodifiableMap(Function.identity(), HttpHeaders::createOptimized));

  private RateLimitResponseHeaders() {}

  static void write(RateLimitStatus status, MultiMap headers) {
    if (status.requests().isPresent() || status.tokens().isPresent()) {
      RateLimitHeaders.write(status, (name, value) -> headers.add(ENCODED.get(name), value));
    }
  }
}
