package dev.tollgate.access.secrets;

/**
 * A stored secret cannot be decrypted. Decryption fails closed: there is no partial or best-effort
 * result. The message names the ciphertext's context and key id, never its content or the value.
 */
public final class SecretCipherException extends RuntimeException {
  /** Why decryption failed. */
  public enum Reason {
    /** Not a ciphertext this build writes (wrong version, shape or base64). */
    MALFORMED,
    /** Encrypted under a key id that {@code TOLLGATE_ENCRYPTION_KEY} does not list. */
    UNKNOWN_KEY,
    /**
     * The key is known but the ciphertext does not authenticate: tampered, moved from another row, or a
     * different key under the same id.
     */
    NOT_AUTHENTIC
  }

  private final Reason reason;

  SecretCipherException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
