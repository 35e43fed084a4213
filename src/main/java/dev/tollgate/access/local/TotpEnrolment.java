package dev.tollgate.access.local;

/**
 * A begun TOTP enrolment, to show once: the Base32 secret for typing and the {@code otpauth://} URI for a
 * QR code. Not in force until confirmed with a code. {@link #toString} hides both, as both hold the secret.
 */
public record TotpEnrolment(String secret, String provisioningUri) {
  @Override
  public String toString() {
    return "TotpEnrolment[secret=***, provisioningUri=***]";
  }
}
