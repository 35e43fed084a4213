package dev.tollgate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.access.KeyService;
import dev.tollgate.access.directory.Directory;
import dev.tollgate.access.directory.Membership;
import dev.tollgate.access.directory.Scope;
import dev.tollgate.access.policy.Action;
import dev.tollgate.access.policy.Principal;
import dev.tollgate.access.policy.Target;
import dev.tollgate.admin.Doc.Schema;
import dev.tollgate.metering.budget.Budget;
import dev.tollgate.metering.budget.BudgetPeriod;
import dev.tollgate.metering.budget.BudgetRef;
import dev.tollgate.metering.budget.BudgetScope;
import dev.tollgate.metering.budget.BudgetStatus;
import dev.tollgate.metering.budget.LocalBudgetStore;
import dev.tollgate.server.ApiError;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code /admin/v1/budgets}: hard budgets on organisations, teams, users and keys, each with the status
 * of its current window. A budget's status is its entity's spend, so a budget is visible exactly where
 * that entity's usage is ({@link Action#BUDGET_READ}); defining one is an organisation admin's
 * ({@link Action#BUDGET_WRITE}). Budgets declared in the configuration file are read-only here: the
 * file is their source of truth and would undo any change at the next start.
 */
final class BudgetsApi {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,99}");
  private static final String CONFIG_PATH = "budgets.limits";

  private final LocalBudgetStore budgets;
  private final Supplier<Set<String>> configured;
  private final Directory directory;
  private final KeyService keys;
  private final Guard guard;
  private final AdminAudit audit;
  private final ObjectMapper json;

  /** @param configured the ids of the budgets declared in the configuration file (as reloaded) */
  BudgetsApi(LocalBudgetStore budgets, Supplier<Set<String>> configured, Directory directory, KeyService keys, Guard guard,
      AdminAudit audit, ObjectMapper json) {
    this.budgets = budgets;
    this.configured = configured;
    this.directory = directory;
    this.keys = keys;
    this.guard = guard;
    this.audit = audit;
    this.json = json;
  }

  List<AdminRoute> routes() {
    Schema kinds = Schema.oneOf("organization", "team", "user", "key");
    return List.of(
        AdminRoute.get("/admin/v1/budgets", Action.BUDGET_READ, "List budgets with the status of their current window",
            new Doc("listBudgets", new Doc.Listing("Budget", false), List.of(
                Doc.param("scope", kinds, "Only budgets on this kind of entity"),
                Doc.param("scope_id", Schema.string(), "Only budgets on the entity with this id")), List.of()),
            this::list),
        AdminRoute.get("/admin/v1/budgets/:id", Action.BUDGET_READ, "Get a budget and the status of its window",
            Doc.one("getBudget", "Budget"), this::get),
        AdminRoute.put("/admin/v1/budgets/:id", Action.BUDGET_WRITE,
            "Create or replace a budget (not one declared in the configuration file)",
            Doc.write("putBudget", "Budget",
                Doc.required("scope", kinds, "The kind of entity the budget limits"),
                Doc.required("scope_id", Schema.string(100), "The entity's id, in the caller's organization"),
                Doc.required("amount_usd", Schema.usd(), "The cap per period in US dollars, at most 6 decimals"),
                Doc.required("period", Schema.oneOf("daily", "weekly", "monthly", "lifetime"),
                    "When spend starts again from zero: UTC days, ISO weeks from Monday, calendar months, or never"),
                Doc.optional("thresholds", Schema.integers(1, 100), "Alert percentages, ascending; default: 50, 80, "
                    + "100")), this::put),
        AdminRoute.delete("/admin/v1/budgets/:id", Action.BUDGET_WRITE,
            "Delete a budget and its stored spend (not one declared in the configuration file)",
            Doc.one("deleteBudget", "Budget"), this::delete));
  }

  private JsonNode list(AdminCall call) {
    Optional<BudgetScope.Kind> kind = call.query("scope").map(s -> BudgetScope.Kind.parse(s).orElseThrow(() ->
        Body.bad("scope", "'scope' must be organization, team, user or key")));
    Optional<String> scopeId = call.query("scope_id");
    Scope scope = guard.scope(call, Action.BUDGET_READ);
    Map<BudgetScope, Optional<Target>> entities = new HashMap<>();
    ObjectNode root = json.createObjectNode().put("object", "list");
    ArrayNode data = root.putArray("data");
    for (BudgetStatus status : budgets.statuses()) {
      BudgetScope on = status.budget().scope();
      if (kind.isPresent() && on.kind() != kind.get() || scopeId.isPresent() && !on.id().equals(scopeId.get())) {
        continue;
      }
      if (visible(scope, entities.computeIfAbsent(on, this::target))) {
        data.add(view(status));
      }
    }
    return root.put("has_more", false).putNull("next_cursor");
  }

  /**
   * The list's rule, the policy's {@link Scope}: rows of the organisation, of the scope's teams, or
   * owned by the caller. A budget whose entity is gone belongs to nobody: only the master key sees it.
   */
  private static boolean visible(Scope scope, Optional<Target> entity) {
    if (entity.isEmpty()) {
      return scope.equals(Scope.everything());
    }
    Target t = entity.get();
    if (scope.orgId().isPresent() && !scope.orgId().equals(t.orgId())) {
      return false;
    }
    if (scope.teamIds().isEmpty()) {
      return true;
    }
    return t.teamIds().stream().anyMatch(scope.teamIds().get()::contains)
        || scope.ownerId().isPresent() && scope.ownerId().equals(t.ownerId());
  }

  private JsonNode get(AdminCall call) {
    return view(visibleBudget(call, Action.BUDGET_READ));
  }

  private JsonNode put(AdminCall call) {
    String id = budgetId(call);
    Body body = call.body();
    JsonNode raw = raw(call);
    BudgetScope.Kind kind = BudgetScope.Kind.parse(body.string("scope", 20)).orElseThrow(() ->
        Body.bad("scope", "'scope' must be organization, team, user or key"));
    String scopeId = body.string("scope_id", 100);
    if (!raw.has("amount_usd") || raw.get("amount_usd").isNull()) {
      throw Body.bad("amount_usd", "'amount_usd' is required");
    }
    long amount = Usd.micros(raw.get("amount_usd"), Budget.MAX_AMOUNT_MICROS).orElseThrow(() ->
        Body.bad("amount_usd", "'amount_usd' must be an amount of US dollars from 0 to "
            + Budget.MAX_AMOUNT_MICROS / 1_000_000 + " with at most 6 decimals, such as \"25.50\""));
    BudgetPeriod period = BudgetPeriod.parse(body.string("period", 20)).orElseThrow(() ->
        Body.bad("period", "'period' must be daily, weekly, monthly or lifetime"));
    List<Integer> thresholds = thresholds(raw.get("thresholds"));
    BudgetScope scope = new BudgetScope(kind, scopeId);
    Target target = target(scope).filter(t -> inCallersOrganisation(call.principal(), t)).orElseThrow(() ->
        Body.bad("scope_id", "no " + kind.wireName() + " '" + scopeId + "' in your organization"));
    guard.require(call, Action.BUDGET_WRITE, target, entityRead(kind), kind.wireName() + " '" + scopeId + "'");
    Optional<BudgetStatus> before = budgets.status(new BudgetRef(id));
    if (before.isPresent()) {
      // Replacing a budget moves it away from its old entity: that one must be the caller's to change too.
      requireOn(call, before.get(), Action.BUDGET_WRITE);
    }
    refuseConfigured(id);
    budgets.define(new Budget(id, scope, amount, period, thresholds));
    BudgetStatus after = budgets.status(new BudgetRef(id)).orElseThrow(() ->
        ApiError.conflict("budget '" + id + "' was deleted meanwhile; try again").exception());
    audit.record(new AdminAudit.Change(call.principal(), target.orgId().orElse(null),
        before.isPresent() ? "budget.update" : "budget.create", "budget", id,
        before.map(b -> definition(b.budget())).orElse(null), definition(after.budget()), call.requestId(),
        call.sourceIp()));
    return view(after);
  }

  private JsonNode delete(AdminCall call) {
    BudgetStatus status = visibleBudget(call, Action.BUDGET_WRITE);
    String id = status.budget().id();
    refuseConfigured(id);
    budgets.remove(id);
    Optional<String> orgId = target(status.budget().scope()).flatMap(Target::orgId);
    audit.record(new AdminAudit.Change(call.principal(), orgId.orElse(null), "budget.delete", "budget", id,
        definition(status.budget()), null, call.requestId(), call.sourceIp()));
    return view(status).put("deleted", true);
  }

  private void refuseConfigured(String id) {
    if (configured.get().contains(id)) {
      throw ApiError.conflict("budget '" + id + "' is declared in the configuration file (" + CONFIG_PATH
          + "); change it there").exception();
    }
  }

  private String budgetId(AdminCall call) {
    String id = call.path("id");
    if (!ID.matcher(id).matches()) {
      throw Body.bad("id", "a budget id is 1 to 100 letters, digits and . _ : - (starting with a letter or digit)");
    }
    return id;
  }

  private BudgetStatus visibleBudget(AdminCall call, Action action) {
    String id = call.path("id");
    BudgetStatus status = budgets.status(new BudgetRef(id)).orElseThrow(() ->
        ApiError.notFound("no budget '" + id + "'").exception());
    requireOn(call, status, action);
    return status;
  }

  /** Passes when {@code action} is allowed on the budget's entity; a budget whose entity is gone is the master key's. */
  private void requireOn(AdminCall call, BudgetStatus status, Action action) {
    String what = "budget '" + status.budget().id() + "'";
    Optional<Target> entity = target(status.budget().scope());
    if (entity.isEmpty()) {
      call.decided();
      if (!(call.principal() instanceof Principal.Master)) {
        throw ApiError.notFound("no " + what).exception();
      }
      return;
    }
    guard.require(call, action, entity.get(), Action.BUDGET_READ, what);
  }

  /** The entity as the policy sees it: its organisation, teams and owner; empty when it does not exist. */
  private Optional<Target> target(BudgetScope scope) {
    return switch (scope.kind()) {
      case ORGANIZATION -> directory.organization(scope.id()).map(o -> Target.organisation(o.id()));
      case TEAM -> directory.team(scope.id()).map(t -> Target.team(t.orgId(), t.id()));
      case USER -> directory.user(scope.id()).map(u -> Target.user(u.orgId(), directory.membershipsOfUser(u.id())
          .stream().map(Membership::teamId).collect(Collectors.toSet()), u.id()));
      case KEY -> keys.find(scope.id()).flatMap(k -> directory.team(k.teamId())
          .map(t -> Target.owned(t.orgId(), t.id(), k.userId())));
    };
  }

  private static Action entityRead(BudgetScope.Kind kind) {
    return switch (kind) {
      case ORGANIZATION -> Action.ORGANIZATION_READ;
      case TEAM -> Action.TEAM_READ;
      case USER -> Action.USER_READ;
      case KEY -> Action.KEY_READ;
    };
  }

  private static boolean inCallersOrganisation(Principal principal, Target target) {
    return switch (principal) {
      case Principal.Master m -> true;
      case Principal.Person p -> target.orgId().equals(Optional.of(p.orgId()));
    };
  }

  /** The body as a tree, for the fields {@link Body} has no reader for; {@code call.body()} has validated it. */
  private JsonNode raw(AdminCall call) {
    try {
      return json.readTree(call.context().body().buffer().getBytes());
    } catch (IOException e) {
      throw ApiError.invalidJson("it cannot be parsed").exception();
    }
  }

  private static List<Integer> thresholds(JsonNode value) {
    if (value == null || value.isNull()) {
      return Budget.DEFAULT_THRESHOLDS;
    }
    String rule = "'thresholds' must be at most " + Budget.MAX_THRESHOLDS + " ascending whole percentages from 1 to "
        + "100, each once, such as [50, 80, 100]";
    if (!value.isArray() || value.size() > Budget.MAX_THRESHOLDS) {
      throw Body.bad("thresholds", rule);
    }
    List<Integer> out = new ArrayList<>();
    int previous = 0;
    for (JsonNode item : value) {
      if (!item.isIntegralNumber() || !item.canConvertToInt() || item.intValue() <= previous || item.intValue() > 100) {
        throw Body.bad("thresholds", rule);
      }
      previous = item.intValue();
      out.add(previous);
    }
    return out;
  }

  /** The budget as defined: what the audit log records. */
  private ObjectNode definition(Budget b) {
    ObjectNode o = json.createObjectNode().put("id", b.id()).put("object", "budget")
        .put("scope", b.scope().kind().wireName()).put("scope_id", b.scope().id())
        .put("amount_usd", Usd.format(b.amountMicros())).put("amount_micros", b.amountMicros())
        .put("period", b.period().wireName());
    ArrayNode thresholds = o.putArray("thresholds");
    b.thresholdsPercent().forEach(thresholds::add);
    return o.put("managed_by", configured.get().contains(b.id()) ? "config" : "api");
  }

  /** The budget and its current window. */
  private ObjectNode view(BudgetStatus s) {
    ObjectNode o = definition(s.budget())
        .put("window_start", Views.time(s.windowStart()))
        .put("resets_at", s.resetsAt().map(Views::time).orElse(null));
    money(o, "spent", s.spentMicros());
    money(o, "reserved", s.reservedMicros());
    money(o, "remaining", s.remainingMicros());
    money(o, "overrun", s.overrunMicros());
    return o;
  }

  private static void money(ObjectNode o, String name, long micros) {
    o.put(name + "_usd", Usd.format(micros)).put(name + "_micros", micros);
  }
}
