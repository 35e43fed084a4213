package dev.tollgate.access.local;

import dev.tollgate.access.local.LocalCredentialStore.TotpRow;
import dev.tollgate.access.local.LoginResult.SecondFactor;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;

/**
 * Local accounts: passwords, the optional TOTP second factor with its recovery codes, and lockout. Users
 * themselves (ids, emails, roles) belong to the core; this service only keeps credentials keyed by user
 * id. Every method blocks (database, Argon2): call it from a virtual thread. Thread-safe; all state is in
 * the database, changed with compare-and-set statements, so several nodes can serve the same accounts.
 *
 * <p>Login is stateless: a client that gets {@link LoginResult.NeedsSecondFactor} sends the password
 * again with the code. Authorising the other calls (who may set whose password, or disable TOTP) is the
 * caller's job.
 */
public final class LocalAccounts {
  /** A begun enrolment must be confirmed within this time, or begun again. */
  static final Duration ENROLMENT_TTL = Duration.ofMinutes(10);

  private final LocalCredentialStore store;
  private final PasswordHasher hasher;
  private final PasswordPolicy policy;
  private final Totp totp;
  private final RecoveryCodes recoveryCodes;
  private final LoginThrottle throttle;
  private final SecretSealer sealer;
  private final SecureRandom random;
  private final Clock clock;
  private final String totpIssuer;

  public LocalAccounts(LocalCredentialStore store, PasswordHasher hasher, PasswordPolicy policy, Totp totp,
      RecoveryCodes recoveryCodes, LoginThrottle throttle, SecretSealer sealer, SecureRandom random, Clock clock,
      String totpIssuer) {
    this.store = store;
    this.hasher = hasher;
    this.policy = policy;
    this.totp = totp;
    this.recoveryCodes = recoveryCodes;
    this.throttle = throttle;
    this.sealer = sealer;
    this.random = random;
    this.clock = clock;
    this.totpIssuer = totpIssuer;
  }

  /** Everything wired from the configuration: what the composition root calls. */
  public static LocalAccounts create(LocalAccountsConfig config, Jdbi jdbi, SecretSealer sealer, SecureRandom random,
      Clock clock) {
    LocalCredentialStore store = new LocalCredentialStore(jdbi);
    return new LocalAccounts(store, new PasswordHasher(config.argon2(), random),
        new PasswordPolicy(config.minPasswordLength()), new Totp(clock), new RecoveryCodes(random),
        LoginThrottle.of(config, store, clock), sealer, random, clock, config.totpIssuer());
  }

  // ------------------------------------------------------------ passwords

  /**
   * Sets (or replaces) the user's password after checking it against the policy; throws
   * {@link WeakPasswordException} (a 400, with a message safe to show) when it breaks a rule.
   */
  public void setPassword(String userId, String email, String password) {
    Set<PasswordPolicy.Violation> violations = policy.check(password, email);
    if (!violations.isEmpty()) {
      throw new WeakPasswordException(violations, policy.describe(violations));
    }
    store.putPassword(userId, hasher.hash(password), clock.instant());
  }

  public boolean hasPassword(String userId) {
    return store.passwordHash(userId).isPresent();
  }

  /** Forgets all local credentials of a user being deleted; true if there were any. */
  public boolean delete(String userId) {
    return store.deleteUser(userId);
  }

  // ------------------------------------------------------------ login

  /**
   * Checks a login. {@code login} is the name as typed (the lockout key, counted whether or not an account
   * has it); {@code userId} is the account it names, or null when none does; {@code secondFactor} is a
   * TOTP code, a recovery code, or null.
   */
  public LoginResult authenticate(String login, String userId, String password, String secondFactor) {
    Optional<Instant> locked = throttle.lockedUntil(login);
    if (locked.isPresent()) {
      return new LoginResult.Locked(locked.get());
    }
    Optional<String> hash = userId == null ? Optional.empty() : store.passwordHash(userId);
    boolean passwordOk = hash.isPresent() ? hasher.verify(password, hash.get()) : hasher.verifyNothing(password);
    if (!passwordOk) {
      return failure(login);
    }
    Optional<TotpRow> row = store.totp(userId).filter(TotpRow::enabled);
    SecondFactor factor = SecondFactor.NONE;
    if (row.isPresent()) {
      if (secondFactor == null || secondFactor.isBlank()) {
        return new LoginResult.NeedsSecondFactor();
      }
      String code = secondFactor.strip();
      if (Totp.isCodeShaped(code.replace(" ", ""))) {
        if (!acceptTotp(userId, row.get(), code)) {
          return failure(login);
        }
        factor = SecondFactor.TOTP;
      } else {
        if (!store.useRecoveryCode(userId, RecoveryCodes.digest(code), clock.instant())) {
          return failure(login);
        }
        factor = SecondFactor.RECOVERY_CODE;
      }
    }
    throttle.recordSuccess(login);
    String stored = hash.get();
    if (hasher.needsRehash(stored)) {
      // The parameters were raised since this hash was made; the password is at hand only now.
      store.replacePassword(userId, stored, hasher.hash(password), clock.instant());
    }
    int left = factor == SecondFactor.RECOVERY_CODE ? store.unusedRecoveryCodes(userId) : 0;
    return new LoginResult.Success(userId, factor, left);
  }

