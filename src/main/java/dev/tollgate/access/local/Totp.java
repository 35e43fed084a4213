package dev.tollgate.access.local;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.OptionalLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP): HMAC-SHA1, 6 digits, 30 s steps, and one
 * step of tolerance either side for clock skew and typing time; the parameters every authenticator app
 * defaults to. Replay protection is the caller's: {@link #match} only accepts steps after the last one
 * used, and the store advances that step atomically. Thread-safe.
 */
public final class Totp {
  static final int DIGITS = 6;
  static final long PERIOD_SECONDS = 30;
  static final int WINDOW = 1;
  private static final int SECRET_BYTES = 20; // 160 bits, the length RFC 4226 recommends
  private static final int[] POWERS = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};

  private final Clock clock;

  public Totp(Clock clock) {
    this.clock = clock;
  }

  /** A fresh 160-bit secret, Base32-encoded as authenticator apps take it. */
  public static String newSecret(SecureRandom random) {
    byte[] key = new byte[SECRET_BYTES];
    random.nextBytes(key);
    return Base32.encode(key);
  }

  /** The 30 s step the clock is in now. */
  public long currentStep() {
    return Math.floorDiv(clock.millis(), PERIOD_SECONDS * 1000);
  }

  /** The 6-digit code of {@code step}. */
  public static String code(byte[] key, long step) {
    return format(hotp(key, step, DIGITS), DIGITS);
  }

  /**
   * The step within the window around now whose code is {@code presented} and which comes after
   * {@code lastUsedStep}; empty when there is none. Spaces in the presented code are ignored.
   */
  public OptionalLong match(byte[] key, String presented, long lastUsedStep) {
    if (presented == null) {
      return OptionalLong.empty();
    }
    String code = presented.replace(" ", "");
    if (!isCodeShaped(code)) {
      return OptionalLong.empty();
    }
    byte[] given = code.getBytes(StandardCharsets.US_ASCII);
    long now = currentStep();
    OptionalLong found = OptionalLong.empty();
    // Every step in the window is computed and compared in constant time, so timing says nothing about
    // which step (if any) matched.
    for (long step = now - WINDOW; step <= now + WINDOW; step++) {
      boolean equal = MessageDigest.isEqual(given, code(key, step).getBytes(StandardCharsets.US_ASCII));
      if (equal && step > lastUsedStep && found.isEmpty()) {
        found = OptionalLong.of(step);
      }
    }
    return found;
  }

  /** True for exactly six ASCII digits: how a TOTP code is told apart from a recovery code. */
  public static boolean isCodeShaped(String code) {
    if (code.length() != DIGITS) {
      return false;
    }
    for (int i = 0; i < code.length(); i++) {
      char c = code.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /**
   * The {@code otpauth://totp/} URI authenticator apps scan (the Key Uri Format of Google Authenticator,
   * which the other apps follow): label {@code issuer:account}, and the parameters spelled out.
   */
  public static String provisioningUri(String issuer, String account, String base32Secret) {
    return "otpauth://totp/" + encode(issuer) + ":" + encode(account)
        + "?secret=" + base32Secret
        + "&issuer=" + encode(issuer)
        + "&algorithm=SHA1&digits=" + DIGITS + "&period=" + PERIOD_SECONDS;
  }

  /** RFC 4226 HOTP with dynamic truncation; package-private so tests can check the RFC's 8-digit vectors. */
  static int hotp(byte[] key, long counter, int digits) {
    byte[] message = new byte[8];
    for (int i = 7; i >= 0; i--) {
      message[i] = (byte) counter;
      counter >>>= 8;
    }
    byte[] mac;
    try {
      Mac hmac = Mac.getInstance("HmacSHA1");
      hmac.init(new SecretKeySpec(key, "HmacSHA1"));
      mac = hmac.doFinal(message);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is part of every JDK", e);
    }
    int offset = mac[mac.length - 1] & 0x0F;
    int binary = ((mac[offset] & 0x7F) << 24) | ((mac[offset + 1] & 0xFF) << 16)
        | ((mac[offset + 2] & 0xFF) << 8) | (mac[offset + 3] & 0xFF);
    return binary % POWERS[digits];
  }

  static String format(int value, int digits) {
    String s = Integer.toString(value);
    return "0".repeat(digits - s.length()) + s;
  }

  private static String encode(String s) {
    // URLEncoder writes form encoding; a URI path and query want %20 for a space.
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
