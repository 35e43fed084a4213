package dev.tollgate.metering.limits;

import dev.tollgate.testing.ManualClock;
import static dev.tollgate.metering.limits.Limits.KEY_A;
import static dev.tollgate.metering.limits.Limits.admitted;
import static dev.tollgate.metering.limits.Limits.drain;
import static dev.tollgate.metering.limits.Limits.keyDefault;
import static dev.tollgate.metering.limits.Limits.limited;
import static dev.tollgate.metering.limits.Limits.rpm;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The OpenAI-style headers: values of the tightest scope, durations written the way OpenAI writes them. */
class RateLimitHeadersTest {
  private final ManualClock clock = new ManualClock();

  @ParameterizedTest(name = "{0} ns -> {1}")
  @CsvSource({
      "0, 0s",
      "1, 1ms",
      "999999, 1ms",
      "1000000, 1ms",
      "1000001, 2ms",
      "20000000, 20ms",
      "999000000, 999ms",
      "1000000000, 1s",
      "1000000001, 1.001s",
      "7600000000, 7.6s",
      "7660000000, 7.66s",
      "59999000000, 59.999s",
      "60000000000, 1m0s",
      "360000000000, 6m0s",
      "179560000000, 2m59.56s",
      "3600000000000, 1h0m0s",
      "3723004000000, 1h2m3.004s",
      "90000000000000, 25h0m0s",
      "-5, 0s"})
  void durationsReadLikeOpenAis(long nanos, String expected) {
    assertThat(RateLimitHeaders.duration(Duration.ofNanos(nanos))).isEqualTo(expected);
  }

  @Test
  void anAdmissionReportsTheRequestAndTokenWindows() {
    RateLimiter limiter = new RateLimiter(keyDefault(rpm(60).withTpm(6000)), clock);

    Map<String, String> headers = RateLimitHeaders.of(limiter.admit(KEY_A, 150));

    assertThat(headers).containsExactly(
        Map.entry("x-ratelimit-limit-requests", "60"),
        Map.entry("x-ratelimit-remaining-requests", "59"),
        Map.entry("x-ratelimit-reset-requests", "1s"),
        Map.entry("x-ratelimit-limit-tokens", "6000"),
        Map.entry("x-ratelimit-remaining-tokens", "5850"),
        Map.entry("x-ratelimit-reset-tokens", "1.5s"));
  }

  @Test
  void resetIsTheTimeUntilTheBucketIsFullAgain() {
    RateLimiter limiter = new RateLimiter(keyDefault(rpm(10).withTpm(1000)), clock);
    admitted(limiter.admit(KEY_A, 100)).permit().close();
    admitted(limiter.admit(KEY_A, 100)).permit().close();
    clock.advance(Duration.ofSeconds(2));

    // Two calls 2 s ago, one now. Requests: 6 s each to refill, 3 x 6 s - 2 s = 16 s. Tokens: 1000 per
    // minute, 300 taken and 33.3 refilled, so 266.7 missing = 16 s; 733.3 left, reported whole.
    Map<String, String> headers = RateLimitHeaders.of(limiter.admit(KEY_A, 100));

    assertThat(headers).containsEntry("x-ratelimit-remaining-requests", "7")
        .containsEntry("x-ratelimit-reset-requests", "16s")
        .containsEntry("x-ratelimit-remaining-tokens", "733")
        .containsEntry("x-ratelimit-reset-tokens", "16s");
  }

  @Test
  void theTightestScopeIsReported() {
    LimitsConfig config = LimitsConfig.ofDefaults(Map.of(ScopeKind.KEY, rpm(100).withTpm(1000),
        ScopeKind.TEAM, rpm(10).withTpm(100_000)));
    RateLimiter limiter = new RateLimiter(config, clock);

    Admission admission = limiter.admit(KEY_A, 500);

    assertThat(admission.status().requests().orElseThrow().scope()).isEqualTo(Scope.team("t-1"));
    assertThat(admission.status().tokens().orElseThrow().scope()).isEqualTo(Scope.key("k-a"));
    assertThat(RateLimitHeaders.of(admission))
        .containsEntry("x-ratelimit-limit-requests", "10")
        .containsEntry("x-ratelimit-remaining-requests", "9")
        .containsEntry("x-ratelimit-limit-tokens", "1000")
        .containsEntry("x-ratelimit-remaining-tokens", "500");
  }

  @Test
  void aRefusalAddsRetryAfterInSecondsAndMilliseconds() {
    RateLimiter limiter = new RateLimiter(keyDefault(rpm(7)), clock);
    drain(limiter, KEY_A, 0);

    Admission refused = limiter.admit(KEY_A, 0);

    assertThat(limited(refused).retryAfter()).isEqualTo(Duration.ofMillis(8572));
    assertThat(RateLimitHeaders.of(refused)).containsExactly(
        Map.entry("x-ratelimit-limit-requests", "7"),
        Map.entry("x-ratelimit-remaining-requests", "0"),
        Map.entry("x-ratelimit-reset-requests", "1m0s"),
        Map.entry("retry-after", "9"),
        Map.entry("retry-after-ms", "8572"));
  }

  @Test
  void noLimitsNoHeaders() {
    RateLimiter limiter = new RateLimiter(LimitsConfig.NONE, clock);
    assertThat(RateLimitHeaders.of(limiter.admit(KEY_A, 10))).isEmpty();
  }
}
