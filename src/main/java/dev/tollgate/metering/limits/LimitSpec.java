package dev.tollgate.metering.limits;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The limits of one scope; an absent field means no limit of that kind. Values are validated by
 * {@link LimitsConfig}, which knows their YAML path; {@link #problems(String)} says what is wrong.
 *
 * @param rpm requests per minute
 * @param tpm tokens (input + output) per minute
 * @param maxConcurrent requests in flight at once
 */
public record LimitSpec(OptionalLong rpm, OptionalLong tpm, OptionalInt maxConcurrent) {
  /** No limit at all. */
  public static final LimitSpec NONE = new LimitSpec(OptionalLong.empty(), OptionalLong.empty(), OptionalInt.empty());

  /**
   * The largest rpm or tpm accepted: far above any real quota (OpenAI's largest tier is 150M tpm),
   * and below Bucket4j's ceiling of one token per nanosecond of refill (6e10 a minute), which it
   * refuses at the first request rather than at configuration.
   */
  public static final long MAX_RATE = 10_000_000_000L;

  public LimitSpec {
    Objects.requireNonNull(rpm, "rpm");
    Objects.requireNonNull(tpm, "tpm");
    Objects.requireNonNull(maxConcurrent, "maxConcurrent");
  }

  public LimitSpec withRpm(long value) {
    return new LimitSpec(OptionalLong.of(value), tpm, maxConcurrent);
  }

  public LimitSpec withTpm(long value) {
    return new LimitSpec(rpm, OptionalLong.of(value), maxConcurrent);
  }

  public LimitSpec withMaxConcurrent(int value) {
    return new LimitSpec(rpm, tpm, OptionalInt.of(value));
  }

  public boolean isEmpty() {
    return rpm.isEmpty() && tpm.isEmpty() && maxConcurrent.isEmpty();
  }

  /** This spec with each absent field taken from {@code base}: an override inherits what it does not set. */
  public LimitSpec orElse(LimitSpec base) {
    return new LimitSpec(rpm.isPresent() ? rpm : base.rpm, tpm.isPresent() ? tpm : base.tpm,
        maxConcurrent.isPresent() ? maxConcurrent : base.maxConcurrent);
  }

  /** What is wrong with this spec, each message prefixed with {@code path} (the spec's YAML path). */
  public List<String> problems(String path) {
    List<String> problems = new ArrayList<>();
    rate(path + ".rpm", rpm, problems);
    rate(path + ".tpm", tpm, problems);
    if (maxConcurrent.isPresent() && maxConcurrent.getAsInt() < 1) {
      problems.add(path + ".max_concurrent: " + maxConcurrent.getAsInt()
          + " (expected: >= 1; leave it out for no limit)");
    }
    return problems;
  }

  private static void rate(String path, OptionalLong value, List<String> problems) {
    if (value.isPresent() && (value.getAsLong() < 1 || value.getAsLong() > MAX_RATE)) {
      problems.add(path + ": " + value.getAsLong() + " (expected: 1 to " + MAX_RATE + "; leave it out for no limit)");
    }
  }
}
