package dev.tollgate.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.store.Database;
import dev.tollgate.store.IdGenerator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.concurrent.locks.ReentrantLock;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * Appends entries to the tamper-evident audit log: each entry carries the hash of the one before, so
 * changing, deleting, inserting or reordering any stored entry breaks the chain at that entry
 * ({@link AuditVerifier} finds it). Blocks on the database: call from a virtual thread.
 *
 * <h2>Hash format (version 1), for outside verifiers</h2>
 * {@code hash} is the lower-case hex SHA-256 of the UTF-8 bytes of the RFC 8785 (JCS) canonical JSON of
 * this object, built from the stored row (keys sorted, no whitespace, minimal string escaping; every value
 * is a string, an integer or {@code null}, so JCS and {@link CanonicalJson} agree):
 * <pre>
 * {"action":s,"actor_display":s|null,"actor_id":s|null,"actor_type":s,"after":s|null,"before":s|null,
 *  "id":s,"org_id":s|null,"prev_hash":s,"request_id":s|null,"seq":n,"source_ip":s|null,
 *  "target_id":s|null,"target_type":s|null,"time":n}
 * </pre>
 * {@code time} is epoch milliseconds. {@code org_id} is the organisation the entry belongs to, null for
 * gateway-wide entries; it is hashed because it decides who may read the entry, so moving an entry into
 * or out of an organisation's view is tampering too. {@code before}/{@code after} are the stored
 * {@code before_json}/{@code after_json} text as JSON <em>strings</em> (not nested objects), so a verifier
 * needs no JSON number rules and SQL NULL stays distinct from the text {@code null}. {@code prev_hash}
 * of seq 1 is 64 zeros; seq n+1 has the {@code hash} of seq n. The one-row {@code audit_head} table holds
 * the last seq and hash, which lets a verifier notice entries cut from, or forged onto, the end.
 *
 * <h2>Concurrency</h2>
 * An append reads the head, inserts the entry after it and moves the head in one transaction that holds
 * the database's write lock on the head from the read on: {@code SELECT ... FOR UPDATE} on PostgreSQL
 * (READ COMMITTED, so the locked read sees the head a concurrent appender just committed), {@code BEGIN
 * IMMEDIATE} on SQLite. Two appenders, on one node or on many sharing the database, therefore take turns
 * and can never fork the chain or skip a number; seq comes from the head, not a database sequence, which
 * would leave gaps on rollback. Within a node appenders also queue on a lock first, so they wait in line
 * instead of polling SQLite's busy handler. Thread-safe.
 *
 * <p>What it cannot do: someone who can write the database and recompute SHA-256 can rewrite the chain
 * from any entry to the end, head included. Keep the head ({@link AuditVerifier.Intact#headHash()})
 * somewhere else to detect that.
 */
public final class AuditLog {
  private final Jdbi jdbi;
  private final boolean sqlite;
  private final Redactor redactor;
  private final int maxSnapshotBytes;
  private final IdGenerator ids;
  private final Clock clock;
  private final ReentrantLock appendLock = new ReentrantLock();

  public AuditLog(Database db, AuditConfig config, IdGenerator ids, Clock clock) {
    this.jdbi = db.jdbi();
    this.sqlite = db.dialect().equals("sqlite");
    this.redactor = config.redactor();
    this.maxSnapshotBytes = config.maxSnapshotBytes();
    this.ids = ids;
    this.clock = clock;
  }

  /** Redacts, chains and stores the event; returns the entry as stored. */
  public AuditEntry append(AuditEvent event) {
    String before = snapshot(event.before());
    String after = snapshot(event.after());
    appendLock.lock();
    try {
      AuditRow row = sqlite
          ? jdbi.withHandle(h -> appendSqlite(h, event, before, after))
          : jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> appendLocked(h, event, before, after,
              " FOR UPDATE"));
      return AuditRows.toEntry(row);
    } finally {
      appendLock.unlock();
    }
  }

  private AuditRow appendSqlite(Handle h, AuditEvent event, String before, String after) {
    // Jdbi's transactions start with a deferred BEGIN, which would only take the write lock at the insert,
    // after another writer may have moved the head we read. IMMEDIATE takes it before the read.
    h.execute("BEGIN IMMEDIATE");
    try {
      AuditRow row = appendLocked(h, event, before, after, "");
      h.execute("COMMIT");
      return row;
    } catch (RuntimeException e) {
      try {
        h.execute("ROLLBACK");
      } catch (RuntimeException rollback) {
        e.addSuppressed(rollback);
      }
      throw e;
    }
  }

  private AuditRow appendLocked(Handle h, AuditEvent event, String before, String after, String lockClause) {
    Head head = h.createQuery("SELECT seq, hash FROM audit_head WHERE id = 1" + lockClause)
        .map((rs, ctx) -> new Head(rs.getLong("seq"), rs.getString("hash")))
        .one();
    Target target = event.target();
    AuditRow unhashed = new AuditRow(head.seq() + 1, ids.next(), clock.millis(), event.orgId(),
        event.actor().type().wireName(),
        event.actor().id(), event.actor().display(), event.action(), target == null ? null : target.type(),
        target == null ? null : target.id(), before, after, event.requestId(), event.sourceIp(), head.hash(), null);
    AuditRow row = unhashed.withHash(unhashed.computeHash());
    h.createUpdate("INSERT INTO audit_log (" + AuditRows.COLUMNS + ") VALUES (:seq, :id, :time, :orgId, :actorType, "
            + ":actorId, :actorDisplay, :action, :targetType, :targetId, :before, :after, :requestId, :sourceIp, "
            + ":prevHash, :hash)")
        .bind("seq", row.seq())
        .bind("id", row.id())
        .bind("time", row.time())
        .bind("orgId", row.orgId())
        .bind("actorType", row.actorType())
        .bind("actorId", row.actorId())
        .bind("actorDisplay", row.actorDisplay())
        .bind("action", row.action())
        .bind("targetType", row.targetType())
        .bind("targetId", row.targetId())
        .bind("before", row.before())
        .bind("after", row.after())
        .bind("requestId", row.requestId())
        .bind("sourceIp", row.sourceIp())
        .bind("prevHash", row.prevHash())
        .bind("hash", row.hash())
        .execute();
    h.createUpdate("UPDATE audit_head SET seq = :seq, hash = :hash WHERE id = 1")
        .bind("seq", row.seq())
        .bind("hash", row.hash())
        .execute();
    return row;
  }

  /** The canonical text stored for a before/after state: redacted, and bounded. */
  private String snapshot(JsonNode state) {
    if (state == null || state.isNull() || state.isMissingNode()) {
      return null;
    }
    String text = CanonicalJson.write(redactor.redact(state));
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= maxSnapshotBytes) {
      return text;
    }
    ObjectNode truncated = JsonNodeFactory.instance.objectNode();
    truncated.putObject("truncated").put("bytes", bytes.length).put("sha256", sha256(bytes));
    return CanonicalJson.write(truncated);
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private record Head(long seq, String hash) {}
}
