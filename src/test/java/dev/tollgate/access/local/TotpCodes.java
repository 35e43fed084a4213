package dev.tollgate.access.local;

/** What an authenticator app shows now for a Base32 secret, for tests outside this package. */
public final class TotpCodes {
  private TotpCodes() {}

  public static String now(String base32Secret) {
    return Totp.code(Base32.decode(base32Secret), Math.floorDiv(System.currentTimeMillis(), 30_000L));
  }
}
