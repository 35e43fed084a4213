package dev.tollgate.metering.limits;

import dev.tollgate.metering.limits.Admission.Admitted;
import dev.tollgate.metering.limits.Admission.Limited;
import dev.tollgate.metering.limits.RateLimitStatus.Window;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The rate-limit response headers OpenAI sends, for the caller's tightest scope:
 * {@code x-ratelimit-limit-requests}, {@code x-ratelimit-remaining-requests},
 * {@code x-ratelimit-reset-requests} and the same three for {@code -tokens}; on a refusal also
 * {@code retry-after} (whole seconds, RFC 9110) and {@code retry-after-ms} (read by OpenAI's SDKs).
 */
public final class RateLimitHeaders {
  private static final long NANOS_PER_MILLI = 1_000_000L;
  private static final Names REQUESTS = Names.of("requests");
  private static final Names TOKENS = Names.of("tokens");

  /** One trio's header names, built once. */
  private record Names(String limit, String remaining, String reset) {
    static Names of(String kind) {
      return new Names("x-ratelimit-limit-" + kind, "x-ratelimit-remaining-" + kind, "x-ratelimit-reset-" + kind);
    }
  }

  private RateLimitHeaders() {}

  /** The header names {@link #write} may give, in its order. */
  public static final List<String> NAMES = List.of(REQUESTS.limit(), REQUESTS.remaining(), REQUESTS.reset(),
      TOKENS.limit(), TOKENS.remaining(), TOKENS.reset());

  /** The headers for one admission, in a stable order; the request or token trio is left out when no scope has that limit. */
  public static Map<String, String> of(Admission admission) {
    Map<String, String> headers = new LinkedHashMap<>();
    write(admission.status(), headers::put);
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

  /**
   * Gives the headers of {@code status} to {@code header} (name, value), in the order of {@link #NAMES}, each
   * name one of those constants: an admitted call's headers go straight to its response, with no map between.
   */
  public static void write(RateLimitStatus status, BiConsumer<String, String> header) {
    status.requests().ifPresent(w -> write(REQUESTS, w, header));
    status.tokens().ifPresent(w -> write(TOKENS, w, header));
  }

  private static void write(Names names, Window window, BiConsumer<String, String> header) {
    header.accept(names.limit(), Long.toString(window.limit()));
    header.accept(names.remaining(), Long.toString(window.remaining()));
    header.accept(names.reset(), duration(window.reset()));
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
    int fraction = (int) (millis % 1000);
    if (fraction > 0) {
      // Three digits without the trailing zeros (written on every response: no format string, no regex).
      out.append('.').append((char) ('0' + fraction / 100));
      if (fraction % 100 != 0) {
        out.append((char) ('0' + fraction / 10 % 10));
        if (fraction % 10 != 0) {
          out.append((char) ('0' + fraction % 10));
        }
      }
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
