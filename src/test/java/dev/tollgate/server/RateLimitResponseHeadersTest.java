package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.metering.limits.RateLimitHeaders;
import dev.tollgate.metering.limits.RateLimitStatus;
import dev.tollgate.metering.limits.RateLimitStatus.Window;
import dev.tollgate.metering.limits.Scope;
import io.vertx.core.MultiMap;
import io.vertx.core.http.impl.headers.HeadersMultiMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RateLimitResponseHeadersTest {
  private static final Scope KEY = Scope.key("k1");

  /** What the response carries, as name=value lines in order. */
  private static List<String> written(RateLimitStatus status) {
    MultiMap headers = HeadersMultiMap.httpHeaders();
    RateLimitResponseHeaders.write(status, headers);
    List<String> lines = new ArrayList<>();
    headers.forEach(e -> lines.add(e.getKey() + "=" + e.getValue()));
    return lines;
  }

  /** What RateLimitHeaders gives for the same status (a refusal's headers), the reference the response must match. */
  private static List<String> expected(RateLimitStatus status) {
    return RateLimitHeaders.of(status).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
  }

  @Test
  void theResponseCarriesExactlyWhatRateLimitHeadersGives() {
    List<RateLimitStatus> statuses = List.of(
        new RateLimitStatus(Optional.of(new Window(KEY, 1_000_000_000L, 999_999_999L, Duration.ofNanos(60_001))),
            Optional.of(new Window(KEY, 10_000_000_000L, 0, Duration.ofSeconds(7, 660_000_000)))),
        new RateLimitStatus(Optional.of(new Window(KEY, 7, 3, Duration.ofMinutes(6))), Optional.empty()),
        new RateLimitStatus(Optional.empty(), Optional.of(new Window(KEY, Long.MAX_VALUE, 1, Duration.ZERO))),
        RateLimitStatus.UNLIMITED);
    for (RateLimitStatus status : statuses) {
      assertThat(written(status)).as("%s", status).isEqualTo(expected(status));
    }
    assertThat(written(statuses.getFirst())).hasSize(6).first().isEqualTo("x-ratelimit-limit-requests=1000000000");
  }

  @Test
  void digitsAreLongToString() {
    for (long v : new long[] {0, 1, 9, 10, 99, 100, 12_345, 1_000_000_000L, Long.MAX_VALUE, -1, Long.MIN_VALUE}) {
      assertThat(RateLimitResponseHeaders.digits(v).toString()).isEqualTo(Long.toString(v));
    }
  }
}
