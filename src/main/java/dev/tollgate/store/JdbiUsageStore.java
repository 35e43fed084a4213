package dev.tollgate.store;

import dev.tollgate.access.directory.Scope;
import dev.tollgate.metering.UsageEvent;
import dev.tollgate.metering.UsageSink;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.sqlite.SQLiteConnection;

/**
 * Usage events over SQL (SQLite and PostgreSQL): idempotent batch inserts that maintain the daily
 * aggregates in the same transaction, streaming export, daily reports, and rebuilding the aggregates.
 */
public final class JdbiUsageStore implements UsageSink {
  static final String COLUMNS = "id, request_id, key_id, endpoint, model, deployment, provider, upstream_model, "
      + "input_tokens, output_tokens, cached_tokens, reasoning_tokens, estimated, cost_micros, status, "
      + "http_status, latency_ms, ttft_ms, streamed, error, created_at, attempt, route, team_id, user_id";

  private static final String INSERT_HEAD = "INSERT INTO usage_events (" + COLUMNS + ") VALUES ";
  private static final String ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String INSERT_TAIL = " ON CONFLICT (id) DO NOTHING RETURNING id";
  private static final int COLUMN_COUNT = 25;
  /**
   * Rows per insert statement on PostgreSQL: 500 x 25 parameters stays under its limit on bound parameters
   * (65,535), and a 1,000-event flush is two round trips.
   */
  static final int ROWS_PER_STATEMENT = 500;
  private static final String FULL_INSERT = insertOf(ROWS_PER_STATEMENT);
  private static final String SINGLE_INSERT = INSERT_HEAD + ROW + " ON CONFLICT (id) DO NOTHING";

  private final Jdbi jdbi;

  public JdbiUsageStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  private static String insertOf(int rows) {
    StringBuilder sql = new StringBuilder(INSERT_HEAD.length() + rows * (ROW.length() + 2) + INSERT_TAIL.length());
    sql.append(INSERT_HEAD);
    for (int i = 0; i < rows; i++) {
      sql.append(i == 0 ? "" : ", ").append(ROW);
    }
    return sql.append(INSERT_TAIL).toString();
  }

  /**
   * Inserts the events that are not stored yet and adds exactly those to the daily aggregates, in one
   * transaction: a replayed batch, or a batch mixing stored and new events, counts each event once.
   */
  @Override
  public void insert(List<UsageEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    try {
      jdbi.useTransaction(h -> {
        Set<String> added = h.getConnection().isWrapperFor(SQLiteConnection.class)
            ? insertEach(h, events) : insertRows(h, events);
        if (added.isEmpty()) {
          return;
        }
        List<UsageEvent> fresh = new ArrayList<>(added.size());
        for (UsageEvent e : events) {
          if (added.remove(e.id())) { // remove: an id twice in one batch was inserted, and counts, once
            fresh.add(e);
          }
        }
        DailyUsage.add(h, DailyUsage.group(fresh));
      });
    } catch (SQLException e) {
      // Jdbi's own exception type, as every other store failure; the message quotes no value.
      throw new UnableToExecuteStatementException("cannot insert usage events", e, null);
    }
  }

  /**
   * SQLite: one single-row statement stepped once per event (one JNI call for the batch); an update count
   * of 1 names a new row. Compiling a multi-row statement for every flush cost more than the rows' binding
   * (bench/RESULTS.md).
   */
  private static Set<String> insertEach(Handle h, List<UsageEvent> events) throws SQLException {
    try (PreparedStatement insert = h.getConnection().prepareStatement(SINGLE_INSERT)) {
      for (UsageEvent e : events) {
        bind(insert, 1, e);
        insert.addBatch();
      }
      int[] counts = insert.executeBatch();
      Set<String> added = new HashSet<>(events.size() * 2);
      for (int i = 0; i < counts.length; i++) {
        if (counts[i] > 0) {
          added.add(events.get(i).id());
        }
      }
      return added;
    }
  }

