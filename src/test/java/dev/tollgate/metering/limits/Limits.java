package dev.tollgate.metering.limits;

import dev.tollgate.metering.limits.Admission.Admitted;
import dev.tollgate.metering.limits.Admission.Limited;
import java.util.Map;
import java.util.Optional;

/** Shorthands for the limiter tests. */
final class Limits {
  static final CallerScopes KEY_A = new CallerScopes("k-a", Optional.empty(), "t-1");
  static final CallerScopes KEY_B = new CallerScopes("k-b", Optional.empty(), "t-1");

  private Limits() {}

  static LimitSpec rpm(long rpm) {
    return LimitSpec.NONE.withRpm(rpm);
  }

  static LimitSpec tpm(long tpm) {
    return LimitSpec.NONE.withTpm(tpm);
  }

  static LimitSpec concurrent(int max) {
    return LimitSpec.NONE.withMaxConcurrent(max);
  }

  static LimitsConfig keyDefault(LimitSpec spec) {
    return LimitsConfig.ofDefaults(Map.of(ScopeKind.KEY, spec));
  }

  static Admitted admitted(Admission admission) {
    if (admission instanceof Admitted a) {
      return a;
    }
    throw new AssertionError("expected admission, got " + admission);
  }

  static Limited limited(Admission admission) {
    if (admission instanceof Limited l) {
      return l;
    }
    throw new AssertionError("expected a refusal, got " + admission);
  }

  /** Admits and immediately closes calls of {@code caller} until one is refused; returns how many were admitted. */
  static int drain(RateLimiter limiter, CallerScopes caller, long tokens) {
    int admitted = 0;
    while (limiter.admit(caller, tokens) instanceof Admitted a) {
      a.permit().close();
      admitted++;
      if (admitted > 1_000_000) {
        throw new AssertionError("no limit applies");
      }
    }
    return admitted;
  }
}
