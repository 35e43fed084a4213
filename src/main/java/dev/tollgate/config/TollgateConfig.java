package dev.tollgate.config;

import dev.tollgate.access.secrets.SecretsConfig;
import dev.tollgate.audit.AuditConfig;
import dev.tollgate.metering.budget.BudgetSettings;
import dev.tollgate.metering.ledger.LedgerConfig;
import dev.tollgate.metering.limits.LimitsConfig;

import java.util.List;
import java.util.Optional;

/** The whole validated configuration; immutable once loaded. */
public record TollgateConfig(
    ServerConfig server,
    DatabaseConfig database,
    AuthConfig auth,
    LoggingConfig logging,
    LedgerConfig ledger,
    LimitsConfig limits,
    BudgetSettings budgets,
    RoutingConfig routing,
    List<ProviderConfig> providers,
    List<ModelConfig> models,
    SecretsConfig secrets,
    AuditConfig audit) {

  public TollgateConfig {
    providers = List.copyOf(providers);
    models = List.copyOf(models);
  }

  public Optional<ProviderConfig> provider(String name) {
    return providers.stream().filter(p -> p.name().equals(name)).findFirst();
  }

  /** A copy listening on another port (tests bind to 0). */
  public TollgateConfig withPort(int port) {
    return new TollgateConfig(server.withPort(port), database, auth, logging, ledger, limits, budgets, routing, providers, models,
        secrets, audit);
  }

  /** A copy with other providers (credentials from the database in place). */
  public TollgateConfig withProviders(List<ProviderConfig> replaced) {
    return new TollgateConfig(server, database, auth, logging, ledger, limits, budgets, routing, replaced, models, secrets, audit);
  }
}
