package dev.tollgate.access.local;

/**
 * Argon2id cost parameters. Anything Argon2 itself accepts is allowed here (tests use cheap values);
 * {@link LocalAccountsConfig} enforces the server-grade floor.
 *
 * @param memoryKib memory per hash in KiB
 * @param iterations passes over the memory
 * @param parallelism lanes
 */
public record Argon2Parameters(int memoryKib, int iterations, int parallelism) {
  /** OWASP's first Argon2id recommendation: 19 MiB, 2 passes, 1 lane. */
  public static final Argon2Parameters OWASP = new Argon2Parameters(19 * 1024, 2, 1);

  public Argon2Parameters {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism: " + parallelism + " (expected: >= 1)");
    }
    if (iterations < 1) {
      throw new IllegalArgumentException("iterations: " + iterations + " (expected: >= 1)");
    }
    if (memoryKib < 8 * parallelism) {
      throw new IllegalArgumentException("memory_kib: " + memoryKib + " (expected: >= 8 * parallelism)");
    }
  }
}
