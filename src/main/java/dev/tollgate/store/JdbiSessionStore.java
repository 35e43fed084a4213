package dev.tollgate.store;

import dev.tollgate.access.session.Session;
import dev.tollgate.access.session.SessionStore;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** {@link SessionStore} over SQL that runs unchanged on SQLite and PostgreSQL. */
public final class JdbiSessionStore implements SessionStore {
  private final Jdbi jdbi;

  public JdbiSessionStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  @Override
  public void insert(Session s, String sourceIp, String userAgent) {
    jdbi.useHandle(h -> h.createUpdate("INSERT INTO sessions (id_hash, user_id, csrf_token, method, created_at, "
            + "last_seen_at, expires_at, source_ip, user_agent) VALUES (:id, :user, :csrf, :method, :created, :seen, "
            + ":expires, :ip, :ua)")
        .bind("id", s.idHash()).bind("user", s.userId()).bind("csrf", s.csrfToken()).bind("method", s.method())
        .bind("created", s.createdAt().toEpochMilli()).bind("seen", s.lastSeenAt().toEpochMilli())
        .bind("expires", s.expiresAt().toEpochMilli()).bind("ip", sourceIp).bind("ua", userAgent)
        .execute());
  }

  @Override
  public Optional<Session> find(String idHash) {
    return jdbi.withHandle(h -> h.createQuery("SELECT id_hash, user_id, csrf_token, method, created_at, last_seen_at, "
            + "expires_at FROM sessions WHERE id_hash = :id AND revoked_at IS NULL")
        .bind("id", idHash)
        .map((rs, ctx) -> new Session(rs.getString("id_hash"), rs.getString("user_id"), rs.getString("csrf_token"),
            rs.getString("method"), Instant.ofEpochMilli(rs.getLong("created_at")),
            Instant.ofEpochMilli(rs.getLong("last_seen_at")), Instant.ofEpochMilli(rs.getLong("expires_at"))))
        .findOne());
  }

  @Override
  public void touch(String idHash, Instant seenAt) {
    jdbi.useHandle(h -> h.createUpdate("UPDATE sessions SET last_seen_at = :seen WHERE id_hash = :id "
            + "AND last_seen_at < :seen")
        .bind("id", idHash).bind("seen", seenAt.toEpochMilli()).execute());
  }

  @Override
  public boolean revoke(String idHash, Instant when) {
    return jdbi.withHandle(h -> h.createUpdate("UPDATE sessions SET revoked_at = :when WHERE id_hash = :id "
            + "AND revoked_at IS NULL")
        .bind("id", idHash).bind("when", when.toEpochMilli()).execute()) > 0;
  }

  @Override
  public int purgeEnded(Instant before) {
    return jdbi.withHandle(h -> h.createUpdate("DELETE FROM sessions WHERE expires_at < :before "
            + "OR revoked_at < :before")
        .bind("before", before.toEpochMilli()).execute());
  }

  @Override
  public int revokeAll(String userId, Instant when) {
    return jdbi.withHandle(h -> h.createUpdate("UPDATE sessions SET revoked_at = :when WHERE user_id = :user "
            + "AND revoked_at IS NULL")
        .bind("user", userId).bind("when", when.toEpochMilli()).execute());
  }
}
