package dev.tollgate.store;

import dev.tollgate.metering.UsageEvent;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;

/**
 * The {@code usage_daily} table: one row per UTC day x team x user x key x model. Maintained from the
 * events an insert actually added, and rebuilt from {@code usage_events} on demand; both paths group
 * the same way, so a rebuild reproduces exactly what incremental maintenance wrote.
 *
 * <p><b>Concurrency.</b> Flushers on several nodes may add to the same row at once: each add is one
 * atomic {@code INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n}, and a batch's rows are
 * written in ascending key order, so two transactions that lock overlapping rows take the locks in the
 * same order and cannot deadlock. A rebuild locks the table against writers first (PostgreSQL) or
 * starts with a write (SQLite: one writer at a time), so no flush lands between its delete and its
 * re-insert; a flush that waits on it adds its events afterwards, on top of a rebuild that did not see them.
 */
final class DailyUsage {
  static final long DAY_MILLIS = 86_400_000L;
  private static final int ROWS_PER_BATCH = 1000;
  private static final String INSERT_HEAD = "INSERT INTO usage_daily (day, team_id, user_id, key_id, model, "
      + "requests, input_tokens, output_tokens, cached_tokens, reasoning_tokens, cost_micros, estimated_requests, "
      + "error_requests) VALUES ";
  private static final String ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final int COLUMN_COUNT = 13;
  /** 500 x 13 parameters: far below either database's limit. */
  private static final int ROWS_PER_STATEMENT = 500;
  private static final String ON_CONFLICT_ADD = " ON CONFLICT (day, team_id, user_id, key_id, model) DO UPDATE SET "
      + "requests = usage_daily.requests + excluded.requests, "
      + "input_tokens = usage_daily.input_tokens + excluded.input_tokens, "
      + "output_tokens = usage_daily.output_tokens + excluded.output_tokens, "
      + "cached_tokens = usage_daily.cached_tokens + excluded.cached_tokens, "
      + "reasoning_tokens = usage_daily.reasoning_tokens + excluded.reasoning_tokens, "
      + "cost_micros = usage_daily.cost_micros + excluded.cost_micros, "
      + "estimated_requests = usage_daily.estimated_requests + excluded.estimated_requests, "
      + "error_requests = usage_daily.error_requests + excluded.error_requests";
  /**
   * The rebuild's grouping, in SQL both databases run alike: integer division of epoch milliseconds
   * gives the UTC day (times are never negative), turned into 'YYYY-MM-DD' in Java.
   */
  private static final String GROUP_EVENTS = "SELECT created_at / " + DAY_MILLIS + " AS epoch_day, team_id, "
      + "COALESCE(user_id, '') AS user_id, key_id, model, COUNT(*) AS requests, SUM(input_tokens) AS input_tokens, "
      + "SUM(output_tokens) AS output_tokens, SUM(cached_tokens) AS cached_tokens, "
      + "SUM(reasoning_tokens) AS reasoning_tokens, SUM(cost_micros) AS cost_micros, "
      + "SUM(CASE WHEN estimated <> 0 THEN 1 ELSE 0 END) AS estimated_requests, "
      + "SUM(CASE WHEN status <> 'ok' THEN 1 ELSE 0 END) AS error_requests "
      + "FROM usage_events WHERE created_at >= :from AND created_at < :to "
      + "GROUP BY created_at / " + DAY_MILLIS + ", team_id, COALESCE(user_id, ''), key_id, model";

  private DailyUsage() {}

  /** One row's key; {@code userId} is '' for calls without a person. Ordered: the lock order of a batch. */
  record Key(String day, String teamId, String userId, String keyId, String model) implements Comparable<Key> {
    private static final Comparator<Key> ORDER = Comparator.comparing(Key::day).thenComparing(Key::teamId)
        .thenComparing(Key::userId).thenComparing(Key::keyId).thenComparing(Key::model);

    static Key of(UsageEvent e, String day) {
      return new Key(day, e.teamId(), e.userId() == null ? "" : e.userId(), e.keyId(), e.model());
    }

    @Override
    public int compareTo(Key o) {
      return ORDER.compare(this, o);
    }
  }

  static long startOf(LocalDate day) {
    return day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
  }

  /** The events summed per row, in lock order. */
  static SortedMap<Key, UsageTotals> group(List<UsageEvent> events) {
    SortedMap<Key, UsageTotals> groups = new TreeMap<>();
    // A batch is seconds of traffic: nearly always one day, formatted once rather than per event.
    long epochDay = Long.MIN_VALUE;
    String day = null;
    for (UsageEvent e : events) {
      long d = Math.floorDiv(e.createdAt(), DAY_MILLIS);
      if (d != epochDay) {
        epochDay = d;
        day = LocalDate.ofEpochDay(d).toString(); // 'YYYY-MM-DD' of the UTC day
      }
      groups.merge(Key.of(e, day), UsageTotals.of(e), UsageTotals::plus);
    }
    return groups;
  }

  /** Adds the groups to their rows, creating missing rows; in the caller's transaction. */
  static void add(Handle h, SortedMap<Key, UsageTotals> groups) throws SQLException {
    write(h, groups, true);
  }

