package dev.tollgate.store;

import dev.tollgate.access.directory.Scope;
import dev.tollgate.metering.UsageEvent;
import dev.tollgate.metering.UsageSink;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.StatementContext;

/** Usage events over SQL (SQLite and PostgreSQL): idempotent batch inserts and streaming export. */
public final class JdbiUsageStore implements UsageSink {
  static final String COLUMNS = "id, request_id, key_id, endpoint, model, deployment, provider, upstream_model, "
      + "input_tokens, output_tokens, cached_tokens, reasoning_tokens, estimated, cost_micros, status, "
      + "http_status, latency_ms, ttft_ms, streamed, error, created_at, attempt, route, team_id, user_id";

  private static final String INSERT = "INSERT INTO usage_events (" + COLUMNS + ") VALUES ("
      + "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING";

  private final Jdbi jdbi;

  public JdbiUsageStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  @Override
  public void insert(List<UsageEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    jdbi.useTransaction(h -> {
      // Positional binding: named parameters cost a map entry per column per row, visible at 10k rows/s.
      PreparedBatch batch = h.prepareBatch(INSERT);
      for (UsageEvent e : events) {
        batch.bind(0, e.id())
            .bind(1, e.requestId())
            .bind(2, e.keyId())
            .bind(3, e.endpoint())
            .bind(4, e.model())
            .bind(5, e.deployment())
            .bind(6, e.provider())
            .bind(7, e.upstreamModel())
            .bind(8, e.inputTokens())
            .bind(9, e.outputTokens())
            .bind(10, e.cachedTokens())
            .bind(11, e.reasoningTokens())
            .bind(12, e.estimated() ? 1 : 0)
            .bind(13, e.costMicros())
            .bind(14, e.status())
            .bind(15, e.httpStatus())
            .bind(16, e.latencyMs())
            .bind(17, e.ttftMs() < 0 ? null : e.ttftMs())
            .bind(18, e.streamed() ? 1 : 0)
            .bind(19, e.error())
            .bind(20, e.createdAt())
            .bind(21, e.attempt())
            .bind(22, e.route())
            .bind(23, e.teamId())
            .bind(24, e.userId())
            .add();
      }
      batch.execute();
    });
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
    Scope scope = query.scope();
    scope.orgId().ifPresent(org -> {
      sql.append(" AND u.team_id IN (SELECT t.id FROM teams t WHERE t.org_id = :org)");
      binds.put("org", org);
    });
    List<String> teams = scope.teamIds().map(List::copyOf).orElse(null);
    if (teams != null) {
      boolean own = scope.ownerId().isPresent();
      if (teams.isEmpty() && !own) {
        return;
      }
      sql.append(" AND (").append(teams.isEmpty() ? "1 = 0" : "u.team_id IN (<teams>)");
      if (own) {
        sql.append(" OR u.user_id = :owner");
        binds.put("owner", scope.ownerId().get());
      }
      sql.append(")");
    }
    query.keyId().ifPresent(k -> {
      sql.append(" AND u.key_id = :keyId");
      binds.put("keyId", k);
    });
    query.teamId().ifPresent(t -> {
      sql.append(" AND u.team_id = :teamId");
      binds.put("teamId", t);
    });
    query.userId().ifPresent(user -> {
      sql.append(" AND u.user_id = :userId");
      binds.put("userId", user);
    });
    query.model().ifPresent(m -> {
      sql.append(" AND u.model = :model");
      binds.put("model", m);
    });
    sql.append(" ORDER BY created_at, id");
    jdbi.useHandle(h -> {
      var q = h.createQuery(sql.toString()).bindMap(binds).setFetchSize(1000);
      if (teams != null && !teams.isEmpty()) {
        q.bindList("teams", teams);
      }
      try (var events = q.map(JdbiUsageStore::map).stream()) {
        events.forEach(consumer);
      }
    });
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
