package dev.tollgate.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.access.KeyService;
import dev.tollgate.access.directory.Directory;
import dev.tollgate.access.local.LocalAccounts;
import dev.tollgate.access.secrets.ProviderSecretsApi;
import dev.tollgate.access.session.Sessions;
import dev.tollgate.audit.AuditQuery;
import dev.tollgate.access.policy.Policy;
import dev.tollgate.metering.budget.LocalBudgetStore;
import dev.tollgate.routing.ModelCatalog;
import dev.tollgate.store.IdGenerator;
import dev.tollgate.store.JdbiUsageStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The admin REST API under {@code /admin/v1}: organisations, teams, members, users, keys, usage,
 * budgets, and who-am-I, every operation decided by one {@link Policy}. Assembles the routes;
 * {@link AdminRoutes} mounts them.
 */
public final class AdminApi {
  private final List<AdminRoute> routes;

  /**
   * @param budgets the budget store the data plane reserves against: the API defines budgets in it and
   *     reads their live status from it
   * @param configuredBudgets the ids of the budgets the configuration file declares now, read-only here
   */
  public AdminApi(Directory directory, KeyService keys, JdbiUsageStore usage, ModelCatalog catalog, Policy policy,
      AdminAudit audit, AuditQuery auditQuery, LocalAccounts local, Sessions sessions,
      Optional<ProviderSecretsApi> secrets, LocalBudgetStore budgets, Supplier<Set<String>> configuredBudgets, IdGenerator ids,
      ObjectMapper json, Clock clock) {
    Guard guard = new Guard(policy);
    Views views = new Views(json, clock);
    List<AdminRoute> all = new ArrayList<>();
    all.addAll(new MeApi(guard, views).routes());
    all.addAll(new OrganizationsApi(directory, guard, views, audit, ids, clock).routes());
    all.addAll(new TeamsApi(directory, guard, views, audit, ids, clock).routes());
    all.addAll(new UsersApi(directory, guard, views, audit, ids, clock, sessions, keys).routes());
    all.addAll(new CredentialsApi(local, directory, sessions, guard, views, audit).routes());
    all.addAll(new KeysApi(keys, directory, catalog, guard, views, audit, clock).routes());
    all.addAll(new UsageApi(usage, guard, json, clock).routes());
    all.addAll(new BudgetsApi(budgets, configuredBudgets, directory, keys, guard, audit, json).routes());
    all.addAll(new AuditApi(auditQuery, guard, views, clock).routes());
    all.addAll(new ProviderSecretsRoutes(secrets, guard, audit).routes());
    this.routes = List.copyOf(all);
  }

  public List<AdminRoute> routes() {
    return routes;
  }
}
