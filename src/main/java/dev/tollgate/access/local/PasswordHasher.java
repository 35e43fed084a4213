package dev.tollgate.access.local;

import com.password4j.Argon2Function;
import com.password4j.types.Argon2;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Argon2id password hashing (password4j), stored as PHC strings that carry their own parameters, so
 * old hashes still verify after the parameters change and {@link #needsRehash} tells when to upgrade
 * them. Passwords are NFKC-normalised first, so the same password typed on two keyboards (composed or
 * decomposed accents) hashes the same. Every call costs one full Argon2 computation: run it on a
 * virtual thread, never on an event loop. Thread-safe.
 */
public final class PasswordHasher {
  /** Longest password accepted, in UTF-8 bytes after normalisation: bounds the cost of one attempt. */
  public static final int MAX_BYTES = 256;
  private static final int SALT_BYTES = 16;
  private static final int OUTPUT_BYTES = 32;

  private final Argon2Parameters parameters;
  private final Argon2Function argon2;
  private final SecureRandom random;
  private final String dummyHash;
  private final AtomicLong computations = new AtomicLong();

  public PasswordHasher(Argon2Parameters parameters, SecureRandom random) {
    this.parameters = parameters;
    this.argon2 = Argon2Function.getInstance(parameters.memoryKib(), parameters.iterations(), parameters.parallelism(),
        OUTPUT_BYTES, Argon2.ID, Argon2Function.ARGON2_VERSION_13);
    this.random = random;
    byte[] noise = new byte[24];
    random.nextBytes(noise);
    // A hash of nothing anyone knows, with the current parameters: verifying against it costs what a
    // real verification costs.
    this.dummyHash = hash(Base32.encode(noise));
    computations.set(0);
  }

  /** The PHC string to store for {@code password}; throws if it is longer than {@link #MAX_BYTES}. */
  public String hash(String password) {
    if (password == null) {
      throw new IllegalArgumentException("password is null");
    }
    byte[] bytes = encode(password);
    if (bytes.length > MAX_BYTES) {
      throw new IllegalArgumentException("password longer than " + MAX_BYTES + " bytes");
    }
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    computations.incrementAndGet();
    return argon2.hash(bytes, salt).getResult();
  }

  /**
   * True when {@code password} matches {@code phc}, compared in constant time, with the parameters
   * written in {@code phc}. A malformed or non-Argon2id hash, or an over-long password, is false.
   */
  public boolean verify(String password, String phc) {
    if (password == null || phc == null || !phc.startsWith("$argon2id$")) {
      return false;
    }
    byte[] bytes = encode(password);
    if (bytes.length > MAX_BYTES) {
      return false;
    }
    Argon2Function stored;
    try {
      stored = Argon2Function.getInstanceFromHash(phc);
    } catch (RuntimeException malformed) {
      return false;
    }
    computations.incrementAndGet();
    try {
      return stored.check(bytes, phc.getBytes(StandardCharsets.UTF_8));
    } catch (RuntimeException malformed) {
      return false;
    }
  }

  /**
   * Spends the time of one verification and returns false: called when there is no hash to check
   * against (unknown user, no local password), so the answer takes as long as a wrong password.
   */
  public boolean verifyNothing(String password) {
    verify(password == null ? "" : password, dummyHash);
    return false;
  }

  /** True when {@code phc} was made with other parameters (or is not Argon2id): hash the password again. */
  public boolean needsRehash(String phc) {
    if (phc == null || !phc.startsWith("$argon2id$")) {
      return true;
    }
    try {
      Argon2Function stored = Argon2Function.getInstanceFromHash(phc);
      return stored.getMemory() != parameters.memoryKib()
          || stored.getIterations() != parameters.iterations()
          || stored.getParallelism() != parameters.parallelism()
          || stored.getOutputLength() != OUTPUT_BYTES
          || stored.getVersion() != Argon2Function.ARGON2_VERSION_13;
    } catch (RuntimeException malformed) {
      return true;
    }
  }

  public Argon2Parameters parameters() {
    return parameters;
  }

  /** Argon2 computations done so far (the constructor's own excluded): a counter for metrics and tests. */
  public long computations() {
    return computations.get();
  }

  /** The bytes that are hashed: NFKC-normalised UTF-8. */
  static byte[] encode(String password) {
    return Normalizer.normalize(password, Normalizer.Form.NFKC).getBytes(StandardCharsets.UTF_8);
  }
}
