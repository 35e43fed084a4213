package dev.tollgate;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tollgate.access.Authenticator;
import dev.tollgate.access.JwtCallers;
import dev.tollgate.access.KeyCache;
import dev.tollgate.access.KeySecrets;
import dev.tollgate.access.KeyService;
import dev.tollgate.access.SignInHousekeeping;
import dev.tollgate.access.directory.Organization;
import dev.tollgate.access.local.LocalAccounts;
import dev.tollgate.access.oidc.OidcSignIn;
import dev.tollgate.access.secrets.CipherSealer;
import dev.tollgate.access.secrets.ManagedCredentials;
import dev.tollgate.access.secrets.ProviderSecretStore;
import dev.tollgate.access.secrets.ProviderSecrets;
import dev.tollgate.access.secrets.ProviderSecretsApi;
import dev.tollgate.access.secrets.SecretCipher;
import dev.tollgate.access.session.Sessions;
import dev.tollgate.access.signin.UserProvisioner;
import dev.tollgate.admin.ChainedAudit;
import dev.tollgate.admin.SignInApi;
import dev.tollgate.audit.AuditLog;
import dev.tollgate.audit.AuditQuery;
import dev.tollgate.store.JdbiPendingLoginStore;
import dev.tollgate.store.JdbiSessionStore;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import dev.tollgate.admin.AdminApi;
import dev.tollgate.admin.AdminAudit;
import dev.tollgate.admin.AdminAuthenticator;
import dev.tollgate.admin.AdminRoute;
import dev.tollgate.admin.AdminRoutes;
import dev.tollgate.access.policy.Policy;
import dev.tollgate.store.JdbiDirectory;
import dev.tollgate.admin.ProviderHealthApi;
import dev.tollgate.provider.probe.ProviderProbe;
import dev.tollgate.provider.probe.ProviderProbes;
import dev.tollgate.config.ConfigException;
import dev.tollgate.config.TollgateConfig;
import dev.tollgate.metering.Settlement;
import dev.tollgate.metering.TokenCounter;
import dev.tollgate.access.KnownTeams;
import dev.tollgate.metering.Meter;
import dev.tollgate.metering.WorstCase;
import dev.tollgate.metering.budget.Budget;
import dev.tollgate.metering.budget.BudgetService;
import dev.tollgate.metering.budget.LocalBudgetStore;
import dev.tollgate.metering.ledger.Ledger;
import dev.tollgate.metering.limits.RateLimiter;
import dev.tollgate.store.JdbiBudgetPersistence;
import dev.tollgate.config.ModelConfig;
import dev.tollgate.metering.Pricing;
import java.util.concurrent.atomic.AtomicReference;
import dev.tollgate.observe.GatewayMetrics;
import dev.tollgate.observe.HealthService;
import dev.tollgate.protocol.openai.RequestDecoder;
import dev.tollgate.protocol.openai.RequestEncoder;
import dev.tollgate.routing.ModelCatalog;
import dev.tollgate.provider.OpenAiErrorClassifier;
import dev.tollgate.routing.DeploymentSelector;
import dev.tollgate.routing.Router;
import dev.tollgate.server.Async;
import dev.tollgate.protocol.anthropic.AnthropicRequestDecoder;
import dev.tollgate.protocol.openai.translate.OpenAiChatDecoder;
import dev.tollgate.server.CodecProviders;
import dev.tollgate.server.DataPlane;
import dev.tollgate.server.GatewayVerticle;
import dev.tollgate.server.InFlight;
import dev.tollgate.server.ModelsHandler;
import dev.tollgate.store.Database;
import dev.tollgate.store.IdGenerator;
import dev.tollgate.store.JdbiKeyStore;
import dev.tollgate.store.JdbiUsageStore;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds every component from the validated configuration, passes
 * dependencies through constructors, starts the servers, and shuts everything down in order. No
 * static state, so tests run many gateways in one JVM.
 */
