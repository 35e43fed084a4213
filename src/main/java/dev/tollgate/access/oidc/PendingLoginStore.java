package dev.tollgate.access.oidc;

import java.time.Instant;
import java.util.Optional;

/** Where started sign-ins wait for the provider's callback. Blocking; shared by every node. */
public interface PendingLoginStore {
  void insert(PendingLogin login);

  /**
   * Removes and returns the pending login with this state digest, atomically: of two concurrent
   * callbacks with the same state (on any nodes) exactly one gets it, which makes the state single-use.
   * Returns expired rows too, so the caller can say "expired" rather than "unknown".
   */
  Optional<PendingLogin> take(String stateHash);

  /** Deletes every login that expired at or before {@code now}; returns how many. */
  int purgeExpired(Instant now);
}
