package dev.tollgate.access.local;

/** What an authenticator app shows now for a Base32 secret, for tests outside this package. */
public final class TotpCodes {
  private TotpCodes() {}

  public static String now(String base32Secret) {
    return at(base32Secret, 0);
  }

  /** The code {@code steps} 30-second steps from now (the login window accepts one step either side). */
  public static String at(String base32Secret, int steps) {
    return Totp.code(Base32.decode(base32Secret), Math.floorDiv(System.currentTimeMillis(), 30_000L) + steps);
  }
}
