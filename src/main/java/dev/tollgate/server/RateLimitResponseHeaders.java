package dev.tollgate.server;

import dev.tollgate.metering.limits.RateLimitHeaders;
import dev.tollgate.metering.limits.RateLimitStatus;
import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.List;
import java.util.Optional;

/**
 * Writes an admitted call's {@code x-ratelimit-*} headers into its response, the same names and values as
 * {@link RateLimitHeaders#write} gives. Every response of a limited caller carries six of them: their names are
 * encoded once here, and their values are written as bytes (no String per value, none to encode again).
 */
final class RateLimitResponseHeaders {
  /** {@link RateLimitHeaders#NAMES}, in its order: the request trio, then the token trio. */
  private static final List<CharSequence> NAMES =
      RateLimitHeaders.NAMES.stream().map(HttpHeaders::createOptimized).toList();
  private static final int MAX_DIGITS = 20;

  private RateLimitResponseHeaders() {}

  static void write(RateLimitStatus status, MultiMap headers) {
    Optional<RateLimitStatus.Window> requests = status.requests();
    if (requests.isPresent()) {
      trio(headers, 0, requests.get());
    }
    Optional<RateLimitStatus.Window> tokens = status.tokens();
    if (tokens.isPresent()) {
      trio(headers, 3, tokens.get());
    }
  }

  private static void trio(MultiMap headers, int first, RateLimitStatus.Window window) {
    headers.add(NAMES.get(first), digits(window.limit()));
    headers.add(NAMES.get(first + 1), digits(window.remaining()));
    headers.add(NAMES.get(first + 2), new AsciiString(RateLimitHeaders.duration(window.reset())));
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
