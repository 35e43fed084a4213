package dev.tollgate.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Makes new key secrets ({@code tg-} + 43 base62 characters, 256 bits) and digests presented ones. */
public final class KeySecrets {
  private static final String PREFIX = "tg-";
  private static final char[] BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
  private static final int SECRET_CHARS = 43; // 62^43 > 2^256
  /** Characters of the secret kept in clear for display. */
  public static final int DISPLAY_PREFIX = 8;

  private final SecureRandom random;

  public KeySecrets(SecureRandom random) {
    this.random = random;
  }

  public String newSecret() {
    StringBuilder sb = new StringBuilder(PREFIX.length() + SECRET_CHARS).append(PREFIX);
    for (int i = 0; i < SECRET_CHARS; i++) {
      sb.append(BASE62[random.nextInt(BASE62.length)]);
    }
    return sb.toString();
  }

  /** Hex SHA-256 of the secret: what is stored and looked up. */
  public static String digest(String secret) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  public static String displayPrefix(String secret) {
    return secret.substring(0, Math.min(DISPLAY_PREFIX, secret.length()));
  }
}
