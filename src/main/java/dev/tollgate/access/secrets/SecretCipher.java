package dev.tollgate.access.secrets;

import dev.tollgate.access.secrets.SecretCipherException.Reason;
import dev.tollgate.config.Secret;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM encryption of secrets at rest. The stored form is {@code v1:<key id>:<base64(nonce ||
 * ciphertext || tag)>}: a 96-bit random nonce per encryption (so equal values encrypt differently), a
 * 128-bit tag, and the key id so decryption picks the right key after a rotation. The caller's
 * context (e.g. {@code provider:openai:api_key}) is authenticated as associated data, so a ciphertext
 * copied into another row does not decrypt there.
 *
 * <p>Random nonces are safe for far more encryptions than a gateway makes under one key (NIST SP
 * 800-38D caps random 96-bit nonces at 2^32 per key). Thread-safe: a {@link Cipher} is made per call.
 */
public final class SecretCipher {
  private static final String VERSION = "v1";
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final EncryptionKeys keys;
  private final SecureRandom random;

  public SecretCipher(EncryptionKeys keys, SecureRandom random) {
    this.keys = keys;
    this.random = random;
  }

  /** The id new ciphertexts are written under. */
  public String currentKeyId() {
    return keys.currentId();
  }

  /** Encrypts {@code value} under the current key, bound to {@code context}. */
  public String encrypt(Secret value, String context) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    byte[] plaintext = value.value().getBytes(StandardCharsets.UTF_8);
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.ENCRYPT_MODE, keys.current(), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(plaintext);
      byte[] out = ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
      return VERSION + ":" + keys.currentId() + ":" + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every JDK; encryption failed: " + e.getClass().getName(), e);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /**
   * Decrypts a value written by {@link #encrypt} for the same {@code context}, with the key it names.
   *
   * @throws SecretCipherException when the ciphertext is malformed, its key is not listed, or it does
   *     not authenticate (tampered, moved, or a different key under the same id)
   */
  public Secret decrypt(String stored, String context) {
    Parsed parsed = parse(stored).orElseThrow(() -> new SecretCipherException(Reason.MALFORMED,
        "the stored secret for " + context + " is not a " + VERSION + " ciphertext"));
    SecretKey key = keys.find(parsed.keyId()).orElseThrow(() -> new SecretCipherException(Reason.UNKNOWN_KEY,
        "the stored secret for " + context + " is encrypted under key '" + parsed.keyId() + "', which "
            + EncryptionKeys.ENV + " does not list (it lists " + keys.ids() + ")"));
    byte[] plaintext = null;
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, parsed.sealed(), 0, NONCE_BYTES));
      cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      plaintext = cipher.doFinal(parsed.sealed(), NONCE_BYTES, parsed.sealed().length - NONCE_BYTES);
      return new Secret(StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(plaintext)).toString());
    } catch (AEADBadTagException e) {
      // No cause attached: nothing in it helps, and the fewer details an oracle gives the better.
      throw new SecretCipherException(Reason.NOT_AUTHENTIC, "the stored secret for " + context
          + " does not authenticate under key '" + parsed.keyId() + "': it was altered, copied from another row,"
          + " or that key id now names a different key");
    } catch (CharacterCodingException e) {
      throw new SecretCipherException(Reason.MALFORMED, "the stored secret for " + context + " is not UTF-8 text");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every JDK; decryption failed: " + e.getClass().getName(),
          e);
    } finally {
      if (plaintext != null) {
        Arrays.fill(plaintext, (byte) 0);
      }
    }
  }

  /** The key id a stored ciphertext names, or empty when it is not a ciphertext this build writes. */
  public static Optional<String> keyIdOf(String stored) {
    return parse(stored).map(Parsed::keyId);
  }

  private record Parsed(String keyId, byte[] sealed) {}

  private static Optional<Parsed> parse(String stored) {
    if (stored == null) {
      return Optional.empty();
    }
    String[] parts = stored.split(":", -1);
    if (parts.length != 3 || !parts[0].equals(VERSION) || !EncryptionKeys.validId(parts[1])) {
      return Optional.empty();
    }
    byte[] sealed;
    try {
      sealed = Base64.getDecoder().decode(parts[2]);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    return sealed.length < NONCE_BYTES + TAG_BITS / 8 ? Optional.empty() : Optional.of(new Parsed(parts[1], sealed));
  }
}
