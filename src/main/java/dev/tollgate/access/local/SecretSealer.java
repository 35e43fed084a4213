package dev.tollgate.access.local;

/**
 * Encrypts secrets that must be read back (TOTP keys) before they reach the database. The context is
 * bound to the ciphertext (AES-GCM associated data in production), so a sealed value copied to another
 * user's row does not open there. Implementations must be thread-safe and must not log either argument.
 */
public interface SecretSealer {
  /** The sealed form of {@code plaintext}, safe to store. */
  String seal(String plaintext, String context);

  /** The plaintext; throws if {@code sealed} was altered or sealed under another context. */
  String open(String sealed, String context);
}
