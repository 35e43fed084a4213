package dev.tollgate.access.secrets;

import java.util.Base64;
import java.util.Random;

/** Deterministic key material for tests: the same seed gives the same key. */
final class Keys {
  private Keys() {}

  static byte[] bytes(long seed, int length) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    return b;
  }

  static String b64(long seed) {
    return Base64.getEncoder().encodeToString(bytes(seed, EncryptionKeys.KEY_BYTES));
  }

  static EncryptionKeys keys(String spec) {
    return EncryptionKeys.parse(spec);
  }
}