public final class Tollgate implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Tollgate.class);
  private static final Logger budgetLog = LoggerFactory.getLogger("tollgate.budget");

  private final TollgateConfig config;
  private final GatewayMetrics metrics;
  private final Database database;
  private final ExecutorService blocking;
  private final Ledger ledger;
  private final LocalBudgetStore budgetStore;
  private final RateLimiter limiter;
  private final AtomicReference<Pricing> pricing;
  private volatile TollgateConfig running;
  private final JdbiUsageStore usageStore;
  private final KeyService keyService;
  private final InFlight inFlight;
  private final Router router;
  private final CodecProviders codecProviders;
  private final Vertx vertx;
  private final List<String> deployments = new ArrayList<>();
  private final List<GatewayVerticle> servers = new ArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private int port;

  private Tollgate(TollgateConfig config, VertxOptions vertxOptions, Clock clock) {
    this.config = config;
    this.running = config;
    this.metrics = new GatewayMetrics();
    this.blocking = Executors.newVirtualThreadPerTaskExecutor();
    this.database = Database.open(config.database(), metrics.registry());
    IdGenerator ids = new IdGenerator(clock, ThreadLocalRandom::current);
    ObjectMapper json = JsonMapper.builder()
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
        .build();

    JdbiKeyStore keyStore = new JdbiKeyStore(database.jdbi());
    KeyCache keyCache = new KeyCache(keyStore, blocking, Duration.ofSeconds(30), Duration.ofSeconds(2), 100_000);
    JdbiDirectory directory = new JdbiDirectory(database.jdbi());
    Authenticator authenticator = new Authenticator(config.auth().masterKey(), keyCache, clock,
        config.auth().jwt().map(jwt -> JwtCallers.of(jwt, directory, blocking, clock)));
    this.keyService = new KeyService(keyStore, keyCache, new KeySecrets(new SecureRandom()), ids, clock);

    this.usageStore = new JdbiUsageStore(database.jdbi());
    this.ledger = Ledger.open(config.ledger(), usageStore, clock);
    metrics.gauge("tollgate.ledger.lag.events", "Usage events in the local log, not yet in the database",
        () -> ledger.status().lagEvents());
    metrics.gauge("tollgate.ledger.lag.seconds", "Age of the oldest usage event not yet in the database",
        () -> ledger.status().lagAge().toMillis() / 1000.0);
    metrics.gauge("tollgate.ledger.disk.bytes", "Bytes of the usage ledger's local log",
        () -> ledger.status().diskBytes());
    metrics.gauge("tollgate.ledger.flushed", "Usage events written to the database since start",
        () -> ledger.status().flushed());
    this.limiter = new RateLimiter(config.limits(), clock);
    this.budgetStore = new LocalBudgetStore(new JdbiBudgetPersistence(database.jdbi()), crossed ->
        budgetLog.atInfo().addKeyValue("budget", crossed.budget().id()).addKeyValue("percent", crossed.percent())
            .addKeyValue("spent_micros", crossed.spentMicros())
            .log("budget {} crossed {}% of its {} amount", crossed.budget().id(), crossed.percent(),
                crossed.budget().period().wireName()),
        clock, ids, config.budgets().flushInterval(), config.budgets().reservationTtl());
    BudgetService budgets = new BudgetService(budgetStore, config.budgets().reservationTtl());
    this.inFlight = new InFlight();
    metrics.gauge("tollgate.requests.in.flight", "Proxied requests in progress", inFlight::count);

    TokenCounter tokens = new TokenCounter();
    ModelCatalog catalog = ModelCatalog.of(config.models());
    Async async = new Async(blocking);
    this.pricing = new AtomicReference<>(Pricing.of(config.models()));
    this.codecProviders = new CodecProviders(json, clock);
    Settlement settlement = new Settlement(() -> pricing.get().prices(), tokens, metrics, clock);
    KnownTeams teams = new KnownTeams(directory, blocking, clock, Duration.ofSeconds(30), Duration.ofSeconds(2));
    Meter meter = new Meter(ledger, limiter, budgets, settlement, new WorstCase(tokens), pricing::get,
        teams::organizationOf);
    DeploymentSelector selector =
        new DeploymentSelector(ThreadLocalRandom::current, () -> pricing.get().prices(), clock);
    this.router = new Router(catalog, config.routing(), selector, ThreadLocalRandom::current, clock);
    DataPlane plane = new DataPlane(config, authenticator, new RequestDecoder(), new RequestEncoder(json), catalog,
        router, new OpenAiErrorClassifier(clock), codecProviders, new OpenAiChatDecoder(json),
        new AnthropicRequestDecoder(json), meter, tokens, metrics, json, async,
        inFlight, ids, clock);
    Policy policy = new Policy();
    this.auditLog = new AuditLog(database, config.audit(), ids, clock);
    AdminAudit audit = new ChainedAudit(auditLog);
    SecureRandom random = new SecureRandom();
    Optional<SecretCipher> cipher = config.secrets().keys().map(k -> new SecretCipher(k, random));
    LocalAccounts localAccounts = LocalAccounts.create(config.auth().local(), database.jdbi(),
        new CipherSealer(cipher), random, clock);
    Sessions sessions = new Sessions(new JdbiSessionStore(database.jdbi()), config.auth().sessions(), random, clock);
    AdminApi admin = new AdminApi(directory, keyService, usageStore, catalog, policy, audit,
        new AuditQuery(database.jdbi()), localAccounts, sessions, cipher.map(c -> new ProviderSecretsApi(
            new ProviderSecrets(new ProviderSecretStore(database.jdbi()), c, clock),
            name -> config.provider(name).isPresent(), json)), budgetStore, () -> declaredBudgets(running), ids, json,
        clock);
    JdbiPendingLoginStore pendingLogins = new JdbiPendingLoginStore(database.jdbi());
    Optional<OidcSignIn> oidc = config.auth().oidc().map(settings -> new OidcSignIn(settings, pendingLogins,
        blocking, clock, random));
    this.housekeeping = new SignInHousekeeping(sessions, localAccounts, pendingLogins, clock);
    SignInApi signIn = new SignInApi(directory, localAccounts, sessions, oidc,
        new UserProvisioner(directory, Organization.DEFAULT_ID,
            config.auth().oidc().map(o -> o.groupRoles()).orElse(Map.of()),
            config.auth().oidc().map(o -> o.groupTeams()).orElse(Map.of()), ids, clock), auditLog, async, json, clock);
    ModelsHandler models = new ModelsHandler(authenticator, catalog, json, clock.instant().getEpochSecond());
    HealthService health = new HealthService(database, ledger, keyCache, config.providers(), blocking, router);
    router.health().forEach((id, h) -> {
      String[] parts = id.split("::", 2);
      metrics.deploymentGauges(parts[0], parts[1], () -> switch (h.breakerState()) {
        case CLOSED, DISABLED, METRICS_ONLY -> 0;
        case OPEN, FORCED_OPEN -> 1;
        case HALF_OPEN -> 2;
      }, h::coolingForMillis, h::inFlight);
    });

    this.vertx = Vertx.builder().with(vertxOptions.setPreferNativeTransport(true)).build();
    ProviderHealthApi providerHealth = new ProviderHealthApi(
        new ProviderProbes(new ProviderProbe(json, clock, Duration.ofSeconds(10))), config.providers(), json, clock);
    List<AdminRoute> adminRoutes = new ArrayList<>(admin.routes());
    adminRoutes.addAll(providerHealth.routes(vertx, policy));
    this.adminRoutes = List.copyOf(adminRoutes);
    AdminRoutes adminApi = new AdminRoutes(adminRoutes, new AdminAuthenticator(authenticator, keyStore, directory,
        sessions), async, json);
    this.serverFactory = p -> new GatewayVerticle(plane, adminApi, signIn, models, health, p);
  }

  private final java.util.function.IntFunction<GatewayVerticle> serverFactory;
  private final List<AdminRoute> adminRoutes;
  private final AuditLog auditLog;
  private final SignInHousekeeping housekeeping;

  /** Migrates the database, starts the usage ledger, the budgets and the servers; returns once listening. */
  public static Tollgate start(TollgateConfig config) {
    return start(config, new VertxOptions(), Clock.systemUTC());
  }

  public static Tollgate start(TollgateConfig config, VertxOptions vertxOptions, Clock clock) {
    config = withStoredCredentials(config, clock);
    // Keys that parse only now (service-account keys) are configuration mistakes: say so before opening anything.
    List<String> keyProblems = new CodecProviders(new ObjectMapper(), clock).problems(config.providers());
    if (!keyProblems.isEmpty()) {
      throw new ConfigException(keyProblems);
    }
    int loops = config.server().eventLoops() > 0 ? config.server().eventLoops()
        : Runtime.getRuntime().availableProcessors();
    Tollgate gateway = new Tollgate(config, vertxOptions.setEventLoopPoolSize(loops), clock);
    try {
      gateway.startAll(loops);
      return gateway;
    } catch (RuntimeException e) {
      gateway.close();
      throw e;
    }
  }

  /**
   * The configuration with provider credentials managed through the admin API in place. They are read
   * once, at start: a key changed through the API applies at each node's next start.
   */
  private static TollgateConfig withStoredCredentials(TollgateConfig config, Clock clock) {
    if (config.secrets().keys().isEmpty()) {
      return config.withProviders(ManagedCredentials.apply(config.providers(), Optional.empty()));
    }
    try (Database db = Database.open(config.database(), null)) {
      db.migrate();
      ProviderSecrets secrets = new ProviderSecrets(new ProviderSecretStore(db.jdbi()),
          new SecretCipher(config.secrets().keys().get(), new SecureRandom()), clock);
      return config.withProviders(ManagedCredentials.apply(config.providers(), Optional.of(secrets)));
    }
  }

  private void startAll(int loops) {
    int applied = database.migrate();
    if (applied > 0) {
      log.info("applied {} database migration(s) to {}", applied, database.dialect());
    }
    // Budgets load their spend from the ledger's aggregates: let the previous run's events in first.
    ledger.start();
    if (!ledger.awaitDrained(Duration.ofSeconds(30))) {
      log.warn("usage ledger: the previous run's events are not all in the database yet ({} waiting); budgets "
          + "start from what is", ledger.status().lagEvents());
    }
    budgetStore.start();
    for (Budget budget : config.budgets().budgets()) {
      budgetStore.define(budget); // the file is the source of truth for the budgets it declares
    }
    // Hourly, on a virtual thread: the timer stops with Vert.x at shutdown.
    vertx.setPeriodic(Duration.ofHours(1).toMillis(), id -> blocking.execute(housekeeping));
    // Every instance listens on the same address and Vert.x shares the socket among them. For a
    // random port (0) Vert.x's convention is a negative port: one random port shared by all.
    int bind = config.server().port() == 0 ? -1 : config.server().port();
    GatewayVerticle first = serverFactory.apply(bind);
    deployments.add(vertx.deployVerticle(first).await());
    servers.add(first);
    port = first.actualPort();
    for (int i = 1; i < loops; i++) {
      GatewayVerticle next = serverFactory.apply(bind);
      deployments.add(vertx.deployVerticle(next, new DeploymentOptions()).await());
      servers.add(next);
      if (next.actualPort() != port) {
        throw new IllegalStateException("server instances bound different ports: " + port + " and " + next.actualPort());
      }
    }
    log.info("listening on {}:{} with {} event loop(s)", config.server().host(), port, loops);
  }

  public int port() {
    return port;
  }

  public TollgateConfig config() {
    return config;
  }

  public JdbiUsageStore usageStore() {
    return usageStore;
  }

  /** Routing state: each deployment's breaker, cooldown and latency. */
  public Router router() {
    return router;
  }

  /**
   * Applies a reloaded configuration while running: rate limits, the budgets the file declares and
   * model prices and output caps take effect for the next call (calls in flight keep what they were
   * admitted with). Returns the sections that changed but apply only at the next restart. Blocks
   * (budgets are written to the database); call it off the event loops.
   */
  public synchronized List<String> reconfigure(TollgateConfig next) {
    TollgateConfig previous = running;
    limiter.update(next.limits());
    for (Budget budget : next.budgets().budgets()) {
      budgetStore.define(budget);
    }
    // A budget the file no longer declares is gone (its spend stays in the ledger).
    Set<String> kept = declaredBudgets(next);
    for (String id : declaredBudgets(previous)) {
      if (!kept.contains(id)) {
        budgetStore.remove(id);
      }
    }
    pricing.set(Pricing.of(next.models()));
    running = next;
    List<String> restart = new ArrayList<>();
    check(restart, "server", previous.server(), next.server());
    check(restart, "database", previous.database(), next.database());
    check(restart, "auth", previous.auth(), next.auth());
    check(restart, "logging", previous.logging(), next.logging());
    check(restart, "ledger", previous.ledger(), next.ledger());
    check(restart, "budgets.reservation_ttl / flush_interval", List.of(previous.budgets().reservationTtl(),
        previous.budgets().flushInterval()), List.of(next.budgets().reservationTtl(), next.budgets().flushInterval()));
    check(restart, "routing", previous.routing(), next.routing());
    check(restart, "providers", previous.providers(), next.providers());
    check(restart, "models (other than price and max_output_tokens)", routingOf(previous.models()),
        routingOf(next.models()));
    check(restart, "secrets", previous.secrets(), next.secrets());
    check(restart, "audit", previous.audit(), next.audit());
    return restart;
  }

  private static Set<String> declaredBudgets(TollgateConfig config) {
    return config.budgets().budgets().stream().map(Budget::id).collect(Collectors.toUnmodifiableSet());
  }

  private static List<ModelConfig> routingOf(List<ModelConfig> models) {
    return models.stream().map(m -> new ModelConfig(m.name(), m.deployments(), m.routing(), Optional.empty())).toList();
  }

  private static void check(List<String> restart, String section, Object before, Object after) {
    if (!java.util.Objects.equals(before, after)) {
      restart.add(section);
    }
  }

  /** The usage ledger: its write-ahead log and flusher. */
  public Ledger ledger() {
    return ledger;
  }

  /** The caller-side rate limiter (its configuration can be changed while running). */
  public RateLimiter limiter() {
    return limiter;
  }

  /** The budget store of this node. */
  public LocalBudgetStore budgets() {
    return budgetStore;
  }

  public KeyService keys() {
    return keyService;
  }

  /** The hash-chained audit log. */
  public AuditLog audit() {
    return auditLog;
  }

  /** Every admin API route, as mounted (the OpenAPI document and the role matrix test read it). */
  public List<AdminRoute> adminRoutes() {
    return adminRoutes;
  }

  public GatewayMetrics metrics() {
    return metrics;
  }

  public Database database() {
    return database;
  }

  public int inFlight() {
    return inFlight.count();
  }

  /**
   * Graceful stop: servers stop accepting and let in-flight requests finish (up to the drain
   * timeout), then every usage record is written, then the pools close. Idempotent.
   */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    List<Throwable> failures = new ArrayList<>();
    Duration drain = config.server().drainTimeout();
    long started = System.nanoTime();
    log.info("shutting down: no new connections; waiting up to {} ms for {} request(s) in flight",
        drain.toMillis(), inFlight());
    run(failures, () -> Future.all(servers.stream().map(s -> s.drain(drain)).toList()).await());
    if (inFlight() > 0) {
      log.warn("drain timeout reached with {} request(s) still in flight; closing them", inFlight());
    }
    for (String id : deployments) {
      run(failures, () -> vertx.undeploy(id).await());
    }
    run(failures, () -> ledger.close(Duration.ofSeconds(30)));
    log.info("usage ledger closed: {} event(s) written since start, {} waiting in the local log",
        ledger.status().flushed(), ledger.status().lagEvents());
    run(failures, () -> budgetStore.close(Duration.ofSeconds(10)));
    run(failures, codecProviders::close);
    run(failures, () -> vertx.close().await());
    run(failures, database::close);
    run(failures, blocking::close);
    run(failures, metrics::close);
    if (!failures.isEmpty()) {
      IllegalStateException e = new IllegalStateException("shutdown was not clean");
      failures.forEach(e::addSuppressed);
      log.warn("shutdown was not clean", e);
    }
    log.info("stopped in {} ms", (System.nanoTime() - started) / 1_000_000);
  }

  private static void run(List<Throwable> failures, Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      failures.add(e);
    }
  }
}
