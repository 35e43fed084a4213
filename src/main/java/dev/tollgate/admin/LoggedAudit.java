package dev.tollgate.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admin changes as structured lines on the {@code tollgate.audit} logger. Views handed to it never
 * hold secrets. The hash-chained audit log supersedes it as the system of record.
 */
public final class LoggedAudit implements AdminAudit {
  private static final Logger log = LoggerFactory.getLogger("tollgate.audit");

  private final ObjectMapper json;

  public LoggedAudit(ObjectMapper json) {
    this.json = json;
  }

  @Override
  public void record(Change change) {
    ObjectNode line = json.createObjectNode()
        .put("actor_type", change.actor().actorType())
        .put("actor", change.actor().actorId())
        .put("action", change.action())
        .put("target_type", change.targetType())
        .put("target", change.targetId())
        .put("request_id", change.requestId())
        .put("source_ip", change.sourceIp());
    line.set("before", change.before());
    line.set("after", change.after());
    log.atInfo().log("{}", line);
  }
}
