package dev.tollgate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.access.policy.Action;
import dev.tollgate.admin.Doc.Schema;
import dev.tollgate.access.policy.Principal;
import dev.tollgate.access.policy.Target;
import dev.tollgate.audit.Actor;
import dev.tollgate.audit.AuditFilter;
import dev.tollgate.audit.AuditJson;
import dev.tollgate.audit.AuditPage;
import dev.tollgate.audit.AuditQuery;
import dev.tollgate.server.ApiError;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /admin/v1/audit}: the audit log for admins and auditors, a person's organisation only (the
 * master key sees every organisation and the gateway-wide entries), paged newest first or exported as
 * JSON lines with flat memory.
 */
final class AuditApi {
  private static final Logger log = LoggerFactory.getLogger(AuditApi.class);

  private final AuditQuery query;
  private final Guard guard;
  private final Views views;
  private final Clock clock;

  AuditApi(AuditQuery query, Guard guard, Views views, Clock clock) {
    this.query = query;
    this.guard = guard;
    this.views = views;
    this.clock = clock;
  }

  List<AdminRoute> routes() {
    Doc.Param[] filters = {
        Doc.param("from", Schema.string(), "Entries at or after this date, instant or epoch milliseconds"),
        Doc.param("to", Schema.string(), "Entries before this date, instant or epoch milliseconds; default: now"),
        Doc.param("actor_type", Schema.oneOf("user", "master", "key", "system", "anonymous"), "Only this kind of actor"),
        Doc.param("actor_id", Schema.string(), "Only this actor"),
        Doc.param("action", Schema.string(), "Only this action, or a prefix of dotted words (key matches key.*)"),
        Doc.param("target_type", Schema.string(), "Only targets of this kind (user, team, api_key, ...)"),
        Doc.param("target_id", Schema.string(), "Only this target")};
    return List.of(
        AdminRoute.get("/admin/v1/audit", Action.AUDIT_READ, "Audit entries, newest first",
            Doc.list("listAuditEntries", "AuditEntry", filters), this::page),
        AdminRoute.get("/admin/v1/audit/export", Action.AUDIT_READ, "Audit entries as JSON lines, oldest first",
            Doc.download("exportAudit", "Audit entries oldest first, one JSON object per line",
                java.util.Map.of("application/x-ndjson", Schema.ref("AuditEntry")), filters), this::export));
  }

  private JsonNode page(AdminCall call) {
    AuditFilter filter = filter(call);
    int limit = call.page().limit();
    Long after = call.query("after").map(a -> {
      try {
        return Long.parseLong(a);
      } catch (NumberFormatException e) {
        throw Body.bad("after", "'after' must be the next_cursor of a previous page");
      }
    }).orElse(null);
    AuditPage page = query.page(filter, AuditQuery.Order.NEWEST_FIRST, after, limit);
    ObjectNode root = views.json().createObjectNode().put("object", "list");
    ArrayNode data = root.putArray("data");
    page.entries().forEach(e -> data.add(AuditJson.toJson(e)));
    root.put("has_more", page.next().isPresent());
    if (page.next().isPresent()) {
      root.put("next_cursor", Long.toString(page.next().getAsLong()));
    } else {
      root.putNull("next_cursor");
    }
    return root;
  }

  private Object export(AdminCall call) {
    AuditFilter filter = filter(call);
    Download.send(call, "application/x-ndjson", "audit.jsonl",
        sink -> query.export(filter, entry -> sink.accept(AuditJson.line(entry))));
    return null;
  }

  /** The caller's filters, always narrowed to a person's organisation. */
  private AuditFilter filter(AdminCall call) {
    AuditFilter filter = AuditFilter.all();
    switch (call.principal()) {
      case Principal.Master m -> guard.require(call, Action.AUDIT_READ, Target.global());
      case Principal.Person p -> {
        guard.require(call, Action.AUDIT_READ, Target.organisation(p.orgId()));
        filter = filter.byOrg(p.orgId());
      }
    }
    long from = UsageApi.instant(call, "from", 0);
    long to = UsageApi.instant(call, "to", clock.millis() + 1);
    filter = filter.between(Instant.ofEpochMilli(from), Instant.ofEpochMilli(to));
    Optional<String> actorType = call.query("actor_type");
    if (actorType.isPresent() || call.query("actor_id").isPresent()) {
      Actor.Type type;
      try {
        type = actorType.map(Actor.Type::fromWire).orElse(null);
      } catch (IllegalArgumentException e) {
        throw Body.bad("actor_type", "'actor_type' must be user, master, key, system or anonymous");
      }
      filter = filter.byActor(type, call.query("actor_id").orElse(null));
    }
    Optional<String> action = call.query("action");
    if (action.isPresent()) {
      filter = filter.byAction(action.get());
    }
    if (call.query("target_type").isPresent() || call.query("target_id").isPresent()) {
      filter = filter.byTarget(call.query("target_type").orElse(null), call.query("target_id").orElse(null));
    }
    return filter;
  }
}
