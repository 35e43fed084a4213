package dev.tollgate.store;

import dev.tollgate.access.oidc.PendingLogin;
import dev.tollgate.access.oidc.PendingLoginStore;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** {@link PendingLoginStore} over SQL that runs unchanged on SQLite and PostgreSQL. */
public final class JdbiPendingLoginStore implements PendingLoginStore {
  private final Jdbi jdbi;

  public JdbiPendingLoginStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  @Override
  public void insert(PendingLogin login) {
    jdbi.useHandle(h -> h.createUpdate("INSERT INTO oidc_pending_logins "
            + "(state_hash, nonce_hash, code_verifier, return_to, created_at, expires_at) "
            + "VALUES (:state, :nonce, :verifier, :returnTo, :created, :expires)")
        .bind("state", login.stateHash())
        .bind("nonce", login.nonceHash())
        .bind("verifier", login.codeVerifier())
        .bind("returnTo", login.returnTo())
        .bind("created", login.createdAt().toEpochMilli())
        .bind("expires", login.expiresAt().toEpochMilli())
        .execute());
  }

  @Override
  public Optional<PendingLogin> take(String stateHash) {
    // DELETE ... RETURNING is one atomic statement on both databases (SQLite >= 3.35), so two callbacks
    // racing with the same state cannot both read the row before either deletes it.
    return jdbi.withHandle(h -> h.createQuery("DELETE FROM oidc_pending_logins WHERE state_hash = :state "
            + "RETURNING state_hash, nonce_hash, code_verifier, return_to, created_at, expires_at")
        .bind("state", stateHash)
        .map((rs, ctx) -> new PendingLogin(
            rs.getString("state_hash"),
            rs.getString("nonce_hash"),
            rs.getString("code_verifier"),
            rs.getString("return_to"),
            Instant.ofEpochMilli(rs.getLong("created_at")),
            Instant.ofEpochMilli(rs.getLong("expires_at"))))
        .findOne());
  }

  @Override
  public int purgeExpired(Instant now) {
    return jdbi.withHandle(h -> h.createUpdate("DELETE FROM oidc_pending_logins WHERE expires_at <= :now")
        .bind("now", now.toEpochMilli())
        .execute());
  }
}
