package dev.tollgate.access.session;

import java.time.Instant;
import java.util.Optional;

/** Persistence of browser sessions. Every method blocks: call it from a virtual thread. */
public interface SessionStore {

  void insert(Session session, String sourceIp, String userAgent);

  /** The session with this digest unless revoked. */
  Optional<Session> find(String idHash);

  /** Moves last_seen_at forward (never back). */
  void touch(String idHash, Instant seenAt);

  /** Revokes one session; false when there was none live. */
  boolean revoke(String idHash, Instant when);

  /** Deletes sessions that ended (expired or revoked) before {@code before}; returns how many. */
  int purgeEnded(Instant before);

  /** Revokes every live session of a user (disabled, signed out everywhere); returns how many. */
  int revokeAll(String userId, Instant when);
}
