package dev.tollgate.access.local;

import dev.tollgate.config.ConfigException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of local accounts, YAML {@code auth.local}. The constructor validates every field and throws a
 * {@link ConfigException} listing each problem with its YAML path.
 *
 * @param argon2 {@code auth.local.password.argon2}: hashing cost; at least OWASP's floor (7 MiB)
 * @param minPasswordLength {@code auth.local.password.min_length}: characters, 8 to 64 (NIST's range)
 * @param maxFailures {@code auth.local.lockout.max_failures}: failed logins before the first lock
 * @param initialLockout {@code auth.local.lockout.initial}: the first lock; each further failure doubles it
 * @param maxLockout {@code auth.local.lockout.max}: the longest lock
 * @param forgetFailuresAfter {@code auth.local.lockout.forget_after}: failures older than this stop counting
 * @param totpIssuer {@code auth.local.totp.issuer}: the name authenticator apps show next to the account
 */
public record LocalAccountsConfig(
    Argon2Parameters argon2,
    int minPasswordLength,
    int maxFailures,
    Duration initialLockout,
    Duration maxLockout,
    Duration forgetFailuresAfter,
    String totpIssuer) {

  /** OWASP Argon2id, 12 characters, 5 failures then 30 s doubling to 15 min, failures forgotten after a day. */
  public static final LocalAccountsConfig DEFAULTS = new LocalAccountsConfig(Argon2Parameters.OWASP, 12, 5,
      Duration.ofSeconds(30), Duration.ofMinutes(15), Duration.ofHours(24), "Tollgate");

  private static final int MIN_MEMORY_KIB = 7 * 1024;

  public LocalAccountsConfig {
    List<String> problems = new ArrayList<>();
    if (argon2 == null) {
      problems.add("auth.local.password.argon2: missing");
    } else if (argon2.memoryKib() < MIN_MEMORY_KIB) {
      problems.add("auth.local.password.argon2.memory_kib: " + argon2.memoryKib() + " (expected: >= " + MIN_MEMORY_KIB
          + ", OWASP's smallest Argon2id memory)");
    }
    if (minPasswordLength < 8 || minPasswordLength > 64) {
      problems.add("auth.local.password.min_length: " + minPasswordLength + " (expected: 8 to 64)");
    }
    if (maxFailures < 1 || maxFailures > 100) {
      problems.add("auth.local.lockout.max_failures: " + maxFailures + " (expected: 1 to 100)");
    }
    if (!positive(initialLockout)) {
      problems.add("auth.local.lockout.initial: " + initialLockout + " (expected: > 0)");
    }
    if (!positive(maxLockout) || (positive(initialLockout) && maxLockout.compareTo(initialLockout) < 0)) {
      problems.add("auth.local.lockout.max: " + maxLockout + " (expected: >= auth.local.lockout.initial)");
    }
    if (!positive(forgetFailuresAfter)
        || (positive(maxLockout) && forgetFailuresAfter.compareTo(maxLockout) <= 0)) {
      problems.add("auth.local.lockout.forget_after: " + forgetFailuresAfter
          + " (expected: > auth.local.lockout.max, or a lock would outlive the failures that caused it)");
    }
    if (totpIssuer == null || totpIssuer.isBlank() || totpIssuer.contains(":")) {
      problems.add("auth.local.totp.issuer: '" + totpIssuer + "' (expected: a non-empty name without ':')");
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
  }

  private static boolean positive(Duration d) {
    return d != null && d.isPositive();
  }
}
