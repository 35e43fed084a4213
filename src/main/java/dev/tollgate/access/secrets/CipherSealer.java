package dev.tollgate.access.secrets;

import dev.tollgate.access.local.SecretSealer;
import dev.tollgate.config.Secret;
import dev.tollgate.server.ApiError;
import java.util.Optional;

/**
 * Seals local-account secrets (TOTP keys) with AES-256-GCM under {@code TOLLGATE_ENCRYPTION_KEY}, the
 * context as associated data. Without an encryption key there is nothing safe to seal with, so
 * enrolling a second factor is refused with a message saying what to configure.
 */
public final class CipherSealer implements SecretSealer {
  private final Optional<SecretCipher> cipher;

  public CipherSealer(Optional<SecretCipher> cipher) {
    this.cipher = cipher;
  }

  @Override
  public String seal(String plaintext, String context) {
    return cipher().encrypt(new Secret(plaintext), context);
  }

  @Override
  public String open(String sealed, String context) {
    return cipher().decrypt(sealed, context).value();
  }

  private SecretCipher cipher() {
    return cipher.orElseThrow(() -> new ApiError(503, "server_error", "encryption_key_missing",
        "two-factor secrets are stored encrypted: set TOLLGATE_ENCRYPTION_KEY (secrets.encryption_key) first")
        .exception());
  }
}