  /** PostgreSQL: multi-row inserts, one round trip per 500 rows; RETURNING names the rows that were new. */
  private static Set<String> insertRows(Handle h, List<UsageEvent> events) throws SQLException {
    Set<String> added = new HashSet<>(events.size() * 2);
    for (int from = 0; from < events.size(); from += ROWS_PER_STATEMENT) {
      List<UsageEvent> slice = events.subList(from, Math.min(events.size(), from + ROWS_PER_STATEMENT));
      // Plain JDBC: binding 12,500 parameters through Jdbi's argument resolution doubled the flush time.
      String sql = slice.size() == ROWS_PER_STATEMENT ? FULL_INSERT : insertOf(slice.size());
      try (PreparedStatement insert = h.getConnection().prepareStatement(sql)) {
        int p = 1;
        for (UsageEvent e : slice) {
          bind(insert, p, e);
          p += COLUMN_COUNT;
        }
        try (ResultSet ids = insert.executeQuery()) {
          while (ids.next()) {
            added.add(ids.getString(1));
          }
        }
      }
    }
    return added;
  }

  private static void bind(PreparedStatement insert, int p, UsageEvent e) throws SQLException {
    insert.setString(p, e.id());
    insert.setString(p + 1, e.requestId());
    insert.setString(p + 2, e.keyId());
    insert.setString(p + 3, e.endpoint());
    insert.setString(p + 4, e.model());
    insert.setString(p + 5, e.deployment());
    insert.setString(p + 6, e.provider());
    insert.setString(p + 7, e.upstreamModel());
    insert.setLong(p + 8, e.inputTokens());
    insert.setLong(p + 9, e.outputTokens());
    insert.setLong(p + 10, e.cachedTokens());
    insert.setLong(p + 11, e.reasoningTokens());
    insert.setInt(p + 12, e.estimated() ? 1 : 0);
    insert.setLong(p + 13, e.costMicros());
    insert.setString(p + 14, e.status());
    insert.setInt(p + 15, e.httpStatus());
    insert.setLong(p + 16, e.latencyMs());
    if (e.ttftMs() < 0) {
      insert.setNull(p + 17, Types.BIGINT);
    } else {
      insert.setLong(p + 17, e.ttftMs());
    }
    insert.setInt(p + 18, e.streamed() ? 1 : 0);
    insert.setString(p + 19, e.error());
    insert.setLong(p + 20, e.createdAt());
    insert.setInt(p + 21, e.attempt());
    insert.setString(p + 22, e.route());
    insert.setString(p + 23, e.teamId());
    insert.setString(p + 24, e.userId());
  }

  /** Which of the events {@code ids} are stored: one query per {@value #ROWS_PER_STATEMENT} ids. */
  @Override
  public Set<String> stored(Collection<String> ids) {
    List<String> all = List.copyOf(ids);
    Set<String> found = new HashSet<>();
    jdbi.useHandle(h -> {
      for (int from = 0; from < all.size(); from += ROWS_PER_STATEMENT) {
        h.createQuery("SELECT id FROM usage_events WHERE id IN (<ids>)")
            .bindList("ids", all.subList(from, Math.min(all.size(), from + ROWS_PER_STATEMENT)))
            .mapTo(String.class)
            .forEach(found::add);
      }
    });
    return found;
  }

  /** Which events an export returns: a time range, the caller's scope, and optional narrowing filters. */
  public record ExportQuery(long fromMillis, long toMillis, Scope scope, Optional<String> keyId,
      Optional<String> teamId, Optional<String> userId, Optional<String> model) {}

