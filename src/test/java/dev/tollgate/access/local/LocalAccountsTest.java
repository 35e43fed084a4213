package dev.tollgate.access.local;

import dev.tollgate.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.access.local.LoginResult.InvalidCredentials;
import dev.tollgate.access.local.LoginResult.Locked;
import dev.tollgate.access.local.LoginResult.NeedsSecondFactor;
import dev.tollgate.access.local.LoginResult.SecondFactor;
import dev.tollgate.access.local.LoginResult.Success;
import dev.tollgate.store.Database;
import dev.tollgate.testing.TestDatabases;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The whole local-account flow, on SQLite and on PostgreSQL, with a hand-moved clock. */
@ParameterizedClass
@EnumSource(TestDatabases.Kind.class)
class LocalAccountsTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00.000Z");
  private static final String ANA = "0195a6c0-0000-7000-8000-000000000001";
  private static final String ANA_EMAIL = "ana@example.com";
  private static final String BOB = "0195a6c0-0000-7000-8000-000000000002";
  private static final String PASSWORD = "a long enough passphrase";

  @Parameter
  TestDatabases.Kind kind;

  @TempDir
  Path dir;

  Database db;
  ManualClock clock;
  PasswordHasher hasher;
  LocalAccounts accounts;

  @BeforeEach
  void open() {
    db = TestDatabases.open(kind, dir);
    clock = new ManualClock(T0);
    hasher = new PasswordHasher(PasswordHasherTest.CHEAP, new SecureRandom());
    accounts = accounts(hasher);
  }

  @AfterEach
  void close() {
    db.close();
  }

  private LocalAccounts accounts(PasswordHasher hasher) {
    LocalCredentialStore store = new LocalCredentialStore(db.jdbi());
    SecureRandom random = new SecureRandom();
    return new LocalAccounts(store, hasher, new PasswordPolicy(12), new Totp(clock), new RecoveryCodes(random),
        LoginThrottle.of(LocalAccountsConfig.DEFAULTS, store, clock), new TestSealer(), random, clock, "Tollgate");
  }

  // ------------------------------------------------------------ passwords

  @Test
  void theRightPasswordSignsInAndAnythingElseDoesNot() {
    accounts.setPassword(ANA, ANA_EMAIL, PASSWORD);
    assertThat(accounts.hasPassword(ANA)).isTrue();

    assertThat(accounts.authenticate(ANA_EMAIL, ANA, PASSWORD, null))
        .isEqualTo(new Success(ANA, SecondFactor.NONE, 0));
    assertThat(accounts.authenticate(ANA_EMAIL, ANA, PASSWORD + "x", null)).isInstanceOf(InvalidCredentials.class);
    assertThat(accounts.authenticate(ANA_EMAIL, ANA, null, null)).isInstanceOf(InvalidCredentials.class);
    assertThat(accounts.authenticate("nobody@example.com", null, PASSWORD, null)).isInstanceOf(InvalidCredentials.class);
    assertThat(accounts.authenticate("bob@example.com", BOB, PASSWORD, null))
        .as("a user without a local password").isInstanceOf(InvalidCredentials.class);
  }

  @Test
  void aWeakPasswordIsRefusedAndNothingIsStored() {
    assertThatThrownBy(() -> accounts.setPassword(ANA, ANA_EMAIL, "password1234"))
        .isInstanceOfSatisfying(WeakPasswordException.class,
            e -> assertThat(e.violations()).containsExactly(PasswordPolicy.Violation.TOO_COMMON))
        .hasMessageNotContaining("password1234");
    assertThatThrownBy(() -> accounts.setPassword(ANA, ANA_EMAIL, "ana@example.com!"))
        .isInstanceOf(WeakPasswordException.class);
    assertThat(accounts.hasPassword(ANA)).isFalse();
  }

  @Test
  void aNewPasswordReplacesTheOldOne() {
    accounts.setPassword(ANA, ANA_EMAIL, PASSWORD);
    accounts.setPassword(ANA, ANA_EMAIL, "another long passphrase");
    assertThat(accounts.authenticate(ANA_EMAIL, ANA, PASSWORD, null)).isInstanceOf(InvalidCredentials.class);
    assertThat(accounts.authenticate(ANA_EMAIL, ANA, "another long passphrase", null)).isInstanceOf(Success.class);
  }

  @Test
  void anUnknownAccountCostsTheSameArgon2AsAWrongPassword() {
    accounts.setPassword(ANA, ANA_EMAIL, PASSWORD);
    long start = hasher.computations();
    accounts.authenticate(ANA_EMAIL, ANA, "wrong wrong wrong", null);
    long known = hasher.computations() - start;
    start = hasher.computations();
    accounts.authenticate("nobody@example.com", null, "wrong wrong wrong", null);
    long unknown = hasher.computations() - start;
    start = hasher.computations();
    accounts.authenticate("bob@example.com", BOB, "wrong wrong wrong", null);
    long noPassword = hasher.computations() - start;
    assertThat(List.of(known, unknown, noPassword)).containsOnly(1L);
  }

  @Test
  void aLoginAfterTheParametersWereRaisedUpgradesTheStoredHash() {
    PasswordHasher old = new PasswordHasher(new Argon2Parameters(512, 1, 1), new SecureRandom());
    accounts(old).setPassword(ANA, ANA_EMAIL, PASSWORD);
    String before = storedHash(ANA);
    assertThat(hasher.needsRehash(before)).isTrue();

    assertThat(accounts.authenticate(ANA_EMAIL, ANA, PASSWORD, null)).isInstanceOf(Success.class);

    String after = storedHash(ANA);
    assertThat(after).isNotEqualTo(before).contains("m=1024,t=1,p=1");
    assertThat(hasher.needsRehash(after)).isFalse();
    assertThat(accounts.authenticate(ANA_EMAIL, ANA, PASSWORD, null)).isInstanceOf(Success.class);
    assertThat(storedHash(ANA)).as("no rehash when nothing changed").isEqualTo(after);
  }

  // ------------------------------------------------------------ lockout

  @Test
  void knownAndUnknownNamesLockAlikeAndTheLockEndsOnTime() {
    accounts.setPassword(ANA, ANA_EMAIL, PASSWORD);
    for (int i = 1; i <= 4; i++) {
      assertThat(accounts.authenticate(ANA_EMAIL, ANA, "wrong wrong wrong", null)).isInstanceOf(InvalidCredentials.class);
      assertThat(accounts.authenticate("nobody@example.com", null, "wrong wrong wrong", null))
          .isInstanceOf(InvalidCredentials.class);
    }
    Locked until = new Locked(T0.plusSeconds(30));
    assertThat(accounts.authenticate(ANA_EMAIL, ANA, "wrong wrong wrong", null)).isEqualTo(until);
    assertThat(accounts.authenticate("nobody@example.com", null, "wrong wrong wrong", null)).isEqualTo(until);

    long before = hasher.computations();
    assertThat(accounts.authenticate(ANA_EMAIL, ANA, PASSWORD, null))
        .as("even the right password waits").isEqualTo(until);
    assertThat(hasher.computations()).as("a locked name costs no Argon2").isEqualTo(before);

    clock.advance(Duration.ofSeconds(30));
    assertThat(accounts.authenticate(ANA_EMAIL, ANA, PASSWORD, null)).isInstanceOf(Success.class);
    for (int i = 1; i <= 4; i++) {
      assertThat(accounts.authenticate(ANA_EMAIL, ANA, "wrong wrong wrong", null))
          .as("the success reset the count").isInstanceOf(InvalidCredentials.class);
    }
    assertThat(accounts.authenticate("nobody@example.com", null, "wrong wrong wrong", null))
        .as("unknown names keep counting: the sixth failure doubles the lock")
        .isEqualTo(new Locked(clock.instant().plusSeconds(60)));
  }

  // ------------------------------------------------------------ TOTP

  @Test
  void totpEnrolmentNeedsAConfirmingCodeThenLoginNeedsACodeEachTime() {
    accounts.setPassword(ANA, ANA_EMAIL, PASSWORD);
    TotpEnrolment enrolment = accounts.beginTotp(ANA, ANA_EMAIL);
    byte[] key = Base32.decode(enrolment.secret());
    assertThat(enrolment.provisioningUri())
        .startsWith("otpauth://totp/Tollgate:ana%40example.com?secret=" + enrolment.secret());
    assertThat(enrolment.toString()).doesNotContain(enrolment.secret());

    assertThat(accounts.totpEnabled(ANA)).isFalse();
    assertThat(accounts.authenticate(ANA_EMAIL, ANA, PASSWORD, null))
        .as("a pending enrolment is not in force").isInstanceOf(Success.class);

    assertThat(accounts.confirmTotp(ANA, wrong(Totp.code(key, step())))).isInstanceOf(TotpConfirmation.InvalidCode.class);
    String confirming = Totp.code(key, step());
    TotpConfirmation confirmation = accounts.confirmTotp(ANA, confirming);
    assertThat(confirmation).isInstanceOfSatisfying(TotpConfirmation.Confirmed.class, c -> {
      assertThat(c.recoveryCodes()).hasSize(10);
      assertThat(c.toString()).doesNotContain(c.recoveryCodes().getFirst());
    });
    assertThat(accounts.totpEnabled(ANA)).isTrue();
    assertThat(accounts.recoveryCodesLeft(ANA)).isEqualTo(10);

    assertThat(accounts.authenticate(ANA_EMAIL, ANA, PASSWORD, null)).isInstanceOf(NeedsSecondFactor.class);
    assertThat(accounts.authenticate(ANA_EMAIL, ANA, PASSWORD, " ")).isInstanceOf(NeedsSecondFactor.class);
    assertThat(accounts.authenticate(ANA_EMAIL, ANA, "wrong wrong wrong", confirming))
        .as("a code does not excuse a wrong password").isInstanceOf(InvalidCredentials.class);
    assertThat(accounts.authenticate(ANA_EMAIL, ANA, PASSWORD, confirming))
        .as("the confirming code was used").isInstanceOf(InvalidCredentials.class);

    clock.advance(Duration.ofSeconds(30));
    String code = Totp.code(key, step());
    assertThat(accounts.authenticate(ANA_EMAIL, ANA, PASSWORD, code)).isEqualTo(new Success(ANA, SecondFactor.TOTP, 0));
    assertThat(accounts.authenticate(ANA_EMAIL, ANA, PASSWORD, code))
        .as("the same code twice").isInstanceOf(InvalidCredentials.class);

    clock.advance(Duration.ofSeconds(30));
    String spaced = Totp.code(key, step());
    spaced = spaced.substring(0, 3) + " " + spaced.substring(3);
    assertThat(accounts.authenticate(ANA_EMAIL, ANA, PASSWORD, spaced)).isInstanceOf(Success.class);
  }

  @Test
  void needingASecondFactorIsNotAFailureButAWrongCodeIs() {
    byte[] key = enrolTotp();
    for (int i = 0; i < 10; i++) {
      assertThat(accounts.authenticate(ANA_EMAIL, ANA, PASSWORD, null)).isInstanceOf(NeedsSecondFactor.class);
    }
    String bad = wrong(Totp.code(key, step()));
    for (int i = 1; i <= 4; i++) {
      assertThat(accounts.authenticate(ANA_EMAIL, ANA, PASSWORD, bad)).isInstanceOf(InvalidCredentials.class);
    }
    assertThat(accounts.authenticate(ANA_EMAIL, ANA, PASSWORD, bad)).isInstanceOf(Locked.class);
    clock.advance(Duration.ofSeconds(30));
    assertThat(accounts.authenticate(ANA_EMAIL, ANA, PASSWORD, Totp.code(key, step()))).isInstanceOf(Success.class);
  }

  @Test
  void theTotpSecretIsStoredSealedAndBoundToItsUser() {
    accounts.setPassword(ANA, ANA_EMAIL, PASSWORD);
    TotpEnrolment enrolment = accounts.beginTotp(ANA, ANA_EMAIL);
    Map<String, Object> pending = totpRow(ANA);
    assertThat(String.valueOf(pending.get("pending_secret"))).doesNotContain(enrolment.secret()).startsWith("sealed:");
    byte[] key = Base32.decode(enrolment.secret());
    accounts.confirmTotp(ANA, Totp.code(key, step()));
    Map<String, Object> enabled = totpRow(ANA);
    assertThat(String.valueOf(enabled.get("secret"))).doesNotContain(enrolment.secret()).startsWith("sealed:");
    assertThat(enabled.get("pending_secret")).isNull();

    // Bob's row gets Ana's sealed secret: it must not open as his.
    accounts.setPassword(BOB, "bob@example.com", PASSWORD);
    db.jdbi().useHandle(h -> h.createUpdate("INSERT INTO local_totp (user_id, secret, enabled_at) "
            + "VALUES (:u, :s, :t)")
        .bind("u", BOB).bind("s", (String) enabled.get("secret")).bind("t", T0.toEpochMilli()).execute());
    clock.advance(Duration.ofSeconds(30));
    assertThatThrownBy(() -> accounts.authenticate("bob@example.com", BOB, PASSWORD, Totp.code(key, step())))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anEnrolmentExpiresUnconfirmed() {
    assertThat(accounts.confirmTotp(ANA, "123456")).isInstanceOf(TotpConfirmation.NoPendingEnrolment.class);
    byte[] key = Base32.decode(accounts.beginTotp(ANA, ANA_EMAIL).secret());
    clock.advance(LocalAccounts.ENROLMENT_TTL);
    assertThat(accounts.confirmTotp(ANA, Totp.code(key, step())))
        .isInstanceOf(TotpConfirmation.NoPendingEnrolment.class);
    assertThat(accounts.totpEnabled(ANA)).isFalse();
  }

  @Test
  void reEnrollingKeepsTheOldSecretUntilTheNewOneIsConfirmed() {
    byte[] oldKey = enrolTotp();
    byte[] newKey = Base32.decode(accounts.beginTotp(ANA, ANA_EMAIL).secret());
    clock.advance(Duration.ofSeconds(30));
    assertThat(accounts.authenticate(ANA_EMAIL, ANA, PASSWORD, Totp.code(newKey, step())))
        .isInstanceOf(InvalidCredentials.class);
    assertThat(accounts.authenticate(ANA_EMAIL, ANA, PASSWORD, Totp.code(oldKey, step()))).isInstanceOf(Success.class);

    clock.advance(Duration.ofSeconds(30));
    assertThat(accounts.confirmTotp(ANA, Totp.code(newKey, step()))).isInstanceOf(TotpConfirmation.Confirmed.class);
    clock.advance(Duration.ofSeconds(30));
    assertThat(accounts.authenticate(ANA_EMAIL, ANA, PASSWORD, Totp.code(oldKey, step())))
        .isInstanceOf(InvalidCredentials.class);
    assertThat(accounts.authenticate(ANA_EMAIL, ANA, PASSWORD, Totp.code(newKey, step()))).isInstanceOf(Success.class);
  }

  @Test
  void disablingTotpDropsTheSecondFactorAndTheRecoveryCodes() {
    enrolTotp();
    assertThat(accounts.disableTotp(ANA)).isTrue();
    assertThat(accounts.totpEnabled(ANA)).isFalse();
    assertThat(accounts.recoveryCodesLeft(ANA)).isZero();
    assertThat(accounts.authenticate(ANA_EMAIL, ANA, PASSWORD, null)).isInstanceOf(Success.class);
    assertThat(accounts.disableTotp(ANA)).isFalse();
    assertThatThrownBy(() -> accounts.regenerateRecoveryCodes(ANA)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void theStoreMovesTheLastTotpStepOnlyForwardSoAConcurrentReplayLoses() {
    enrolTotp();
    LocalCredentialStore store = new LocalCredentialStore(db.jdbi());
    long used = step();
    assertThat(store.advanceTotpStep(ANA, used)).as("the confirming step").isFalse();
    assertThat(store.advanceTotpStep(ANA, used + 1)).isTrue();
    assertThat(store.advanceTotpStep(ANA, used + 1)).as("a second node with the same code").isFalse();
    assertThat(store.advanceTotpStep(ANA, used)).isFalse();
    assertThat(store.advanceTotpStep(BOB, used + 5)).as("no TOTP, nothing to advance").isFalse();
  }

  @Test
  void anEnrolmentIsConfirmedOnce() {
    LocalCredentialStore store = new LocalCredentialStore(db.jdbi());
    accounts.beginTotp(ANA, ANA_EMAIL);
    String pending = store.totp(ANA).orElseThrow().sealedPending().orElseThrow();
    assertThat(store.confirmTotp(ANA, pending, 7, T0)).isTrue();
    assertThat(store.confirmTotp(ANA, pending, 8, T0)).isFalse();
    assertThat(store.totp(ANA).orElseThrow().lastStep()).isEqualTo(7);
    assertThat(store.totp(ANA).orElseThrow().toString()).doesNotContain("sealed:");
  }

  // ------------------------------------------------------------ recovery codes

  @Test
  void aRecoveryCodeSignsInOnceInsteadOfTheTotpCode() {
    accounts.setPassword(ANA, ANA_EMAIL, PASSWORD);
    byte[] key = Base32.decode(accounts.beginTotp(ANA, ANA_EMAIL).secret());
    List<String> codes = ((TotpConfirmation.Confirmed) accounts.confirmTotp(ANA, Totp.code(key, step())))
        .recoveryCodes();
    String code = codes.get(3);

    assertThat(accounts.authenticate(ANA_EMAIL, ANA, "wrong wrong wrong", code)).isInstanceOf(InvalidCredentials.class);
    assertThat(accounts.recoveryCodesLeft(ANA)).as("a wrong password does not spend the code").isEqualTo(10);

    assertThat(accounts.authenticate(ANA_EMAIL, ANA, PASSWORD, code.toUpperCase()))
        .isEqualTo(new Success(ANA, SecondFactor.RECOVERY_CODE, 9));
    assertThat(accounts.authenticate(ANA_EMAIL, ANA, PASSWORD, code)).isInstanceOf(InvalidCredentials.class);
    assertThat(accounts.consumeRecoveryCode(ANA, code)).isFalse();
    assertThat(accounts.consumeRecoveryCode(BOB, codes.get(4))).as("codes belong to their user").isFalse();
    assertThat(accounts.consumeRecoveryCode(ANA, codes.get(4))).isTrue();
    assertThat(accounts.consumeRecoveryCode(ANA, null)).isFalse();
    assertThat(accounts.recoveryCodesLeft(ANA)).isEqualTo(8);

    List<String> fresh = accounts.regenerateRecoveryCodes(ANA);
    assertThat(fresh).hasSize(10).doesNotContainAnyElementsOf(codes);
    assertThat(accounts.recoveryCodesLeft(ANA)).isEqualTo(10);
    assertThat(accounts.authenticate(ANA_EMAIL, ANA, PASSWORD, codes.get(5)))
        .as("regenerating voids the old set").isInstanceOf(InvalidCredentials.class);
    assertThat(accounts.authenticate(ANA_EMAIL, ANA, PASSWORD, fresh.getFirst())).isInstanceOf(Success.class);
  }

  @Test
  void aRecoveryCodeRacedByEightRequestsWorksForExactlyOne() throws Exception {
    enrolTotp();
    String code = accounts.regenerateRecoveryCodes(ANA).getFirst();
    CountDownLatch start = new CountDownLatch(1);
    List<Callable<Boolean>> tasks = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      tasks.add(() -> {
        start.await();
        return accounts.consumeRecoveryCode(ANA, code);
      });
    }
    int wins = 0;
    int ran = 0;
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      List<Future<Boolean>> futures = new ArrayList<>();
      for (Callable<Boolean> task : tasks) {
        futures.add(pool.submit(task));
      }
      start.countDown();
      for (Future<Boolean> f : futures) {
        ran++;
        wins += f.get() ? 1 : 0;
      }
    }
    assertThat(ran).isEqualTo(8);
    assertThat(wins).isEqualTo(1);
  }

  // ------------------------------------------------------------ lifecycle

  @Test
  void deletingAUserForgetsEveryLocalCredential() {
    enrolTotp();
    accounts.setPassword(BOB, "bob@example.com", PASSWORD);
    assertThat(accounts.delete(ANA)).isTrue();
    assertThat(accounts.hasPassword(ANA)).isFalse();
    assertThat(accounts.totpEnabled(ANA)).isFalse();
    assertThat(accounts.recoveryCodesLeft(ANA)).isZero();
    assertThat(accounts.authenticate(ANA_EMAIL, ANA, PASSWORD, null)).isInstanceOf(InvalidCredentials.class);
    assertThat(accounts.hasPassword(BOB)).as("other users are untouched").isTrue();
    assertThat(accounts.delete(ANA)).isFalse();
  }

  @Test
  void theCompositionRootFactoryWiresTheConfiguredParameters() {
    LocalAccounts wired = LocalAccounts.create(LocalAccountsConfig.DEFAULTS, db.jdbi(), new TestSealer(),
        new SecureRandom(), clock);
    wired.setPassword(ANA, ANA_EMAIL, PASSWORD);
    assertThat(storedHash(ANA)).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
    assertThat(wired.authenticate(ANA_EMAIL, ANA, PASSWORD, null)).isInstanceOf(Success.class);
    assertThat(wired.beginTotp(ANA, ANA_EMAIL).provisioningUri()).contains("issuer=Tollgate&");
  }

  // ------------------------------------------------------------ helpers

  private byte[] enrolTotp() {
    accounts.setPassword(ANA, ANA_EMAIL, PASSWORD);
    byte[] key = Base32.decode(accounts.beginTotp(ANA, ANA_EMAIL).secret());
    assertThat(accounts.confirmTotp(ANA, Totp.code(key, step()))).isInstanceOf(TotpConfirmation.Confirmed.class);
    return key;
  }

  private long step() {
    return new Totp(clock).currentStep();
  }

  /** A six-digit code that is not {@code code}. */
  private static String wrong(String code) {
    return Totp.format((Integer.parseInt(code) + 1) % 1_000_000, 6);
  }

  private String storedHash(String userId) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT password_hash FROM local_credentials WHERE user_id = :u")
        .bind("u", userId).mapTo(String.class).one());
  }

  private Map<String, Object> totpRow(String userId) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT * FROM local_totp WHERE user_id = :u")
        .bind("u", userId).mapToMap().one());
  }
}
