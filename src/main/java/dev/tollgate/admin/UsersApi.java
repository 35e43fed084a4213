package dev.tollgate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.access.KeyService;
import dev.tollgate.access.Role;
import dev.tollgate.access.directory.Directory;
import dev.tollgate.access.directory.Membership;
import dev.tollgate.access.directory.User;
import dev.tollgate.access.policy.Action;
import dev.tollgate.admin.Doc.Schema;
import dev.tollgate.access.policy.Principal;
import dev.tollgate.access.policy.Target;
import dev.tollgate.access.session.Sessions;
import dev.tollgate.server.ApiError;
import dev.tollgate.store.Constraints;
import dev.tollgate.store.IdGenerator;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** {@code /admin/v1/users}: people, their organisation role, and disabling them. */
final class UsersApi {
  private static final Schema ORG_ROLE = Schema.oneOf("admin", "member", "viewer", "auditor");
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

  private final Directory directory;
  private final Guard guard;
  private final Views views;
  private final AdminAudit audit;
  private final IdGenerator ids;
  private final Clock clock;
  private final Sessions sessions;
  private final KeyService keys;

  UsersApi(Directory directory, Guard guard, Views views, AdminAudit audit, IdGenerator ids, Clock clock,
      Sessions sessions, KeyService keys) {
    this.sessions = sessions;
    this.keys = keys;
    this.directory = directory;
    this.guard = guard;
    this.views = views;
    this.audit = audit;
    this.ids = ids;
    this.clock = clock;
  }

  List<AdminRoute> routes() {
    return List.of(
        AdminRoute.get("/admin/v1/users", Action.USER_READ, "List users", Doc.list("listUsers", "User",
            Doc.param("team_id", Schema.string(), "Only members of this team"),
            Doc.param("email", Schema.string(), "Only the user with this email (case-insensitive)"),
            Doc.param("role", ORG_ROLE, "Only users with this organization role"),
            Doc.param("status", Schema.oneOf("active", "disabled"), "Only active or only disabled users")),
            this::list),
        AdminRoute.post("/admin/v1/users", Action.USER_CREATE, "Create a user", 201, Doc.write("createUser", "User",
            Doc.required("email", Schema.email(320), "Unique; stored in lower case"),
            Doc.optional("name", Schema.string(200), "Display name"),
            Doc.optional("role", ORG_ROLE, "Organization role; default: member"),
            Doc.optional("org_id", Schema.string(100), "The organization; default: the caller's own")),
            this::create),
        AdminRoute.get("/admin/v1/users/:id", Action.USER_READ, "Get a user", Doc.one("getUser", "User"), this::get),
        AdminRoute.patch("/admin/v1/users/:id", Action.USER_UPDATE, "Change a user's name or role, or disable them",
            Doc.write("updateUser", "User",
                Doc.optional("name", Schema.string(200), "Display name"),
                Doc.optional("role", ORG_ROLE, "Organization role; nobody changes their own"),
                Doc.optional("disabled", Schema.bool(), "true disables the user (nobody disables themselves), "
                    + "false enables them")), this::update));
  }

  private JsonNode list(AdminCall call) {
    Optional<Role> role = call.query("role").map(r -> Role.parse(r).filter(Role::organisationWide)
        .orElseThrow(() -> Body.bad("role", "'role' must be admin, member, viewer or auditor")));
    Optional<Boolean> disabled = call.query("status").map(s -> switch (s) {
      case "active" -> false;
      case "disabled" -> true;
      default -> throw Body.bad("status", "'status' must be active or disabled");
    });
    Directory.UserFilter filter = new Directory.UserFilter(call.query("team_id"),
        call.query("email").map(e -> e.toLowerCase(Locale.ROOT)), role, disabled);
    return views.list(directory.users(guard.scope(call, Action.USER_READ), filter, call.page()),
        views::user);
  }

