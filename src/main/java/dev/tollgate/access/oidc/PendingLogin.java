package dev.tollgate.access.oidc;

import java.time.Instant;

/**
 * A sign-in that was started and has not come back yet, as stored (so any node can finish it). State
 * and nonce are stored as SHA-256 digests: the database alone cannot complete or forge a sign-in. The
 * PKCE verifier must be stored as is (the token endpoint wants it), which is safe enough because it is
 * useless without the authorization code, lives for minutes, and is deleted on first use.
 *
 * @param stateHash hex SHA-256 of the state sent to the provider; the key
 * @param nonceHash hex SHA-256 of the nonce the ID token must carry
 * @param returnTo the validated relative path to land on afterwards
 */
public record PendingLogin(String stateHash, String nonceHash, String codeVerifier, String returnTo,
    Instant createdAt, Instant expiresAt) {
  public boolean expiredAt(Instant now) {
    return !now.isBefore(expiresAt);
  }

  @Override
  public String toString() {
    return "PendingLogin[stateHash=" + stateHash + ", returnTo=" + returnTo + ", createdAt=" + createdAt
        + ", expiresAt=" + expiresAt + "]";
  }
}
