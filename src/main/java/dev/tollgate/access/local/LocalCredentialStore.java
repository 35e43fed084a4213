package dev.tollgate.access.local;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The rows of local accounts (migration V6) over SQL that runs unchanged on SQLite and PostgreSQL. Every
 * change that two nodes could race on is a single conditional statement (compare-and-set), so a TOTP step
 * or a recovery code is accepted once however many nodes see it. Blocks: call from a virtual thread.
 */
public final class LocalCredentialStore {
  private final Jdbi jdbi;

  public LocalCredentialStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** A user's TOTP row. Sealed values only; {@code lastStep} is {@code Long.MIN_VALUE} before any use. */
  public record TotpRow(Optional<String> sealedSecret, Optional<Instant> enabledAt, long lastStep,
      Optional<String> sealedPending, Optional<Instant> pendingSince) {

    public boolean enabled() {
      return sealedSecret.isPresent() && enabledAt.isPresent();
    }

    @Override
    public String toString() {
      return "TotpRow[enabled=" + enabled() + ", lastStep=" + lastStep + ", pending=" + sealedPending.isPresent() + "]";
    }
  }

  /** Login failures recorded for one subject. */
  public record ThrottleRow(int failures, Instant lastFailureAt, Optional<Instant> lockedUntil) {}

  // ------------------------------------------------------------ passwords

