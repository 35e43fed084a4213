package dev.tollgate.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.access.ApiKey;
import dev.tollgate.access.directory.Membership;
import dev.tollgate.access.directory.Organization;
import dev.tollgate.access.directory.Page;
import dev.tollgate.access.directory.Team;
import dev.tollgate.access.directory.User;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.Function;

/** The JSON the admin API shows for each kind of object; never a secret, not even a digest. */
final class Views {
  private final ObjectMapper json;
  private final Clock clock;

  Views(ObjectMapper json, Clock clock) {
    this.json = json;
    this.clock = clock;
  }

  ObjectMapper json() {
    return json;
  }

  /** Times as stored (milliseconds), so an object reads the same when created and when fetched later. */
  static String time(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MILLIS).toString();
  }

  <T> ObjectNode list(Page<T> page, Function<T, ObjectNode> view) {
    ObjectNode root = json.createObjectNode().put("object", "list");
    ArrayNode data = root.putArray("data");
    page.items().forEach(item -> data.add(view.apply(item)));
    root.put("has_more", page.nextCursor().isPresent());
    root.put("next_cursor", page.nextCursor().orElse(null));
    return root;
  }

  ObjectNode organization(Organization o) {
    return json.createObjectNode().put("id", o.id()).put("object", "organization").put("name", o.name())
        .put("created_at", time(o.createdAt()));
  }

  ObjectNode team(Team t) {
    ObjectNode o = json.createObjectNode().put("id", t.id()).put("object", "team").put("org_id", t.orgId())
        .put("name", t.name());
    o.set("metadata", json.valueToTree(t.metadata()));
    return o.put("created_at", time(t.createdAt()));
  }

  ObjectNode user(User u) {
    ObjectNode o = json.createObjectNode().put("id", u.id()).put("object", "user").put("org_id", u.orgId())
        .put("email", u.email()).put("name", u.name().orElse(null)).put("role", u.role().wire())
        .put("sso", u.identity().isPresent())
        .put("status", u.disabled() ? "disabled" : "active")
        .put("disabled_at", u.disabledAt().map(Views::time).orElse(null));
    return o.put("created_at", time(u.createdAt())).put("updated_at", time(u.updatedAt()));
  }

  ObjectNode membership(Membership m) {
    return json.createObjectNode().put("object", "membership").put("team_id", m.teamId()).put("user_id", m.userId())
        .put("role", m.role().wire()).put("created_at", time(m.createdAt()));
  }

  ObjectNode key(ApiKey key) {
    ObjectNode o = json.createObjectNode()
        .put("id", key.id())
        .put("object", "api_key")
        .put("name", key.name())
        .put("key_prefix", key.prefix())
        .put("team_id", key.teamId())
        .put("user_id", key.userId().orElse(null))
        .put("service_account", key.serviceAccount());
    ArrayNode models = o.putArray("models");
    key.models().stream().sorted().forEach(models::add);
    o.set("metadata", json.valueToTree(key.metadata()));
    o.put("created_at", time(key.createdAt()));
    o.put("expires_at", key.expiresAt().map(Views::time).orElse(null));
    o.put("revoked_at", key.revokedAt().map(Views::time).orElse(null));
    o.put("previous_secret_valid_until", key.previous().map(p -> p.validUntil())
        .filter(until -> until.isAfter(clock.instant())).map(Views::time).orElse(null));
    String state = key.revoked() ? "revoked" : key.expiredAt(clock.instant()) ? "expired" : "active";
    o.put("status", state);
    return o;
  }
}
