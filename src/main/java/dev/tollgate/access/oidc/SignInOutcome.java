package dev.tollgate.access.oidc;

/** The result of the provider's callback. */
public sealed interface SignInOutcome {
  /** Signed in; {@code returnTo} is the validated relative path the sign-in was started for. */
  record SignedIn(VerifiedIdentity identity, String returnTo) implements SignInOutcome {}

  record Refused(SignInFailure failure) implements SignInOutcome {}
}
