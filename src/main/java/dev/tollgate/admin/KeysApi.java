package dev.tollgate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.access.ApiKey;
import dev.tollgate.access.Caller;
import dev.tollgate.access.KeyService;
import dev.tollgate.access.KeyStore;
import dev.tollgate.access.directory.Directory;
import dev.tollgate.access.directory.Team;
import dev.tollgate.access.policy.Action;
import dev.tollgate.access.policy.Principal;
import dev.tollgate.access.policy.Target;
import dev.tollgate.admin.Doc.Schema;
import dev.tollgate.routing.ModelCatalog;
import dev.tollgate.server.ApiError;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code /admin/v1/keys}: virtual keys of a team, acting for a person or (service accounts) for nobody.
 * The secret is in the answer to creation and rotation only.
 */
final class KeysApi {
  private static final int METADATA_BYTES = 16 * 1024;

  private final KeyService keys;
  private final Directory directory;
  private final ModelCatalog catalog;
  private final Guard guard;
  private final Views views;
  private final AdminAudit audit;
  private final Clock clock;

  KeysApi(KeyService keys, Directory directory, ModelCatalog catalog, Guard guard, Views views, AdminAudit audit,
      Clock clock) {
    this.keys = keys;
    this.directory = directory;
    this.catalog = catalog;
    this.guard = guard;
    this.views = views;
    this.audit = audit;
    this.clock = clock;
  }

  List<AdminRoute> routes() {
    return List.of(
        AdminRoute.get("/admin/v1/keys", Action.KEY_READ, "List keys", Doc.list("listKeys", "ApiKey",
            Doc.param("team_id", Schema.string(), "Only keys of this team"),
            Doc.param("user_id", Schema.string(), "Only keys acting for this user"),
            Doc.param("status", Schema.oneOf("active", "expired", "revoked"), "Only keys in this state")),
            this::list),
        AdminRoute.post("/admin/v1/keys", Action.KEY_CREATE, "Create a key (the secret is shown once)", 201,
            Doc.write("createKey", "CreatedApiKey",
                Doc.required("name", Schema.string(200), "A label for people; not unique"),
                Doc.optional("models", Schema.strings(), "The models the key may call; empty or absent: all"),
                Doc.optional("expires_at", Schema.instant(), "When the key stops working; in the future"),
                Doc.optional("metadata", Schema.object(METADATA_BYTES), "Caller-defined values"),
                Doc.optional("team_id", Schema.string(100), "The team; default: the caller's only team "
                    + "(the master key's: the default team)"),
                Doc.optional("user_id", Schema.string(100), "The member the key acts for; default: the caller"),
                Doc.optional("service_account", Schema.bool(), "true: the key acts for nobody (not with user_id)")),
            this::create),
        AdminRoute.get("/admin/v1/keys/:id", Action.KEY_READ, "Get a key", Doc.one("getKey", "ApiKey"), this::get),
        AdminRoute.delete("/admin/v1/keys/:id", Action.KEY_UPDATE, "Revoke a key", Doc.one("revokeKey", "ApiKey"),
            this::revoke),
        AdminRoute.post("/admin/v1/keys/:id/rotate", Action.KEY_UPDATE,
            "Give a key a new secret; the old one stays valid for grace_seconds", 200,
            Doc.write("rotateKey", "CreatedApiKey", Doc.optional("grace_seconds",
                Schema.integer(0, KeyService.MAX_GRACE.toSeconds()), "How long the old secret keeps working; "
                    + "default: 0")), this::rotate));
  }

  private JsonNode list(AdminCall call) {
    Optional<KeyStore.Status> status = call.query("status").map(s -> switch (s) {
      case "active" -> KeyStore.Status.ACTIVE;
      case "expired" -> KeyStore.Status.EXPIRED;
      case "revoked" -> KeyStore.Status.REVOKED;
      default -> throw Body.bad("status", "'status' must be active, expired or revoked");
    });
    KeyStore.Filter filter = new KeyStore.Filter(call.query("team_id"), call.query("user_id"), status,
        clock.instant());
    return views.list(keys.list(guard.scope(call, Action.KEY_READ), filter, call.page()),
        views::key);
  }

