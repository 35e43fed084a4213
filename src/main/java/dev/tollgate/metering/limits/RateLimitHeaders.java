package dev.tollgate.metering.limits;

import dev.tollgate.metering.limits.Admission.Admitted;
import dev.tollgate.metering.limits.Admission.Limited;
import dev.tollgate.metering.limits.RateLimitStatus.Window;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rate-limit response headers OpenAI sends, for the caller's tightest scope:
 * {@code x-ratelimit-limit-requests}, {@code x-ratelimit-remaining-requests},
 * {@code x-ratelimit-reset-requests} and the same three for {@code -tokens}; on a refusal also
 * {@code retry-after} (whole seconds, RFC 9110) and {@code retry-after-ms} (read by OpenAI's SDKs).
 */
public final class RateLimitHeaders {
  private static final long NANOS_PER_MILLI = 1_000_000L;
  /** The six header names, the request trio then the token trio: limit, remaining, reset. */
  public static final List<String> NAMES = List.of("x-ratelimit-limit-requests", "x-ratelimit-remaining-requests",
      "x-ratelimit-reset-requests", "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens",
      "x-ratelimit-reset-tokens");
  private static final int REQUESTS = 0;
  private static final int TOKENS = 3;

  private RateLimitHeaders() {}

  /**
   * Where {@link #write} puts the headers of a status: each by its name's index in {@link #NAMES}, a count as a
   * number, a reset time as OpenAI's text. The target is passed along, so that a sink needs no state of its own.
   */
  public interface Sink<T> {
    void number(T target, int name, long value);

    void text(T target, int name, String value);
  }

  /** The headers for one admission, in a stable order; the request or token trio is left out when no scope has that limit. */
  public static Map<String, String> of(Admission admission) {
    Map<String, String> headers = of(admission.status());
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

  /** The headers of {@code status} as names and values, in the order of {@link #NAMES}. */
  public static Map<String, String> of(RateLimitStatus status) {
    Map<String, String> headers = new LinkedHashMap<>();
    write(status, headers, TO_MAP);
    return headers;
  }

  private static final Sink<Map<String, String>> TO_MAP = new Sink<>() {
    @Override
    public void number(Map<String, String> headers, int name, long value) {
      headers.put(NAMES.get(name), Long.toString(value));
    }

    @Override
    public void text(Map<String, String> headers, int name, String value) {
      headers.put(NAMES.get(name), value);
    }
  };

  /** Gives the headers of {@code status} to {@code sink}, in the order of {@link #NAMES}. */
  public static <T> void write(RateLimitStatus status, T target, Sink<T> sink) {
    Optional<Window> requests = status.requests();
    if (requests.isPresent()) {
      trio(REQUESTS, requests.get(), target, sink);
    }
    Optional<Window> tokens = status.tokens();
    if (tokens.isPresent()) {
      trio(TOKENS, tokens.get(), target, sink);
    }
  }

  private static <T> void trio(int first, Window window, T target, Sink<T> sink) {
    sink.number(target, first, window.limit());
    sink.number(target, first + 1, window.remaining());
    sink.text(target, first + 2, duration(window.reset()));
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
