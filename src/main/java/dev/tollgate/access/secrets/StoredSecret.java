package dev.tollgate.access.secrets;

/** A row of {@code provider_secrets}: the metadata and the ciphertext (never a plaintext). */
public record StoredSecret(SecretInfo info, String ciphertext) {

  /** The associated data that binds a ciphertext to its row. */
  static String context(String provider, SecretField field) {
    return "provider:" + provider + ":" + field.wireName();
  }

  String context() {
    return context(info.provider(), info.field());
  }
}