  /**
   * Streams the events of {@code query} oldest first (ties by id) to {@code consumer}; a scope limited to
   * teams shows those teams' events and the owner's own, a scope of an organisation that organisation's.
   */
  public void export(ExportQuery query, Consumer<UsageEvent> consumer) {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM usage_events u WHERE created_at >= :from "
        + "AND created_at < :to");
    Map<String, Object> binds = new LinkedHashMap<>();
    binds.put("from", query.fromMillis());
    binds.put("to", query.toMillis());
    Optional<List<String>> teams = restrict(sql, binds, query.scope(), query.keyId(), query.teamId(), query.userId(),
        query.model());
    if (teams.isEmpty()) {
      return;
    }
    sql.append(" ORDER BY created_at, id");
    jdbi.useHandle(h -> {
      var q = h.createQuery(sql.toString()).bindMap(binds).setFetchSize(1000);
      if (!teams.get().isEmpty()) {
        q.bindList("teams", teams.get());
      }
      try (var events = q.map(JdbiUsageStore::map).stream()) {
        events.forEach(consumer);
      }
    });
  }

  /**
   * Appends the scope and the filters to a query on {@code u} (usage_events or usage_daily: same column
   * names). Returns the team ids to bind as {@code <teams>} (none to bind: an empty list), or empty when
   * the scope shows nothing at all.
   */
  private static Optional<List<String>> restrict(StringBuilder sql, Map<String, Object> binds, Scope scope,
      Optional<String> keyId, Optional<String> teamId, Optional<String> userId, Optional<String> model) {
    scope.orgId().ifPresent(org -> {
      sql.append(" AND u.team_id IN (SELECT t.id FROM teams t WHERE t.org_id = :org)");
      binds.put("org", org);
    });
    List<String> teams = scope.teamIds().map(List::copyOf).orElse(List.of());
    if (scope.teamIds().isPresent()) {
      boolean own = scope.ownerId().isPresent();
      if (teams.isEmpty() && !own) {
        return Optional.empty();
      }
      sql.append(" AND (").append(teams.isEmpty() ? "1 = 0" : "u.team_id IN (<teams>)");
      if (own) {
        sql.append(" OR u.user_id = :owner");
        binds.put("owner", scope.ownerId().get());
      }
      sql.append(")");
    }
    keyId.ifPresent(k -> {
      sql.append(" AND u.key_id = :keyId");
      binds.put("keyId", k);
    });
    teamId.ifPresent(t -> {
      sql.append(" AND u.team_id = :teamId");
      binds.put("teamId", t);
    });
    userId.ifPresent(user -> {
      sql.append(" AND u.user_id = :userId");
      binds.put("userId", user);
    });
    model.ifPresent(m -> {
      sql.append(" AND u.model = :model");
      binds.put("model", m);
    });
    return Optional.of(teams);
  }

  /**
   * Which daily aggregates a report sums: the days {@code from} to {@code to} (inclusive, UTC), the
   * caller's scope, optional narrowing filters, and the dimensions to group by (none: one total row).
   */
  public record DailyQuery(LocalDate from, LocalDate to, Scope scope, Optional<String> keyId,
      Optional<String> teamId, Optional<String> userId, Optional<String> model, List<UsageGroup> groupBy) {
    public DailyQuery {
      groupBy = List.copyOf(groupBy);
    }
  }

  /**
   * One row of a report: the value of each grouped dimension (null for a user-less row grouped by user)
   * and the sums.
   */
  public record DailyRow(Map<UsageGroup, String> groups, UsageTotals totals) {
    public DailyRow {
      Map<UsageGroup, String> copy = new EnumMap<>(UsageGroup.class);
      copy.putAll(groups);
      groups = Collections.unmodifiableMap(copy);
    }
  }

  /**
   * The sums of {@code query} from the daily aggregates, one row per combination of the grouped
   * dimensions that has usage, ordered by them; at most {@code maxRows} + 1 rows, so the caller can
   * tell that the answer would be longer. Without grouping, one row (zeros when nothing matched).
   */
  public List<DailyRow> daily(DailyQuery query, int maxRows) {
    List<String> columns = query.groupBy().stream().map(UsageGroup::column).toList();
    String grouped = String.join(", ", columns);
    StringBuilder sql = new StringBuilder("SELECT " + (columns.isEmpty() ? "" : grouped + ", ") + DailyUsage.sums()
        + " FROM usage_daily u WHERE u.day >= :from AND u.day <= :to");
    Map<String, Object> binds = new LinkedHashMap<>();
    binds.put("from", query.from().toString());
    binds.put("to", query.to().toString());
    Optional<List<String>> teams = restrict(sql, binds, query.scope(), query.keyId(), query.teamId(),
        query.userId(), query.model());
    if (teams.isEmpty()) {
      return columns.isEmpty() ? List.of(new DailyRow(Map.of(), UsageTotals.ZERO)) : List.of();
    }
    if (!columns.isEmpty()) {
      sql.append(" GROUP BY ").append(grouped).append(" ORDER BY ").append(grouped);
    }
    sql.append(" LIMIT ").append(maxRows + 1);
    return jdbi.withHandle(h -> {
      var q = h.createQuery(sql.toString()).bindMap(binds);
      if (!teams.get().isEmpty()) {
        q.bindList("teams", teams.get());
      }
      return q.map((rs, ctx) -> {
        Map<UsageGroup, String> groups = new EnumMap<>(UsageGroup.class);
        for (UsageGroup g : query.groupBy()) {
          String value = rs.getString(g.column());
          groups.put(g, g == UsageGroup.USER && value.isEmpty() ? null : value);
        }
        return new DailyRow(groups, DailyUsage.totals(rs));
      }).list();
    });
  }

  /** What {@link #rebuildDaily} did: the days rebuilt (empty: unbounded), rows removed, events read, rows written. */
  public record Rebuilt(Optional<LocalDate> from, Optional<LocalDate> to, int removedRows, long events, int rows) {}

  /**
   * Recomputes the daily aggregates of the days {@code from} to {@code to} (inclusive, UTC; empty: no
   * bound) from the events, in one transaction: afterwards they hold exactly what incremental
   * maintenance would have written. Flushes wait while it runs.
   */
  public Rebuilt rebuildDaily(Optional<LocalDate> from, Optional<LocalDate> to) {
    if (from.isPresent() && to.isPresent() && from.get().isAfter(to.get())) {
      throw new IllegalArgumentException("from " + from.get() + " is after to " + to.get());
    }
    try {
      return jdbi.inTransaction(h -> DailyUsage.rebuild(h, from, to, isPostgres(h)));
    } catch (SQLException e) {
      throw new UnableToExecuteStatementException("cannot rebuild the daily usage aggregates", e, null);
    }
  }

  private static boolean isPostgres(Handle h) {
    try {
      return h.getConnection().getMetaData().getDatabaseProductName().equalsIgnoreCase("PostgreSQL");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot tell which database this is", e);
    }
  }

  /** Every event of a request, oldest first (tests and support). */
  public List<UsageEvent> findByRequestId(String requestId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM usage_events WHERE request_id = :r ORDER BY id")
        .bind("r", requestId)
        .map(JdbiUsageStore::map)
        .list());
  }

  public long count() {
    return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM usage_events").mapTo(Long.class).one());
  }

  static UsageEvent map(ResultSet rs, StatementContext ctx) throws SQLException {
    long ttft = rs.getLong("ttft_ms");
    if (rs.wasNull()) {
      ttft = -1;
    }
    return new UsageEvent(
        rs.getString("id"),
        rs.getString("request_id"),
        rs.getString("key_id"),
        rs.getString("endpoint"),
        rs.getString("model"),
        rs.getString("deployment"),
        rs.getString("provider"),
        rs.getString("upstream_model"),
        rs.getLong("input_tokens"),
        rs.getLong("output_tokens"),
        rs.getLong("cached_tokens"),
        rs.getLong("reasoning_tokens"),
        rs.getInt("estimated") != 0,
        rs.getLong("cost_micros"),
        rs.getString("status"),
        rs.getInt("http_status"),
        rs.getLong("latency_ms"),
        ttft,
        rs.getInt("streamed") != 0,
        rs.getString("error"),
        rs.getLong("created_at"),
        rs.getInt("attempt"),
        rs.getString("route"),
        rs.getString("team_id"),
        rs.getString("user_id"));
  }
}
