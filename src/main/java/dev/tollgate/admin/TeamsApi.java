package dev.tollgate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.access.Role;
import dev.tollgate.access.directory.Directory;
import dev.tollgate.access.directory.Membership;
import dev.tollgate.access.directory.Team;
import dev.tollgate.access.directory.User;
import dev.tollgate.admin.Doc.Schema;
import dev.tollgate.access.policy.Action;
import dev.tollgate.access.policy.Principal;
import dev.tollgate.access.policy.Target;
import dev.tollgate.server.ApiError;
import dev.tollgate.store.Constraints;
import dev.tollgate.store.IdGenerator;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/** {@code /admin/v1/teams} and their members. */
final class TeamsApi {
  private static final int METADATA_BYTES = 16 * 1024;

  private final Directory directory;
  private final Guard guard;
  private final Views views;
  private final AdminAudit audit;
  private final IdGenerator ids;
  private final Clock clock;

  TeamsApi(Directory directory, Guard guard, Views views, AdminAudit audit, IdGenerator ids, Clock clock) {
    this.directory = directory;
    this.guard = guard;
    this.views = views;
    this.audit = audit;
    this.ids = ids;
    this.clock = clock;
  }

  List<AdminRoute> routes() {
    return List.of(
        AdminRoute.get("/admin/v1/teams", Action.TEAM_READ, "List teams",
            Doc.list("listTeams", "Team", Doc.param("name", Schema.string(), "Only the team with exactly this name")),
            this::list),
        AdminRoute.post("/admin/v1/teams", Action.TEAM_CREATE, "Create a team", 201,
            Doc.write("createTeam", "Team",
                Doc.required("name", Schema.string(200), "Unique in the organization"),
                Doc.optional("org_id", Schema.string(100), "The organization; default: the caller's own"),
                Doc.optional("metadata", Schema.object(METADATA_BYTES), "Caller-defined values")), this::create),
        AdminRoute.get("/admin/v1/teams/:id", Action.TEAM_READ, "Get a team", Doc.one("getTeam", "Team"), this::get),
        AdminRoute.patch("/admin/v1/teams/:id", Action.TEAM_UPDATE, "Rename a team or replace its metadata",
            Doc.write("updateTeam", "Team",
                Doc.optional("name", Schema.string(200), "The new name, unique in the organization"),
                Doc.optional("metadata", Schema.object(METADATA_BYTES), "Replaces the metadata")), this::update),
        AdminRoute.delete("/admin/v1/teams/:id", Action.TEAM_DELETE, "Delete a team without live keys",
            Doc.one("deleteTeam", "Team"), this::delete),
        AdminRoute.get("/admin/v1/teams/:id/members", Action.MEMBERSHIP_READ, "List a team's members",
            Doc.unpaged("listTeamMembers", "Membership"), this::members),
        AdminRoute.put("/admin/v1/teams/:id/members/:user_id", Action.MEMBERSHIP_WRITE,
            "Add a user to a team or change their team role", Doc.write("putTeamMember", "Membership",
                Doc.required("role", Schema.oneOf("team_admin", "member"), "The user's role in the team")),
            this::putMember),
        AdminRoute.delete("/admin/v1/teams/:id/members/:user_id", Action.MEMBERSHIP_WRITE,
            "Remove a user from a team", Doc.one("removeTeamMember", "Membership"), this::removeMember));
  }

  private JsonNode list(AdminCall call) {
    return views.list(directory.teams(guard.scope(call, Action.TEAM_READ), call.query("name"),
        call.page()), views::team);
  }

  private JsonNode create(AdminCall call) {
    Body body = call.body();
    String orgId = body.optionalString("org_id", 100).orElseGet(() -> ownOrg(call.principal()));
    guard.require(call, Action.TEAM_CREATE, Target.organisation(orgId), Action.ORGANIZATION_READ,
        "organization '" + orgId + "'");
    if (directory.organization(orgId).isEmpty()) {
      throw ApiError.invalidRequest("no organization '" + orgId + "'", "org_id").exception();
    }
    Team team = new Team(ids.next(), orgId, body.string("name", 200), body.object("metadata", METADATA_BYTES),
        clock.instant());
    try {
      directory.insert(team);
    } catch (RuntimeException e) {
      if (Constraints.isUniqueViolation(e)) {
        throw ApiError.conflict("the organization has a team named '" + team.name() + "'").exception();
      }
      throw e;
    }
    ObjectNode view = views.team(team);
    record(call, team, "team.create", team.id(), null, view);
    return view;
  }

  private JsonNode get(AdminCall call) {
    Team team = visibleTeam(call, Action.TEAM_READ);
    return views.team(team);
  }

