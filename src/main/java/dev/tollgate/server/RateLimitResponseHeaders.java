package dev.tollgate.server;

import dev.tollgate.metering.limits.RateLimitHeaders;
import dev.tollgate.metering.limits.RateLimitStatus;
import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.List;

/**
 * Writes an admitted call's {@code x-ratelimit-*} headers into its response. Every response of a limited
 * caller carries six of them: their names are encoded once here, and their values are written as bytes (no
 * String per value, none for vert.x to encode again character by character).
 */
final class RateLimitResponseHeaders {
  /** {@link RateLimitHeaders#NAMES}, encoded. */
  private static final List<CharSequence> NAMES =
      RateLimitHeaders.NAMES.stream().map(HttpHeaders::createOptimized).toList();
  private static final int MAX_DIGITS = 20;
  private static final RateLimitHeaders.Sink<MultiMap> TO_RESPONSE = new RateLimitHeaders.Sink<>() {
    @Override
    public void number(MultiMap headers, int name, long value) {
      headers.add(NAMES.get(name), digits(value));
    }

    @Override
    public void text(MultiMap headers, int name, String value) {
      headers.add(NAMES.get(name), new AsciiString(value));
    }
  };

  private RateLimitResponseHeaders() {}

  static void write(RateLimitStatus status, MultiMap headers) {
    RateLimitHeaders.write(status, headers, TO_RESPONSE);
  }

  /** A number's decimal digits, as {@link Long#toString} writes them. */
  static AsciiString digits(long value) {
    if (value < 0) {
      return new AsciiString(Long.toString(value));
    }
    byte[] out = new byte[MAX_DIGITS];
    int at = MAX_DIGITS;
    long rest = value;
    do {
      out[--at] = (byte) ('0' + rest % 10);
      rest /= 10;
    } while (rest != 0);
    return new AsciiString(out, at, MAX_DIGITS - at, false);
  }
}
