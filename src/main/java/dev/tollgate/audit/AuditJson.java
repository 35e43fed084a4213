package dev.tollgate.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The wire shape of an entry for the admin API and the JSON-lines export:
 * {@code {"seq","id","time" (ISO-8601 UTC),"time_ms","org_id","actor":{"type","id","display"},"action",
 * "target":{"type","id"}|null,"before","after" (JSON or null),"request_id","source_ip","prev_hash","hash"}}.
 * To check a hash from an export, rebuild the envelope of {@link AuditLog} with {@code time_ms} and the
 * canonical text of {@code before}/{@code after}.
 */
public final class AuditJson {
  private AuditJson() {}

  public static ObjectNode toJson(AuditEntry e) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("seq", e.seq());
    o.put("id", e.id());
    o.put("time", e.time().toString());
    o.put("time_ms", e.time().toEpochMilli());
    o.put("org_id", e.orgId());
    o.putObject("actor")
        .put("type", e.actor().type().wireName())
        .put("id", e.actor().id())
        .put("display", e.actor().display());
    o.put("action", e.action());
    if (e.target() == null) {
      o.putNull("target");
    } else {
      o.putObject("target").put("type", e.target().type()).put("id", e.target().id());
    }
    o.set("before", e.before() == null ? JsonNodeFactory.instance.nullNode() : e.before().deepCopy());
    o.set("after", e.after() == null ? JsonNodeFactory.instance.nullNode() : e.after().deepCopy());
    o.put("request_id", e.requestId());
    o.put("source_ip", e.sourceIp());
    o.put("prev_hash", e.prevHash());
    o.put("hash", e.hash());
    return o;
  }

  /** {@link #toJson} on one line, without the line break. */
  public static String line(AuditEntry e) {
    try {
      return AuditRows.JSON.writeValueAsString(toJson(e));
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("cannot write a JSON tree", ex);
    }
  }
}