  private JsonNode update(AdminCall call) {
    Team team = visibleTeam(call, Action.TEAM_UPDATE);
    Body body = call.body();
    Team changed = new Team(team.id(), team.orgId(), body.optionalString("name", 200).orElse(team.name()),
        body.has("metadata") ? body.object("metadata", METADATA_BYTES) : team.metadata(), team.createdAt());
    try {
      directory.update(changed);
    } catch (RuntimeException e) {
      if (Constraints.isUniqueViolation(e)) {
        throw ApiError.conflict("the organization has a team named '" + changed.name() + "'").exception();
      }
      throw e;
    }
    ObjectNode view = views.team(changed);
    record(call, team, "team.update", team.id(), views.team(team), view);
    return view;
  }

  private JsonNode delete(AdminCall call) {
    Team team = visibleTeam(call, Action.TEAM_DELETE);
    long live = directory.liveKeysOfTeam(team.id(), clock.instant());
    if (live > 0) {
      throw ApiError.conflict("the team still has " + live + " live key(s); revoke them first").exception();
    }
    if (team.id().equals(dev.tollgate.access.Caller.DEFAULT_TEAM)) {
      throw ApiError.conflict("the default team holds the master key's usage and cannot be deleted").exception();
    }
    directory.deleteTeam(team.id());
    ObjectNode before = views.team(team);
    record(call, team, "team.delete", team.id(), before, null);
    return before.put("deleted", true);
  }

  private JsonNode members(AdminCall call) {
    Team team = visibleTeam(call, Action.MEMBERSHIP_READ);
    ObjectNode root = views.json().createObjectNode().put("object", "list");
    ArrayNode data = root.putArray("data");
    directory.membershipsOfTeam(team.id()).forEach(m -> data.add(views.membership(m)));
    return root.put("has_more", false).putNull("next_cursor");
  }

  private JsonNode putMember(AdminCall call) {
    Team team = visibleTeam(call, Action.MEMBERSHIP_WRITE);
    String userId = call.path("user_id");
    Body body = call.body();
    String wire = body.string("role", 20);
    Role role = Role.parse(wire).filter(Role::inTeam).orElseThrow(() ->
        Body.bad("role", "'role' must be team_admin or member"));
    User user = directory.user(userId).filter(u -> u.orgId().equals(team.orgId()))
        .orElseThrow(() -> ApiError.invalidRequest("no user '" + userId + "' in the team's organization", "user_id")
            .exception());
    Map<String, Membership> existing = new java.util.HashMap<>();
    directory.membershipsOfTeam(team.id()).forEach(m -> existing.put(m.userId(), m));
    Membership before = existing.get(user.id());
    Membership after = new Membership(team.id(), user.id(), role,
        before == null ? clock.instant() : before.createdAt());
    directory.put(after);
    ObjectNode view = views.membership(after);
    record(call, team, before == null ? "membership.create" : "membership.update", team.id() + "/" + user.id(),
        before == null ? null : views.membership(before), view);
    return view;
  }

  private JsonNode removeMember(AdminCall call) {
    Team team = visibleTeam(call, Action.MEMBERSHIP_WRITE);
    String userId = call.path("user_id");
    Membership before = directory.membershipsOfTeam(team.id()).stream().filter(m -> m.userId().equals(userId))
        .findFirst().orElseThrow(() -> ApiError.notFound("user '" + userId + "' is not a member of team '"
            + team.id() + "'").exception());
    directory.removeMembership(team.id(), userId);
    ObjectNode view = views.membership(before);
    record(call, team, "membership.delete", team.id() + "/" + userId, view, null);
    return view.put("deleted", true);
  }

  private Team visibleTeam(AdminCall call, Action action) {
    String id = call.path("id");
    Team team = directory.team(id).orElseThrow(() -> ApiError.notFound("no team '" + id + "'").exception());
    guard.require(call, action, Target.team(team.orgId(), team.id()), Action.TEAM_READ, "team '" + id + "'");
    return team;
  }

  private void record(AdminCall call, Team team, String action, String target, JsonNode before, JsonNode after) {
    audit.record(new AdminAudit.Change(call.principal(), team.orgId(), action, action.startsWith("membership") ? "membership"
        : "team", target, before, after, call.requestId(), call.sourceIp()));
  }

  /** A person's own organisation; the master key's default one. */
  static String ownOrg(Principal principal) {
    return switch (principal) {
      case Principal.Master m -> dev.tollgate.access.directory.Organization.DEFAULT_ID;
      case Principal.Person p -> p.orgId();
    };
  }
}
