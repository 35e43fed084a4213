package dev.tollgate.access.local;

import java.util.List;

/** The outcome of confirming a TOTP enrolment with a code from the authenticator app. */
public sealed interface TotpConfirmation {
  /** TOTP is now required at login; the recovery codes exist nowhere else and are shown this once. */
  record Confirmed(List<String> recoveryCodes) implements TotpConfirmation {
    public Confirmed {
      recoveryCodes = List.copyOf(recoveryCodes);
    }

    @Override
    public String toString() {
      return "Confirmed[recoveryCodes=" + recoveryCodes.size() + " hidden]";
    }
  }

  /** The code does not match the pending secret now; the enrolment stays pending. */
  record InvalidCode() implements TotpConfirmation {}

  /** Nothing to confirm: no enrolment was begun, or it expired (begin again). */
  record NoPendingEnrolment() implements TotpConfirmation {}
}