  private JsonNode create(AdminCall call) {
    Body body = call.body();
    String name = body.string("name", 200);
    Principal principal = call.principal();
    String teamId = body.optionalString("team_id", 100).orElseGet(() -> defaultTeam(principal));
    boolean serviceAccount = body.optionalBoolean("service_account").orElse(false);
    if (serviceAccount && body.has("user_id")) {
      throw Body.bad("user_id", "a service account key acts for nobody: give 'user_id' or 'service_account', not both");
    }
    Optional<String> userId = serviceAccount ? Optional.empty() : body.optionalString("user_id", 100)
        .or(() -> principal instanceof Principal.Person p ? Optional.of(p.user().id()) : Optional.empty());
    Team team = directory.team(teamId).orElseThrow(() ->
        ApiError.invalidRequest("no team '" + teamId + "'", "team_id").exception());
    guard.require(call, Action.KEY_CREATE, Target.owned(team.orgId(), team.id(), userId), Action.TEAM_READ,
        "team '" + teamId + "'");
    if (userId.isPresent() && directory.membershipsOfUser(userId.get()).stream()
        .noneMatch(m -> m.teamId().equals(team.id()))) {
      throw ApiError.invalidRequest("user '" + userId.get() + "' is not a member of team '" + team.id()
          + "'; a key acts for a member of its team", "user_id").exception();
    }
    Set<String> models = body.strings("models");
    for (String model : models) {
      if (catalog.find(model).isEmpty()) {
        throw Body.bad("models", "unknown model '" + model + "'");
      }
    }
    Optional<Instant> expiresAt = body.optionalInstant("expires_at");
    if (expiresAt.isPresent() && !expiresAt.get().isAfter(clock.instant())) {
      throw Body.bad("expires_at", "'expires_at' must be in the future");
    }
    Map<String, Object> metadata = body.object("metadata", METADATA_BYTES);
    KeyService.Created created = keys.create(new KeyService.Spec(name, team.id(), userId, models, expiresAt,
        metadata));
    ObjectNode view = views.key(created.key());
    record(call, "key.create", created.key(), null, view);
    return view.deepCopy().put("key", created.secret());
  }

  private JsonNode get(AdminCall call) {
    return views.key(visibleKey(call, Action.KEY_READ));
  }

  private JsonNode revoke(AdminCall call) {
    ApiKey key = visibleKey(call, Action.KEY_UPDATE);
    ApiKey revoked = keys.revoke(key.id()).orElseThrow(() -> ApiError.notFound("no key '" + key.id() + "'")
        .exception());
    ObjectNode view = views.key(revoked);
    if (!key.revoked()) {
      record(call, "key.revoke", key, views.key(key), view);
    }
    return view;
  }

  private JsonNode rotate(AdminCall call) {
    ApiKey key = visibleKey(call, Action.KEY_UPDATE);
    Body body = call.body();
    long grace = body.optionalLong("grace_seconds", 0, KeyService.MAX_GRACE.toSeconds()).orElse(0L);
    if (key.revoked()) {
      throw ApiError.conflict("key '" + key.id() + "' is revoked; create a new one").exception();
    }
    KeyService.Created rotated = keys.rotate(key.id(), Duration.ofSeconds(grace)).orElseThrow(() ->
        ApiError.conflict("key '" + key.id() + "' changed meanwhile; try again").exception());
    ObjectNode view = views.key(rotated.key());
    record(call, "key.rotate", key, views.key(key), view);
    return view.deepCopy().put("key", rotated.secret());
  }

  private ApiKey visibleKey(AdminCall call, Action action) {
    String id = call.path("id");
    ApiKey key = keys.find(id).orElseThrow(() -> ApiError.notFound("no key '" + id + "'").exception());
    String orgId = directory.team(key.teamId()).map(Team::orgId).orElse("");
    guard.require(call, action, Target.owned(orgId, key.teamId(), key.userId()), Action.KEY_READ,
        "key '" + id + "'");
    return key;
  }

  private void record(AdminCall call, String action, ApiKey key, JsonNode before, JsonNode after) {
    String orgId = directory.team(key.teamId()).map(Team::orgId).orElse(null);
    audit.record(new AdminAudit.Change(call.principal(), orgId, action, "api_key", key.id(), before, after, call.requestId(),
        call.sourceIp()));
  }

  /** The master key's keys go to the default team; a person's to their only team, if they have one. */
  private String defaultTeam(Principal principal) {
    return switch (principal) {
      case Principal.Master m -> Caller.DEFAULT_TEAM;
      case Principal.Person p -> {
        if (p.teamRoles().size() == 1) {
          yield p.teamRoles().keySet().iterator().next();
        }
        throw Body.bad("team_id", "'team_id' is required: you are in " + p.teamRoles().size()
            + " teams".toLowerCase(Locale.ROOT));
      }
    };
  }
}
