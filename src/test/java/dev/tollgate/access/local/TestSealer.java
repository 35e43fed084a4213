package dev.tollgate.access.local;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A reversible stand-in for the AES-GCM sealer: XOR with a context-derived pad, Base64, and the context
 * kept alongside so opening under another context fails as real associated data would. Not encryption.
 */
final class TestSealer implements SecretSealer {
  @Override
  public String seal(String plaintext, String context) {
    return "sealed:" + Integer.toHexString(context.hashCode()) + ":"
        + Base64.getEncoder().encodeToString(xor(plaintext.getBytes(StandardCharsets.UTF_8), context));
  }

  @Override
  public String open(String sealed, String context) {
    String prefix = "sealed:" + Integer.toHexString(context.hashCode()) + ":";
    if (!sealed.startsWith(prefix)) {
      throw new IllegalArgumentException("sealed under another context");
    }
    return new String(xor(Base64.getDecoder().decode(sealed.substring(prefix.length())), context),
        StandardCharsets.UTF_8);
  }

  private static byte[] xor(byte[] data, String context) {
    byte[] pad = context.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[data.length];
    for (int i = 0; i < data.length; i++) {
      out[i] = (byte) (data[i] ^ pad[i % pad.length] ^ 0x5A);
    }
    return out;
  }
}