  private LoginResult failure(String login) {
    return throttle.recordFailure(login)
        .<LoginResult>map(LoginResult.Locked::new)
        .orElseGet(LoginResult.InvalidCredentials::new);
  }

  private boolean acceptTotp(String userId, TotpRow row, String code) {
    byte[] key = Base32.decode(sealer.open(row.sealedSecret().orElseThrow(), totpContext(userId)));
    OptionalLong step = totp.match(key, code, row.lastStep());
    // The conditional update is what stops a replay on another node between our read and now.
    return step.isPresent() && store.advanceTotpStep(userId, step.getAsLong());
  }

  // ------------------------------------------------------------ TOTP

  /**
   * Starts TOTP enrolment: a new secret, stored sealed as pending and returned this once. TOTP is not
   * required until {@link #confirmTotp} accepts a code from it; an enabled secret stays in force meanwhile.
   *
   * @param account what the authenticator app shows (usually the email)
   */
  public TotpEnrolment beginTotp(String userId, String account) {
    String secret = Totp.newSecret(random);
    store.beginTotp(userId, sealer.seal(secret, totpContext(userId)), clock.instant());
    return new TotpEnrolment(secret, Totp.provisioningUri(totpIssuer, account, secret));
  }

  /** Confirms a pending enrolment with a current code; on success TOTP is on and fresh recovery codes are issued. */
  public TotpConfirmation confirmTotp(String userId, String code) {
    Instant now = clock.instant();
    Optional<TotpRow> row = store.totp(userId);
    Optional<String> pending = row.flatMap(TotpRow::sealedPending);
    boolean fresh = row.flatMap(TotpRow::pendingSince).map(since -> now.isBefore(since.plus(ENROLMENT_TTL)))
        .orElse(false);
    if (pending.isEmpty() || !fresh) {
      return new TotpConfirmation.NoPendingEnrolment();
    }
    byte[] key = Base32.decode(sealer.open(pending.get(), totpContext(userId)));
    OptionalLong step = totp.match(key, code, Long.MIN_VALUE);
    if (step.isEmpty()) {
      return new TotpConfirmation.InvalidCode();
    }
    if (!store.confirmTotp(userId, pending.get(), step.getAsLong(), now)) {
      // Another request confirmed or replaced this enrolment between our read and the update.
      return new TotpConfirmation.NoPendingEnrolment();
    }
    return new TotpConfirmation.Confirmed(regenerate(userId, now));
  }

  public boolean totpEnabled(String userId) {
    return store.totp(userId).map(TotpRow::enabled).orElse(false);
  }

  /** Turns TOTP off and deletes the recovery codes; true if TOTP was enabled or pending. */
  /** Forgets failure counts too old to count any more; returns how many. */
  public int purgeThrottle() {
    return throttle.purge();
  }

  /**
   * Seals every stored TOTP secret again under the sealer's current key (after an encryption key
   * rotation); returns how many users' secrets were rewritten. Safe to re-run and to run while people
   * sign in (a row changed meanwhile is left as it is).
   */
  public int resealTotpSecrets() {
    int rewritten = 0;
    for (var e : store.sealedTotpSecrets().entrySet()) {
      String context = totpContext(e.getKey());
      String[] old = e.getValue();
      String[] fresh = new String[2];
      for (int i = 0; i < 2; i++) {
        fresh[i] = old[i] == null ? null : sealer.seal(sealer.open(old[i], context), context);
      }
      if (store.resealTotp(e.getKey(), old, fresh)) {
        rewritten++;
      }
    }
    return rewritten;
  }

  public boolean disableTotp(String userId) {
    return store.deleteTotp(userId);
  }

  // ------------------------------------------------------------ recovery codes

  /** Replaces the user's recovery codes with {@link RecoveryCodes#COUNT} new ones, shown this once; TOTP must be on. */
  public List<String> regenerateRecoveryCodes(String userId) {
    if (!totpEnabled(userId)) {
      throw new IllegalStateException("recovery codes need TOTP enabled first");
    }
    return regenerate(userId, clock.instant());
  }

  /** Uses a recovery code outside login (for example to re-authenticate); true exactly once per code. */
  public boolean consumeRecoveryCode(String userId, String code) {
    return code != null && store.useRecoveryCode(userId, RecoveryCodes.digest(code), clock.instant());
  }

  public int recoveryCodesLeft(String userId) {
    return store.unusedRecoveryCodes(userId);
  }

  private List<String> regenerate(String userId, Instant now) {
    List<String> codes = recoveryCodes.generate();
    store.replaceRecoveryCodes(userId, codes.stream().map(RecoveryCodes::digest).toList(), now);
    return codes;
  }

  /** Binds a sealed TOTP secret to its user: a ciphertext copied to another row will not open. */
  private static String totpContext(String userId) {
    return "tollgate.local.totp:" + userId;
  }
}
