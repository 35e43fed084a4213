package dev.tollgate.access.local;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * Locks a login name after repeated failures: the {@code maxFailures}-th failure locks it for
 * {@code initial}, each further one doubles the lock up to {@code max}; a success clears it; failures
 * older than {@code forgetAfter} stop counting. State lives in the database, so a restart or another
 * node sees the same lock.
 *
 * <p>The key is the login name as typed (a digest of it), not the user id: names with no account are
 * counted and locked exactly like real ones, so a lock never confirms that an account exists. The
 * price is that anyone can lock a known name for up to {@code max}; that is the usual trade of
 * lockouts, and the cap keeps it short. Thread-safe; blocks on the store.
 */
public final class LoginThrottle {
  private final LocalCredentialStore store;
  private final Clock clock;
  private final int maxFailures;
  private final Duration initial;
  private final Duration max;
  private final Duration forgetAfter;

  public LoginThrottle(LocalCredentialStore store, Clock clock, int maxFailures, Duration initial, Duration max,
      Duration forgetAfter) {
    if (maxFailures < 1) {
      throw new IllegalArgumentException("maxFailures: " + maxFailures + " (expected: >= 1)");
    }
    if (!initial.isPositive() || max.compareTo(initial) < 0 || forgetAfter.compareTo(max) <= 0) {
      throw new IllegalArgumentException("durations: initial " + initial + ", max " + max + ", forgetAfter "
          + forgetAfter + " (expected: 0 < initial <= max < forgetAfter)");
    }
    this.store = store;
    this.clock = clock;
    this.maxFailures = maxFailures;
    this.initial = initial;
    this.max = max;
    this.forgetAfter = forgetAfter;
  }

  /** The throttle the configuration describes. */
  public static LoginThrottle of(LocalAccountsConfig config, LocalCredentialStore store, Clock clock) {
    return new LoginThrottle(store, clock, config.maxFailures(), config.initialLockout(), config.maxLockout(),
        config.forgetFailuresAfter());
  }

  /** When the login name's current lock ends; empty when it is not locked now. */
  public Optional<Instant> lockedUntil(String login) {
    Instant now = clock.instant();
    return store.throttle(subject(login))
        .flatMap(LocalCredentialStore.ThrottleRow::lockedUntil)
        .filter(now::isBefore);
  }

  /** Counts a failure; returns the end of the lock it caused, or empty when it caused none. */
  public Optional<Instant> recordFailure(String login) {
    Instant now = clock.instant();
    String subject = subject(login);
    int failures = store.recordFailure(subject, now, now.minus(forgetAfter));
    Duration lock = lockFor(failures);
    if (lock.isZero()) {
      return Optional.empty();
    }
    Instant until = now.plus(lock);
    store.lockUntil(subject, until);
    return Optional.of(until);
  }

  /** Forgets the name's failures and any lock. */
  public void recordSuccess(String login) {
    store.clearThrottle(subject(login));
  }

  /** Deletes rows that no longer matter (old failures, no live lock); returns how many. Run it now and then. */
  public int purge() {
    Instant now = clock.instant();
    return store.purgeThrottle(now.minus(forgetAfter), now);
  }

  /** How long the {@code failures}-th consecutive failure locks for: zero below the threshold. */
  Duration lockFor(int failures) {
    if (failures < maxFailures) {
      return Duration.ZERO;
    }
    int doublings = failures - maxFailures;
    // Beyond 62 doublings the shift overflows; long before that the cap applies.
    if (doublings >= 62 || initial.toMillis() > (max.toMillis() >> doublings)) {
      return max;
    }
    return initial.multipliedBy(1L << doublings);
  }

  /** The stored key of a login name: SHA-256 of its trimmed, lower-cased form (names are compared that way). */
  static String subject(String login) {
    String normal = login == null ? "" : login.strip().toLowerCase(Locale.ROOT);
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(normal.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
