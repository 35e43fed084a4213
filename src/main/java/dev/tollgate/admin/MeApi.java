package dev.tollgate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.access.policy.Action;
import dev.tollgate.access.policy.Principal;
import dev.tollgate.access.policy.Target;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code GET /admin/v1/me}: who the caller is to the admin API, and their roles. */
final class MeApi {
  private final Guard guard;
  private final Views views;

  MeApi(Guard guard, Views views) {
    this.guard = guard;
    this.views = views;
  }

  List<AdminRoute> routes() {
    return List.of(AdminRoute.get("/admin/v1/me", Action.SELF_READ, "Who am I: the caller and their roles",
        Doc.one("getMe", "Principal"), this::me));
  }

  private JsonNode me(AdminCall call) {
    guard.require(call, Action.SELF_READ, Target.global());
    ObjectNode out = views.json().createObjectNode().put("object", "principal");
    switch (call.principal()) {
      case Principal.Master m -> out.put("type", "master").put("role", "admin");
      case Principal.Person p -> {
        out.put("type", "user").put("via", p.via().name().toLowerCase(java.util.Locale.ROOT));
        out.set("user", views.user(p.user()));
        ArrayNode teams = out.putArray("teams");
        for (Map.Entry<String, dev.tollgate.access.Role> e : new TreeMap<>(p.teamRoles()).entrySet()) {
          teams.addObject().put("team_id", e.getKey()).put("role", e.getValue().wire());
        }
      }
    }
    return out;
  }
}