  public Optional<String> passwordHash(String userId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT password_hash FROM local_credentials WHERE user_id = :u")
        .bind("u", userId)
        .mapTo(String.class)
        .findOne());
  }

  /** Sets or replaces the user's password hash. */
  public void putPassword(String userId, String hash, Instant now) {
    jdbi.useHandle(h -> h.createUpdate("INSERT INTO local_credentials (user_id, password_hash, updated_at) "
            + "VALUES (:u, :hash, :now) ON CONFLICT (user_id) DO UPDATE SET "
            + "password_hash = excluded.password_hash, updated_at = excluded.updated_at")
        .bind("u", userId)
        .bind("hash", hash)
        .bind("now", now.toEpochMilli())
        .execute());
  }

  /** Replaces the hash only if it is still {@code expected} (a rehash must not undo a concurrent change). */
  public boolean replacePassword(String userId, String expected, String hash, Instant now) {
    return jdbi.withHandle(h -> h.createUpdate("UPDATE local_credentials SET password_hash = :hash, updated_at = :now "
            + "WHERE user_id = :u AND password_hash = :expected")
        .bind("u", userId)
        .bind("expected", expected)
        .bind("hash", hash)
        .bind("now", now.toEpochMilli())
        .execute()) == 1;
  }

  /** Forgets every local credential of the user (password, TOTP, recovery codes); true if any existed. */
  public boolean deleteUser(String userId) {
    return jdbi.inTransaction(h -> {
      int rows = 0;
      for (String table : List.of("local_credentials", "local_totp", "local_recovery_codes")) {
        rows += h.createUpdate("DELETE FROM " + table + " WHERE user_id = :u").bind("u", userId).execute();
      }
      return rows > 0;
    });
  }

  // ------------------------------------------------------------ TOTP

  public Optional<TotpRow> totp(String userId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT secret, enabled_at, last_step, pending_secret, pending_since "
            + "FROM local_totp WHERE user_id = :u")
        .bind("u", userId)
        .map((rs, ctx) -> new TotpRow(
            Optional.ofNullable(rs.getString("secret")),
            instant(rs, "enabled_at"),
            longOr(rs, "last_step", Long.MIN_VALUE),
            Optional.ofNullable(rs.getString("pending_secret")),
            instant(rs, "pending_since")))
        .findOne());
  }

  /** Records a pending enrolment, replacing an earlier pending one; an enabled secret stays in force. */
  public void beginTotp(String userId, String sealedPending, Instant now) {
    jdbi.useHandle(h -> h.createUpdate("INSERT INTO local_totp (user_id, pending_secret, pending_since) "
            + "VALUES (:u, :pending, :now) ON CONFLICT (user_id) DO UPDATE SET "
            + "pending_secret = excluded.pending_secret, pending_since = excluded.pending_since")
        .bind("u", userId)
        .bind("pending", sealedPending)
        .bind("now", now.toEpochMilli())
        .execute());
  }

  /**
   * Promotes the pending secret to the enabled one, if it is still {@code sealedPending}, with
   * {@code step} (the confirming code's) as the last used step.
   */
  public boolean confirmTotp(String userId, String sealedPending, long step, Instant now) {
    return jdbi.withHandle(h -> h.createUpdate("UPDATE local_totp SET secret = pending_secret, enabled_at = :now, "
            + "last_step = :step, pending_secret = NULL, pending_since = NULL "
            + "WHERE user_id = :u AND pending_secret = :pending")
        .bind("u", userId)
        .bind("pending", sealedPending)
        .bind("step", step)
        .bind("now", now.toEpochMilli())
        .execute()) == 1;
  }

  /** Moves the last used step forward to {@code step}; false when it already is there or beyond (a replay). */
  public boolean advanceTotpStep(String userId, long step) {
    return jdbi.withHandle(h -> h.createUpdate("UPDATE local_totp SET last_step = :step "
            + "WHERE user_id = :u AND secret IS NOT NULL AND (last_step IS NULL OR last_step < :step)")
        .bind("u", userId)
        .bind("step", step)
        .execute()) == 1;
  }

  /** Removes TOTP (enabled and pending) and every recovery code; true if TOTP existed. */
  /** Every stored TOTP secret, sealed: user id -> (secret, pending secret), either may be null. */
  public java.util.Map<String, String[]> sealedTotpSecrets() {
    java.util.Map<String, String[]> out = new java.util.LinkedHashMap<>();
    jdbi.useHandle(h -> h.createQuery("SELECT user_id, secret, pending_secret FROM local_totp ORDER BY user_id")
        .map((rs, ctx) -> out.put(rs.getString("user_id"),
            new String[] {rs.getString("secret"), rs.getString("pending_secret")}))
        .list());
    return out;
  }

  /** Replaces a user's sealed secrets if they are still the ones read; false when they changed meanwhile. */
  public boolean resealTotp(String userId, String[] expected, String[] resealed) {
    return jdbi.withHandle(h -> h.createUpdate("UPDATE local_totp SET secret = :secret, pending_secret = :pending "
            + "WHERE user_id = :user AND " + nullSafe("secret", "oldSecret") + " AND "
            + nullSafe("pending_secret", "oldPending"))
        .bind("user", userId).bind("secret", resealed[0]).bind("pending", resealed[1])
        .bind("oldSecret", expected[0]).bind("oldPending", expected[1])
        .execute()) > 0;
  }

  private static String nullSafe(String column, String param) {
    return "((" + column + " IS NULL AND :" + param + " IS NULL) OR " + column + " = :" + param + ")";
  }

  public boolean deleteTotp(String userId) {
    return jdbi.inTransaction(h -> {
      h.createUpdate("DELETE FROM local_recovery_codes WHERE user_id = :u").bind("u", userId).execute();
      return h.createUpdate("DELETE FROM local_totp WHERE user_id = :u").bind("u", userId).execute() > 0;
    });
  }

  // ------------------------------------------------------------ recovery codes

  /** Replaces all of the user's recovery codes with {@code hashes}, atomically. */
  public void replaceRecoveryCodes(String userId, List<String> hashes, Instant now) {
    jdbi.useTransaction(h -> {
      h.createUpdate("DELETE FROM local_recovery_codes WHERE user_id = :u").bind("u", userId).execute();
      PreparedBatch batch = h.prepareBatch(
          "INSERT INTO local_recovery_codes (user_id, code_hash, created_at) VALUES (:u, :hash, :now)");
      for (String hash : hashes) {
        batch.bind("u", userId).bind("hash", hash).bind("now", now.toEpochMilli()).add();
      }
      batch.execute();
    });
  }

  /** Marks the code used if it is the user's and unused; true exactly once per code. */
  public boolean useRecoveryCode(String userId, String hash, Instant now) {
    return jdbi.withHandle(h -> h.createUpdate("UPDATE local_recovery_codes SET used_at = :now "
            + "WHERE user_id = :u AND code_hash = :hash AND used_at IS NULL")
        .bind("u", userId)
        .bind("hash", hash)
        .bind("now", now.toEpochMilli())
        .execute()) == 1;
  }

  public int unusedRecoveryCodes(String userId) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT COUNT(*) FROM local_recovery_codes WHERE user_id = :u AND used_at IS NULL")
        .bind("u", userId)
        .mapTo(Integer.class)
        .one());
  }

  // ------------------------------------------------------------ login throttle

  public Optional<ThrottleRow> throttle(String subject) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT failures, last_failure_at, locked_until FROM local_login_throttle WHERE subject = :s")
        .bind("s", subject)
        .map((rs, ctx) -> new ThrottleRow(rs.getInt("failures"), Instant.ofEpochMilli(rs.getLong("last_failure_at")),
            instant(rs, "locked_until")))
        .findOne());
  }

  /**
   * Counts one more failure in a single statement (concurrent failures on several nodes all count) and
   * returns the new count; a last failure before {@code forgetBefore} restarts the count at one.
   */
  public int recordFailure(String subject, Instant now, Instant forgetBefore) {
    return jdbi.withHandle(h -> h.createQuery("INSERT INTO local_login_throttle (subject, failures, last_failure_at) "
            + "VALUES (:s, 1, :now) ON CONFLICT (subject) DO UPDATE SET "
            + "failures = CASE WHEN local_login_throttle.last_failure_at < :forget THEN 1 "
            + "ELSE local_login_throttle.failures + 1 END, "
            + "last_failure_at = excluded.last_failure_at "
            + "RETURNING failures")
        .bind("s", subject)
        .bind("now", now.toEpochMilli())
        .bind("forget", forgetBefore.toEpochMilli())
        .mapTo(Integer.class)
        .one());
  }

  /** Locks the subject until {@code until}, unless a concurrent failure already locked it for longer. */
  public void lockUntil(String subject, Instant until) {
    jdbi.useHandle(h -> h.createUpdate("UPDATE local_login_throttle SET locked_until = "
            + "CASE WHEN locked_until IS NULL OR locked_until < :until THEN :until ELSE locked_until END "
            + "WHERE subject = :s")
        .bind("s", subject)
        .bind("until", until.toEpochMilli())
        .execute());
  }

  public void clearThrottle(String subject) {
    jdbi.useHandle(h -> h.createUpdate("DELETE FROM local_login_throttle WHERE subject = :s")
        .bind("s", subject)
        .execute());
  }

  /** Deletes rows whose last failure is before {@code before} and that are not locked at {@code now}. */
  public int purgeThrottle(Instant before, Instant now) {
    return jdbi.withHandle(h -> h.createUpdate("DELETE FROM local_login_throttle WHERE last_failure_at < :before "
            + "AND (locked_until IS NULL OR locked_until <= :now)")
        .bind("before", before.toEpochMilli())
        .bind("now", now.toEpochMilli())
        .execute());
  }

  private static Optional<Instant> instant(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(v));
  }

  private static long longOr(ResultSet rs, String column, long absent) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? absent : v;
  }
}