  /**
   * Multi-row statements, bound through plain JDBC: one statement per 500 rows. Each key appears once
   * (PostgreSQL refuses to update one row twice in a statement), which a map guarantees.
   */
  private static void write(Handle h, Map<Key, UsageTotals> groups, boolean add) throws SQLException {
    List<Map.Entry<Key, UsageTotals>> rows = List.copyOf(groups.entrySet());
    for (int from = 0; from < rows.size(); from += ROWS_PER_STATEMENT) {
      List<Map.Entry<Key, UsageTotals>> slice = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_STATEMENT));
      StringBuilder sql = new StringBuilder(INSERT_HEAD.length() + slice.size() * (ROW.length() + 2) + 800);
      sql.append(INSERT_HEAD);
      for (int i = 0; i < slice.size(); i++) {
        sql.append(i == 0 ? "" : ", ").append(ROW);
      }
      if (add) {
        sql.append(ON_CONFLICT_ADD);
      }
      try (PreparedStatement insert = h.getConnection().prepareStatement(sql.toString())) {
        int p = 1;
        for (Map.Entry<Key, UsageTotals> g : slice) {
          Key k = g.getKey();
          UsageTotals t = g.getValue();
          insert.setString(p, k.day());
          insert.setString(p + 1, k.teamId());
          insert.setString(p + 2, k.userId());
          insert.setString(p + 3, k.keyId());
          insert.setString(p + 4, k.model());
          insert.setLong(p + 5, t.requests());
          insert.setLong(p + 6, t.inputTokens());
          insert.setLong(p + 7, t.outputTokens());
          insert.setLong(p + 8, t.cachedTokens());
          insert.setLong(p + 9, t.reasoningTokens());
          insert.setLong(p + 10, t.costMicros());
          insert.setLong(p + 11, t.estimatedRequests());
          insert.setLong(p + 12, t.errorRequests());
          p += COLUMN_COUNT;
        }
        insert.executeUpdate();
      }
    }
  }

  /** Recomputes the rows of the days from..to (inclusive; empty: every day) from the events, in the caller's transaction. */
  static JdbiUsageStore.Rebuilt rebuild(Handle h, Optional<LocalDate> from, Optional<LocalDate> to, boolean postgres)
      throws SQLException {
    if (postgres) {
      // Writers wait until the rebuild commits; readers carry on with the old rows meanwhile.
      h.execute("LOCK TABLE usage_daily IN SHARE ROW EXCLUSIVE MODE");
    }
    String fromDay = from.map(LocalDate::toString).orElse("");
    String toDay = to.map(LocalDate::toString).orElse("9999-12-31");
    // On SQLite this first write takes the database's write lock, before the events are read.
    int removed = h.createUpdate("DELETE FROM usage_daily WHERE day >= :from AND day <= :to")
        .bind("from", fromDay).bind("to", toDay).execute();
    long fromMillis = from.map(DailyUsage::startOf).orElse(Long.MIN_VALUE);
    long toMillis = to.map(d -> startOf(d.plusDays(1))).orElse(Long.MAX_VALUE);
    long events = 0;
    int rows = 0;
    Map<Key, UsageTotals> pending = new TreeMap<>();
    // Streamed and written in slices: the group count grows with days x keys x models, memory must not.
    try (var groups = h.createQuery(GROUP_EVENTS).bind("from", fromMillis).bind("to", toMillis).setFetchSize(1000)
        .map(DailyUsage::groupRow).stream()) {
      for (var it = groups.iterator(); it.hasNext(); ) {
        Map.Entry<Key, UsageTotals> g = it.next();
        pending.put(g.getKey(), g.getValue());
        events += g.getValue().requests();
        rows++;
        if (pending.size() >= ROWS_PER_BATCH) {
          write(h, pending, false);
          pending.clear();
        }
      }
    }
    write(h, pending, false);
    return new JdbiUsageStore.Rebuilt(from, to, removed, events, rows);
  }

  private static Map.Entry<Key, UsageTotals> groupRow(ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
      throws SQLException {
    Key key = new Key(LocalDate.ofEpochDay(rs.getLong("epoch_day")).toString(), rs.getString("team_id"),
        rs.getString("user_id"), rs.getString("key_id"), rs.getString("model"));
    return Map.entry(key, totals(rs));
  }

  static UsageTotals totals(ResultSet rs) throws SQLException {
    return new UsageTotals(rs.getLong("requests"), rs.getLong("input_tokens"), rs.getLong("output_tokens"),
        rs.getLong("cached_tokens"), rs.getLong("reasoning_tokens"), rs.getLong("cost_micros"),
        rs.getLong("estimated_requests"), rs.getLong("error_requests"));
  }

  /** The summed columns of a report, each named as in the table. */
  static String sums() {
    List<String> out = new ArrayList<>();
    for (String c : List.of("requests", "input_tokens", "output_tokens", "cached_tokens", "reasoning_tokens",
        "cost_micros", "estimated_requests", "error_requests")) {
      out.add("COALESCE(SUM(" + c + "), 0) AS " + c);
    }
    return String.join(", ", out);
  }
}
