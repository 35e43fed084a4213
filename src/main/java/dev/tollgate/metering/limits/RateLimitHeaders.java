package dev.tollgate.metering.limits;

import dev.tollgate.metering.limits.Admission.Admitted;
import dev.tollgate.metering.limits.Admission.Limited;
import dev.tollgate.metering.limits.RateLimitStatus.Window;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The rate-limit response headers OpenAI sends, for the caller's tightest scope:
 * {@code x-ratelimit-limit-requests}, {@code x-ratelimit-remaining-requests},
 * {@code x-ratelimit-reset-requests} and the same three for {@code -tokens}; on a refusal also
 * {@code retry-after} (whole seconds, RFC 9110) and {@code retry-after-ms} (read by OpenAI's SDKs).
 */
public final class RateLimitHeaders {
  private static final long NANOS_PER_MILLI = 1_000_000L;

  private RateLimitHeaders() {}

  /** The headers for one admission, in a stable order; the request or token trio is left out when no scope has that limit. */
  public static Map<String, String> of(Admission admission) {
    Map<String, String> headers = new LinkedHashMap<>();
    admission.status().requests().ifPresent(w -> put(headers, "requests", w));
    admission.status().tokens().ifPresent(w -> put(headers, "tokens", w));
    switch (admission) {
      case Admitted _ -> { }
      case Limited l -> {
        long millis = Math.max(1, ceilMillis(l.retryAfter()));
        headers.put("retry-after", Long.toString((millis + 999) / 1000));
        headers.put("retry-after-ms", Long.toString(millis));
      }
    }
    return Collections.unmodifiableMap(headers);
  }

  private static void put(Map<String, String> headers, String kind, Window window) {
    headers.put("x-ratelimit-limit-" + kind, Long.toString(window.limit()));
    headers.put("x-ratelimit-remaining-" + kind, Long.toString(window.remaining()));
    headers.put("x-ratelimit-reset-" + kind, duration(window.reset()));
  }

  /**
   * A duration as OpenAI writes it (Go's {@code time.Duration} format) at millisecond precision,
   * rounded up so that a client waiting that long finds the limit reset: {@code 0s}, {@code 20ms},
   * {@code 1s}, {@code 7.66s}, {@code 6m0s}, {@code 2m59.56s}, {@code 1h0m0s}.
   */
  public static String duration(Duration d) {
    long millis = ceilMillis(d);
    if (millis <= 0) {
      return "0s";
    }
    if (millis < 1000) {
      return millis + "ms";
    }
    StringBuilder out = new StringBuilder();
    long hours = millis / 3_600_000;
    long minutes = millis / 60_000 % 60;
    if (hours > 0) {
      out.append(hours).append('h');
    }
    if (hours > 0 || minutes > 0) {
      out.append(minutes).append('m');
    }
    out.append(millis / 1000 % 60);
    long fraction = millis % 1000;
    if (fraction > 0) {
      String digits = String.format("%03d", fraction);
      out.append('.').append(digits.replaceFirst("0+$", ""));
    }
    return out.append('s').toString();
  }

  private static long ceilMillis(Duration d) {
    if (d.isNegative() || d.isZero()) {
      return 0;
    }
    long nanos = d.toNanos();
    return nanos / NANOS_PER_MILLI + (nanos % NANOS_PER_MILLI == 0 ? 0 : 1);
  }
}
