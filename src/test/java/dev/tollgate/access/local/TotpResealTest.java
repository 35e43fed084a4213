package dev.tollgate.access.local;

import dev.tollgate.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.access.secrets.CipherSealer;
import dev.tollgate.access.secrets.EncryptionKeys;
import dev.tollgate.access.secrets.SecretCipher;
import dev.tollgate.store.Database;
import dev.tollgate.testing.TestDatabases;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** After an encryption key rotation, two-factor secrets are sealed again under the new key and the old one can go. */
class TotpResealTest {
  private static final String K1 = "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
  private static final String K2 = "k2:ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";
  private static final String USER = "0195a6c0-0000-7000-8000-000000000009";
  private static final String PASSWORD = "a long enough passphrase";

  @TempDir
  Path dir;

  private static LocalAccounts accounts(Database db, String keys, ManualClock clock) {
    SecretCipher cipher = new SecretCipher(EncryptionKeys.parse(keys), new SecureRandom());
    return LocalAccounts.create(LocalAccountsConfig.DEFAULTS, db.jdbi(), new CipherSealer(Optional.of(cipher)),
        new SecureRandom(), clock);
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void resealingMovesEverySecretToTheCurrentKey(TestDatabases.Kind kind) {
    try (Database db = TestDatabases.open(kind, dir)) {
      ManualClock clock = new ManualClock(Instant.parse("2026-11-26T10:00:00Z"));
      LocalAccounts old = accounts(db, K1, clock);
      old.setPassword(USER, "ada@example.com", PASSWORD);
      String secret = old.beginTotp(USER, "ada@example.com").secret();
      byte[] key = Base32.decode(secret);
      long step = Math.floorDiv(clock.millis(), 30_000L);
      assertThat(old.confirmTotp(USER, Totp.code(key, step))).isInstanceOf(TotpConfirmation.Confirmed.class);

      LocalAccounts rotated = accounts(db, K2 + "," + K1, clock);
      assertThat(rotated.resealTotpSecrets()).isEqualTo(1);
      assertThat(rotated.resealTotpSecrets()).as("again: still one row, under k2 already").isEqualTo(1);

      LocalAccounts onlyNew = accounts(db, K2, clock);
      clock.advance(java.time.Duration.ofSeconds(30));
      assertThat(onlyNew.authenticate("ada@example.com", USER, PASSWORD, Totp.code(key, step + 1)))
          .isInstanceOf(LoginResult.Success.class);
      LocalAccounts onlyOld = accounts(db, K1, clock);
      assertThatThrownBy(() -> onlyOld.authenticate("ada@example.com", USER, PASSWORD, Totp.code(key, step + 2)))
          .as("the old key alone no longer opens it").isInstanceOf(RuntimeException.class);
    }
  }
}
