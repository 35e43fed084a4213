package dev.tollgate.access.local;

import java.time.Instant;

/**
 * The outcome of a local login. No variant says whether the account exists: an unknown name, a user
 * without a local password and a wrong password are all {@link InvalidCredentials}, and all of them count
 * toward a {@link Locked} lock.
 */
public sealed interface LoginResult {
  /** Signed in. {@code recoveryCodesLeft} matters when {@code factor} is a recovery code: warn when low. */
  record Success(String userId, SecondFactor factor, int recoveryCodesLeft) implements LoginResult {}

  /** The password is right and the account has TOTP: ask for a code (or a recovery code) and try again. */
  record NeedsSecondFactor() implements LoginResult {}

  /** Wrong name, password or second factor; which one is not said. */
  record InvalidCredentials() implements LoginResult {}

  /** Too many failures: no attempt is checked until {@code until} (the Retry-After). */
  record Locked(Instant until) implements LoginResult {}

  /** The second factor a successful login used. */
  enum SecondFactor { NONE, TOTP, RECOVERY_CODE }
}