  private JsonNode create(AdminCall call) {
    Body body = call.body();
    String orgId = body.optionalString("org_id", 100).orElseGet(() -> TeamsApi.ownOrg(call.principal()));
    guard.require(call, Action.USER_CREATE, Target.organisation(orgId), Action.ORGANIZATION_READ,
        "organization '" + orgId + "'");
    if (directory.organization(orgId).isEmpty()) {
      throw ApiError.invalidRequest("no organization '" + orgId + "'", "org_id").exception();
    }
    String email = email(body.string("email", 320));
    Role role = orgRole(body.optionalString("role", 20).orElse("member"));
    Instant now = clock.instant();
    User user = new User(ids.next(), orgId, email, body.optionalString("name", 200), role, Optional.empty(),
        Optional.empty(), now, now);
    try {
      directory.insert(user);
    } catch (RuntimeException e) {
      if (Constraints.isUniqueViolation(e)) {
        throw ApiError.conflict("a user with email '" + email + "' exists").exception();
      }
      throw e;
    }
    ObjectNode view = views.user(user);
    audit.record(new AdminAudit.Change(call.principal(), user.orgId(), "user.create", "user", user.id(), null, view,
        call.requestId(), call.sourceIp()));
    return view;
  }

  private JsonNode get(AdminCall call) {
    return views.user(visibleUser(call, Action.USER_READ));
  }

  private JsonNode update(AdminCall call) {
    User user = visibleUser(call, Action.USER_UPDATE);
    Body body = call.body();
    Role role = body.optionalString("role", 20).map(UsersApi::orgRole).orElse(user.role());
    Optional<Boolean> disable = body.optionalBoolean("disabled");
    boolean self = call.principal() instanceof Principal.Person p && p.user().id().equals(user.id());
    if (self && (role != user.role() || disable.orElse(false))) {
      // An admin who demotes or disables themselves may leave nobody able to undo it.
      throw ApiError.forbidden("you cannot change your own role or disable yourself").exception();
    }
    Optional<Instant> disabledAt = disable.map(d -> d ? user.disabledAt().or(() -> Optional.of(clock.instant()))
        : Optional.<Instant>empty()).orElse(user.disabledAt());
    User changed = new User(user.id(), user.orgId(), user.email(),
        body.has("name") ? body.optionalString("name", 200) : user.name(), role, user.identity(), disabledAt,
        user.createdAt(), clock.instant());
    directory.update(changed);
    if (changed.disabled() && !user.disabled()) {
      sessions.endAll(user.id());
    }
    if (changed.disabled() != user.disabled()) {
      keys.refreshOwnedBy(user.id());
    }
    ObjectNode before = views.user(user);
    ObjectNode after = views.user(changed);
    String action = role != user.role() ? "user.role_change"
        : disabledAt.isPresent() != user.disabledAt().isPresent() ? (disabledAt.isPresent() ? "user.disable"
        : "user.enable") : "user.update";
    audit.record(new AdminAudit.Change(call.principal(), user.orgId(), action, "user", user.id(), before, after,
        call.requestId(), call.sourceIp()));
    return after;
  }

  private User visibleUser(AdminCall call, Action action) {
    String id = call.path("id");
    User user = directory.user(id).orElseThrow(() -> ApiError.notFound("no user '" + id + "'").exception());
    Set<String> teams = directory.membershipsOfUser(id).stream().map(Membership::teamId).collect(Collectors.toSet());
    guard.require(call, action, Target.user(user.orgId(), teams, user.id()), Action.USER_READ, "user '" + id + "'");
    return user;
  }

  static String email(String raw) {
    String email = raw.toLowerCase(Locale.ROOT);
    if (!EMAIL.matcher(email).matches()) {
      throw Body.bad("email", "'email' must be an email address");
    }
    return email;
  }

  private static Role orgRole(String wire) {
    return Role.parse(wire).filter(Role::organisationWide)
        .orElseThrow(() -> Body.bad("role", "'role' must be admin, member, viewer or auditor"));
  }
}
