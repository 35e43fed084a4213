package dev.tollgate.access.local;

import java.io.ByteArrayOutputStream;

/**
 * RFC 4648 Base32 (the alphabet authenticator apps read). Encodes without padding, as {@code otpauth://}
 * URIs expect; decodes upper or lower case, ignoring spaces, hyphens and trailing padding, since people
 * type these secrets by hand.
 */
public final class Base32 {
  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

  private Base32() {}

  /** Unpadded upper-case Base32 of {@code bytes}. */
  public static String encode(byte[] bytes) {
    StringBuilder out = new StringBuilder((bytes.length * 8 + 4) / 5);
    int buffer = 0;
    int bits = 0;
    for (byte b : bytes) {
      buffer = (buffer << 8) | (b & 0xFF);
      bits += 8;
      while (bits >= 5) {
        out.append(ALPHABET.charAt((buffer >>> (bits - 5)) & 0x1F));
        bits -= 5;
      }
    }
    if (bits > 0) {
      out.append(ALPHABET.charAt((buffer << (5 - bits)) & 0x1F));
    }
    return out.toString();
  }

  /** RFC 4648 padded form, for comparing with the RFC's test vectors and strict consumers. */
  public static String encodePadded(byte[] bytes) {
    String plain = encode(bytes);
    return plain + "=".repeat((8 - plain.length() % 8) % 8);
  }

  /** The bytes of {@code text}; throws {@link IllegalArgumentException} on characters outside the alphabet. */
  public static byte[] decode(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length() * 5 / 8);
    int buffer = 0;
    int bits = 0;
    boolean padding = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == ' ' || c == '-') {
        continue;
      }
      if (c == '=') {
        padding = true;
        continue;
      }
      int value = ALPHABET.indexOf(Character.toUpperCase(c));
      if (value < 0 || padding) {
        // Position only: the text may be a secret.
        throw new IllegalArgumentException("not Base32 at index " + i);
      }
      buffer = (buffer << 5) | value;
      bits += 5;
      if (bits >= 8) {
        out.write((buffer >>> (bits - 8)) & 0xFF);
        bits -= 8;
      }
    }
    return out.toByteArray();
  }
}
