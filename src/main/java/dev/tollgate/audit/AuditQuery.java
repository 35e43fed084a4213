package dev.tollgate.audit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.jdbi.v3.core.Jdbi;

/**
 * Reads the audit log for the admin API: filtered pages with a cursor, and a streaming export. The cursor
 * is a seq, so pages stay stable while entries are appended. Blocks on the database: call from a
 * virtual thread. Thread-safe.
 */
public final class AuditQuery {
  /** Largest page a caller may ask for. */
  public static final int MAX_PAGE = 1_000;
  /** Rows read per round trip by {@link #export}. */
  private static final int EXPORT_BATCH = 500;

  /** Page order. */
  public enum Order { OLDEST_FIRST, NEWEST_FIRST }

  private final Jdbi jdbi;

  public AuditQuery(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Up to {@code limit} matching entries strictly after the cursor {@code after} in {@code order}; pass
   * null for the first page.
   */
  public AuditPage page(AuditFilter filter, Order order, Long after, int limit) {
    if (limit < 1 || limit > MAX_PAGE) {
      throw new IllegalArgumentException("limit: " + limit + " (expected: 1 to " + MAX_PAGE + ")");
    }
    List<AuditEntry> rows = new ArrayList<>(fetch(filter, order, after, limit + 1));
    if (rows.size() <= limit) {
      return new AuditPage(rows, OptionalLong.empty());
    }
    rows.removeLast();
    return new AuditPage(rows, OptionalLong.of(rows.getLast().seq()));
  }

  /**
   * Hands every matching entry, oldest first, to {@code sink}; returns how many. Reads in batches, so memory
   * stays bounded however long the log. An exception from the sink stops the export and propagates.
   */
  public long export(AuditFilter filter, Consumer<AuditEntry> sink) {
    long count = 0;
    Long after = null;
    while (true) {
      List<AuditEntry> batch = fetch(filter, Order.OLDEST_FIRST, after, EXPORT_BATCH);
      batch.forEach(sink);
      count += batch.size();
      if (batch.size() < EXPORT_BATCH) {
        return count;
      }
      after = batch.getLast().seq();
    }
  }

  /** {@link #export} as JSON lines ({@link AuditJson#line}) appended to {@code out}. */
  public long exportJsonLines(AuditFilter filter, Appendable out) {
    return export(filter, entry -> {
      try {
        out.append(AuditJson.line(entry)).append('\n');
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("audit export: cannot write", e);
      }
    });
  }

  private List<AuditEntry> fetch(AuditFilter f, Order order, Long after, int limit) {
    StringBuilder sql = new StringBuilder("SELECT " + AuditRows.COLUMNS + " FROM audit_log WHERE 1 = 1");
    Map<String, Object> args = new LinkedHashMap<>();
    boolean newestFirst = order == Order.NEWEST_FIRST;
    condition(sql, args, newestFirst ? "seq < :after" : "seq > :after", "after", after);
    condition(sql, args, "org_id = :orgId", "orgId", f.orgId());
    condition(sql, args, "created_at >= :from", "from", f.from() == null ? null : f.from().toEpochMilli());
    condition(sql, args, "created_at < :to", "to", f.to() == null ? null : f.to().toEpochMilli());
    condition(sql, args, "actor_type = :actorType", "actorType",
        f.actorType() == null ? null : f.actorType().wireName());
    condition(sql, args, "actor_id = :actorId", "actorId", f.actorId());
    condition(sql, args, "target_type = :targetType", "targetType", f.targetType());
    condition(sql, args, "target_id = :targetId", "targetId", f.targetId());
    if (f.action() != null) {
      // substr instead of LIKE: '_' is a LIKE wildcard, and SQLite's LIKE ignores case.
      sql.append(" AND (action = :action OR substr(action, 1, :prefixLength) = :prefix)");
      args.put("action", f.action());
      args.put("prefix", f.action() + ".");
      args.put("prefixLength", f.action().length() + 1);
    }
    sql.append(newestFirst ? " ORDER BY seq DESC" : " ORDER BY seq").append(" LIMIT :limit");
    args.put("limit", limit);
    return jdbi.withHandle(h -> h.createQuery(sql.toString())
        .bindMap(args)
        .map(AuditRows::map)
        .map(AuditRows::toEntry)
        .list());
  }

  private static void condition(StringBuilder sql, Map<String, Object> args, String clause, String name, Object value) {
    if (value != null) {
      sql.append(" AND ").append(clause);
      args.put(name, value);
    }
  }
}
