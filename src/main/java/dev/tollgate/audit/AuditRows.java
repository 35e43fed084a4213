package dev.tollgate.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import org.jdbi.v3.core.statement.StatementContext;

/** The audit_log columns, and the mapping between rows and {@link AuditEntry}. */
final class AuditRows {
  static final String COLUMNS = "seq, id, created_at, org_id, actor_type, actor_id, actor_display, action, "
      + "target_type, target_id, before_json, after_json, request_id, source_ip, prev_hash, hash";

  /** Floats as BigDecimal: a stored snapshot parses back to the value that was canonicalized. */
  static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private AuditRows() {}

  static AuditRow map(ResultSet rs, StatementContext ctx) throws SQLException {
    return new AuditRow(rs.getLong("seq"), rs.getString("id"), rs.getLong("created_at"), rs.getString("org_id"),
        rs.getString("actor_type"),
        rs.getString("actor_id"), rs.getString("actor_display"), rs.getString("action"), rs.getString("target_type"),
        rs.getString("target_id"), rs.getString("before_json"), rs.getString("after_json"),
        rs.getString("request_id"), rs.getString("source_ip"), rs.getString("prev_hash"), rs.getString("hash"));
  }

  /** The entry a row holds; throws {@link IllegalStateException} naming the row when it is corrupt. */
  static AuditEntry toEntry(AuditRow row) {
    try {
      Target target = row.targetType() == null ? null : new Target(row.targetType(), row.targetId());
      return new AuditEntry(row.seq(), row.id(), Instant.ofEpochMilli(row.time()), row.orgId(),
          new Actor(Actor.Type.fromWire(row.actorType()), row.actorId(), row.actorDisplay()), row.action(), target,
          parse(row.before()), parse(row.after()), row.requestId(), row.sourceIp(), row.prevHash(), row.hash());
    } catch (IllegalArgumentException | JsonProcessingException e) {
      throw new IllegalStateException("corrupt audit entry seq " + row.seq() + " (run tollgate audit verify): "
          + e.getMessage(), e);
    }
  }

  private static JsonNode parse(String json) throws JsonProcessingException {
    return json == null ? null : JSON.readTree(json);
  }
}
