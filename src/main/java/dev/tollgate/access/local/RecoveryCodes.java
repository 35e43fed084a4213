package dev.tollgate.access.local;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Makes recovery codes ({@code xxxx-xxxx-xxxx-xxxx}, 16 Base32 characters, 80 random bits) and digests
 * presented ones. The codes are random, not chosen by people, so a plain SHA-256 digest is enough to
 * store them: there is no dictionary to try. Thread-safe.
 */
public final class RecoveryCodes {
  /** How many codes a user holds after enrolment or regeneration. */
  public static final int COUNT = 10;
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
  private static final int GROUPS = 4;
  private static final int GROUP_LENGTH = 4;

  private final SecureRandom random;

  public RecoveryCodes(SecureRandom random) {
    this.random = random;
  }

  /** {@link #COUNT} fresh, distinct codes, to be shown once. */
  public List<String> generate() {
    List<String> codes = new ArrayList<>(COUNT);
    while (codes.size() < COUNT) {
      String code = one();
      if (!codes.contains(code)) {
        codes.add(code);
      }
    }
    return List.copyOf(codes);
  }

  private String one() {
    StringBuilder sb = new StringBuilder(GROUPS * (GROUP_LENGTH + 1));
    for (int g = 0; g < GROUPS; g++) {
      if (g > 0) {
        sb.append('-');
      }
      for (int i = 0; i < GROUP_LENGTH; i++) {
        sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
      }
    }
    return sb.toString();
  }

  /**
   * Hex SHA-256 of the code as typed, normalised: case, hyphens and whitespace do not matter, so
   * {@code ABCD EFGH ...} and {@code abcd-efgh-...} are the same code.
   */
  public static String digest(String code) {
    StringBuilder normal = new StringBuilder(code.length());
    code.toLowerCase(Locale.ROOT).codePoints()
        .filter(c -> c != '-' && !Character.isWhitespace(c))
        .forEach(normal::appendCodePoint);
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(normal.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
