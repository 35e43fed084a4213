package dev.tollgate.access.secrets;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AES-256 keys of {@code TOLLGATE_ENCRYPTION_KEY}: a comma-separated list of {@code id:BASE64} or
 * bare {@code BASE64} entries, each 32 bytes once decoded. The first entry is the current key (it
 * encrypts); the others only decrypt, which is how a rotation proceeds: list the new key first, keep
 * the old one after it, re-encrypt, then drop the old one. A bare key's id is derived from a SHA-256
 * fingerprint of it, so the same key always gets the same id. Immutable and thread-safe.
 *
 * <p>Parse errors say which entry is wrong and why, never what it contained: the text is key material.
 */
public final class EncryptionKeys {
  /** The environment variable the keys come from. */
  public static final String ENV = "TOLLGATE_ENCRYPTION_KEY";
  /** Bytes of an AES-256 key. */
  public static final int KEY_BYTES = 32;
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");
  private static final int DERIVED_ID_HEX = 12;
  private static final byte[] ID_DOMAIN = "tollgate encryption key id\0".getBytes(StandardCharsets.US_ASCII);

  private final String currentId;
  private final Map<String, SecretKey> keys;

  private EncryptionKeys(Map<String, SecretKey> keys) {
    this.keys = keys;
    this.currentId = keys.keySet().iterator().next();
  }

  /**
   * Parses the variable's value.
   *
   * @throws IllegalArgumentException naming the faulty entry (1-based) and the rule it breaks
   */
  public static EncryptionKeys parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("is empty (expected: id:BASE64[,id:BASE64...] or one BASE64 key of "
          + KEY_BYTES + " bytes, e.g. from `openssl rand -base64 32`)");
    }
    Map<String, SecretKey> keys = new LinkedHashMap<>();
    String[] entries = spec.split(",", -1);
    for (int i = 0; i < entries.length; i++) {
      String where = entries.length == 1 ? "" : "entry " + (i + 1) + ": ";
      String entry = entries[i].strip();
      if (entry.isEmpty()) {
        throw new IllegalArgumentException(where + "is empty");
      }
      int colon = entry.indexOf(':');
      String id = colon < 0 ? null : entry.substring(0, colon).strip();
      if (id != null && !ID.matcher(id).matches()) {
        // Not echoed: a mangled entry may hold key material before its colon.
        throw new IllegalArgumentException(where + "the key id must be 1 to 32 of A-Z a-z 0-9 _ -");
      }
      byte[] material = decode(entry.substring(colon + 1).strip(), where);
      try {
        if (id == null) {
          id = derivedId(material);
        }
        if (keys.containsKey(id)) {
          throw new IllegalArgumentException(where + "key id '" + id + "' is listed twice");
        }
        keys.put(id, new SecretKeySpec(material, "AES"));
      } finally {
        Arrays.fill(material, (byte) 0);
      }
    }
    return new EncryptionKeys(keys);
  }

  private static byte[] decode(String base64, String where) {
    byte[] material;
    try {
      // Standard or URL-safe alphabet: both are what key generators print.
      material = base64.indexOf('-') >= 0 || base64.indexOf('_') >= 0
          ? Base64.getUrlDecoder().decode(base64)
          : Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      // The decoder's message quotes the offending character; ours does not.
      throw new IllegalArgumentException(where + "the key is not valid base64");
    }
    if (material.length != KEY_BYTES) {
      int length = material.length;
      Arrays.fill(material, (byte) 0);
      throw new IllegalArgumentException(where + "the key decodes to " + length + " bytes (expected: " + KEY_BYTES
          + ", a 256-bit key, e.g. from `openssl rand -base64 32`)");
    }
    return material;
  }

  /** A stable, non-secret id for a key given without one: hex digits of a domain-separated SHA-256. */
  static String derivedId(byte[] material) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(ID_DOMAIN);
      return HexFormat.of().formatHex(sha.digest(material)).substring(0, DERIVED_ID_HEX);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /** True when {@code id} is a well-formed key id (what a stored ciphertext may name). */
  static boolean validId(String id) {
    return ID.matcher(id).matches();
  }

  /** The id of the key that encrypts. */
  public String currentId() {
    return currentId;
  }

  /** Every id, the current one first. */
  public List<String> ids() {
    return List.copyOf(keys.keySet());
  }

  SecretKey current() {
    return keys.get(currentId);
  }

  Optional<SecretKey> find(String id) {
    return Optional.ofNullable(keys.get(id));
  }

  @Override
  public String toString() {
    return "EncryptionKeys[current=" + currentId + ", ids=" + ids() + "]";
  }
}
