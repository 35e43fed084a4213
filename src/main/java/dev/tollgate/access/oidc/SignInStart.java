package dev.tollgate.access.oidc;

import java.net.URI;

/** The result of starting a sign-in: where to send the browser, or why not. */
public sealed interface SignInStart {
  /** Redirect the browser (302) here: the provider's authorization endpoint with state, nonce and PKCE. */
  record Redirect(URI authorizationUrl) implements SignInStart {}

  record Refused(SignInFailure failure) implements SignInStart {}
}
