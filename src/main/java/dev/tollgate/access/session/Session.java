package dev.tollgate.access.session;

import java.time.Instant;

/**
 * A signed-in browser, as stored: never the cookie value, only its digest.
 *
 * @param idHash SHA-256 of the cookie value, hex
 * @param csrfToken what state-changing requests made with this session must echo in {@code X-CSRF-Token}
 * @param method how the user signed in: {@code password} or {@code oidc}
 * @param expiresAt the absolute end, whatever the activity
 */
public record Session(String idHash, String userId, String csrfToken, String method, Instant createdAt,
    Instant lastSeenAt, Instant expiresAt) {

  @Override
  public String toString() {
    return "Session[user=" + userId + ", method=" + method + ", expiresAt=" + expiresAt + "]";
  }
}
