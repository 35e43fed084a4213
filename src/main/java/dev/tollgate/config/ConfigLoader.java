package dev.tollgate.config;

import dev.tollgate.access.local.Argon2Parameters;
import dev.tollgate.access.local.LocalAccountsConfig;
import dev.tollgate.access.secrets.EncryptionKeys;
import dev.tollgate.access.secrets.SecretsConfig;
import dev.tollgate.audit.AuditConfig;
import dev.tollgate.metering.budget.BudgetSettings;
import dev.tollgate.metering.ledger.LedgerConfig;
import dev.tollgate.metering.limits.LimitsConfig;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a YAML file into a validated {@link TollgateConfig}: interpolates {@code ${VAR}}, applies the
 * {@code TOLLGATE_*} environment overrides, and reports every problem at once with its path.
 */
public final class ConfigLoader {
  /** Shortest master key accepted outside {@code --dev}. */
  public static final int MIN_MASTER_KEY_LENGTH = 32;

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Set<String> LOG_LEVELS = Set.of("error", "warn", "info", "debug", "trace");

  private final Map<String, String> env;
  private final boolean dev;

  /**
   * @param env the environment to interpolate from (tests pass their own)
   * @param dev relaxes the master-key length rule, and nothing else
   */
  public ConfigLoader(Map<String, String> env, boolean dev) {
    this.env = Map.copyOf(env);
    this.dev = dev;
  }

  public TollgateConfig load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(List.of(file + ": no such file"));
    } catch (IOException e) {
      throw new ConfigException(List.of(file + ": cannot read (" + e.getMessage() + ")"));
    }
    return parse(text);
  }

  public TollgateConfig parse(String yaml) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (JacksonException e) {
      throw new ConfigException(List.of("not valid YAML: " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")")));
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      root = JsonNodeFactory.instance.objectNode();
    }
    if (!root.isObject()) {
      throw new ConfigException(List.of("the configuration must be a YAML mapping"));
    }
    applyEnvironmentOverrides((ObjectNode) root);

    List<String> problems = new ArrayList<>();
    ConfigNode top = new ConfigNode(root, "", problems, new Interpolator(env));
    top.allowOnly("server", "database", "auth", "logging", "ledger", "limits", "budgets", "routing", "providers", "models", "secrets",
        "audit");

    ServerConfig server = server(top.child("server"));
    DatabaseConfig database = database(top.child("database"));
    AuthConfig auth = auth(top.child("auth"), root.path("auth"), problems);
    LoggingConfig logging = logging(top.child("logging"));
    MeteringConfigReader metering = new MeteringConfigReader(problems);
    LedgerConfig ledger = metering.ledger(top.child("ledger"), database);
    LimitsConfig limits = metering.limits(top.child("limits"));
    BudgetSettings budgets = metering.budgets(top.child("budgets"));
    RoutingConfig routing = routing(top.child("routing"));
    List<ProviderConfig> providers = providers(top.child("providers"));
    List<ModelConfig> models = models(top.child("models"), providers, routing);
    SecretsConfig secrets = secrets(top.child("secrets"), problems);
    AuditConfig audit = audit(top.child("audit"), problems);

    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new TollgateConfig(server, database, auth, logging, ledger, limits, budgets, routing, providers, models, secrets, audit);
  }

  private void applyEnvironmentOverrides(ObjectNode root) {
    override(root, "auth", "master_key", env.get("TOLLGATE_MASTER_KEY"));
    override(root, "database", "url", env.get("TOLLGATE_DATABASE_URL"));
    override(root, "server", "port", env.get("TOLLGATE_PORT"));
    override(root, "secrets", "encryption_key", env.get(EncryptionKeys.ENV));
  }

  private static void override(ObjectNode root, String section, String field, String value) {
    if (value == null || value.isEmpty()) {
      return;
    }
    JsonNode existing = root.get(section);
    ObjectNode target = existing instanceof ObjectNode o ? o : root.putObject(section);
    // Literal: an override is a value, not a template to expand again.
    target.put(field, value.replace("$", "$$"));
  }

  private ServerConfig server(ConfigNode n) {
    n.expectObject();
    n.allowOnly("host", "port", "event_loops", "max_body_size", "drain_timeout");
    return new ServerConfig(
        n.child("host").string("0.0.0.0"),
        n.child("port").integer(8080, 0, 65535),
        n.child("event_loops").integer(0, 0, 256),
        n.child("max_body_size").size(10L * 1024 * 1024),
        n.child("drain_timeout").duration(Duration.ofSeconds(30)));
  }

  private DatabaseConfig database(ConfigNode n) {
    n.expectObject();
    n.allowOnly("url", "max_pool_size");
    ConfigNode urlNode = n.child("url");
    String url = urlNode.string("jdbc:sqlite:data/tollgate.db");
    if (!url.startsWith("jdbc:sqlite:") && !url.startsWith("jdbc:postgresql:")) {
      urlNode.problem("expected a jdbc:sqlite: or jdbc:postgresql: URL");
    }
    return new DatabaseConfig(url, n.child("max_pool_size").integer(8, 1, 256));
  }

  private AuthConfig auth(ConfigNode n, JsonNode raw, List<String> problems) {
    n.expectObject();
    n.allowOnly("master_key", "sessions", "local", "oidc", "jwt");
    ConfigNode keyNode = n.child("master_key");
    String key = keyNode.requiredString();
    if (!key.isBlank() && !dev && key.length() < MIN_MASTER_KEY_LENGTH) {
      keyNode.problem("must be at least " + MIN_MASTER_KEY_LENGTH + " characters (is " + key.length()
          + "); use --dev to relax this for local experiments");
    }
    SessionConfig sessions = sessions(n.child("sessions"));
    LocalAccountsConfig local = local(n.child("local"), problems);
    SsoConfigReader sso = new SsoConfigReader(problems);
    return new AuthConfig(new Secret(key), sessions, local, sso.oidc(n.child("oidc"), raw.path("oidc")),
        sso.jwt(n.child("jwt"), raw.path("jwt")));
  }

  private SessionConfig sessions(ConfigNode n) {
    n.expectObject();
    n.allowOnly("idle_timeout", "absolute_timeout", "secure_cookie");
    SessionConfig d = SessionConfig.DEFAULTS;
    ConfigNode idleNode = n.child("idle_timeout");
    Duration idle = idleNode.duration(d.idleTimeout());
    ConfigNode absoluteNode = n.child("absolute_timeout");
    Duration absolute = absoluteNode.duration(d.absoluteTimeout());
    if (idle.isZero()) {
      idleNode.problem("must be more than 0");
    }
    if (absolute.compareTo(idle) < 0) {
      absoluteNode.problem("must be at least auth.sessions.idle_timeout");
    }
    return new SessionConfig(idle, absolute, n.child("secure_cookie").bool(true));
  }

  private LocalAccountsConfig local(ConfigNode n, List<String> problems) {
    n.expectObject();
    n.allowOnly("password", "lockout", "totp");
    LocalAccountsConfig d = LocalAccountsConfig.DEFAULTS;
    ConfigNode password = n.child("password");
    password.expectObject();
    password.allowOnly("min_length", "argon2");
    ConfigNode argon = password.child("argon2");
    argon.expectObject();
    argon.allowOnly("memory_kib", "iterations", "parallelism");
    ConfigNode lockout = n.child("lockout");
    lockout.expectObject();
    lockout.allowOnly("max_failures", "initial", "max", "forget_after");
    ConfigNode totp = n.child("totp");
    totp.expectObject();
    totp.allowOnly("issuer");
    try {
      return new LocalAccountsConfig(
          new Argon2Parameters(argon.child("memory_kib").integer(d.argon2().memoryKib(), 1, 4 * 1024 * 1024),
              argon.child("iterations").integer(d.argon2().iterations(), 1, 100),
              argon.child("parallelism").integer(d.argon2().parallelism(), 1, 64)),
          password.child("min_length").integer(d.minPasswordLength(), 1, 1024),
          lockout.child("max_failures").integer(d.maxFailures(), 1, 1000),
          lockout.child("initial").duration(d.initialLockout()),
          lockout.child("max").duration(d.maxLockout()),
          lockout.child("forget_after").duration(d.forgetFailuresAfter()),
          totp.child("issuer").string(d.totpIssuer()));
    } catch (ConfigException e) {
      problems.addAll(e.problems());
      return d;
    } catch (IllegalArgumentException e) {
      problems.add("auth.local.password.argon2: " + e.getMessage());
      return d;
    }
  }

  private SecretsConfig secrets(ConfigNode n, List<String> problems) {
    n.expectObject();
    n.allowOnly("encryption_key", "reencrypt_batch_size");
    try {
      return new SecretsConfig(n.child("encryption_key").optionalString().map(Secret::new),
          n.child("reencrypt_batch_size").integer(SecretsConfig.DEFAULT_BATCH_SIZE, 1, 10_000));
    } catch (ConfigException e) {
      problems.addAll(e.problems());
      return SecretsConfig.DISABLED;
    }
  }

  private AuditConfig audit(ConfigNode n, List<String> problems) {
    n.expectObject();
    n.allowOnly("redact_fields", "max_snapshot_bytes");
    try {
      ConfigNode fields = n.child("redact_fields");
      return new AuditConfig(fields.isMissing() ? List.of() : fields.stringList(),
          n.child("max_snapshot_bytes").integer(AuditConfig.DEFAULT_MAX_SNAPSHOT_BYTES, 1, Integer.MAX_VALUE));
    } catch (ConfigException e) {
      problems.addAll(e.problems());
      return AuditConfig.defaults();
    }
  }

  private LoggingConfig logging(ConfigNode n) {
    n.expectObject();
    n.allowOnly("format", "level", "access_log");
    ConfigNode formatNode = n.child("format");
    String format = formatNode.string("text").toLowerCase(Locale.ROOT);
    if (!format.equals("text") && !format.equals("json")) {
      formatNode.problem("expected text or json, got '" + format + "'");
    }
    ConfigNode levelNode = n.child("level");
    String level = levelNode.string("info").toLowerCase(Locale.ROOT);
    if (!LOG_LEVELS.contains(level)) {
      levelNode.problem("expected one of error, warn, info, debug, trace, got '" + level + "'");
    }
    return new LoggingConfig(format, level, n.child("access_log").bool(true));
  }

  private List<ProviderConfig> providers(ConfigNode n) {
    List<ProviderConfig> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (ConfigNode p : n.list()) {
      if (!p.expectObject()) {
        continue;
      }
      p.allowOnly("name", "type", "base_url", "api_key", "api_version", "headers", "allow_insecure_upstream",
          "timeouts", "max_connections", "mock", "region", "aws_access_key_id", "aws_secret_access_key",
          "aws_session_token", "default_max_tokens", "project", "location", "publisher", "credentials_file",
          "credentials_json", "native_responses");
      ConfigNode nameNode = p.child("name");
      String name = nameNode.requiredString();
      if (!name.isBlank() && !seen.add(name)) {
        nameNode.problem("duplicate provider name '" + name + "'");
      }
      ConfigNode typeNode = p.child("type");
      String typeName = typeNode.requiredString();
      ProviderType type = ProviderType.parse(typeName).orElse(null);
      if (type == null && !typeName.isBlank()) {
        typeNode.problem("unknown provider type '" + typeName + "' (known: " + ProviderType.known() + ")");
      }
      boolean insecureAllowed = p.child("allow_insecure_upstream").bool(false);
      CloudSettings cloud = cloud(p, type);
      URI baseUrl = baseUrl(p.child("base_url"), type, insecureAllowed,
          cloud.vertex() != null ? cloud.vertex().location() : cloud.region());
      Optional<Secret> apiKey = p.child("api_key").optionalString().filter(s -> !s.isEmpty()).map(Secret::new);
      if ((type == ProviderType.AZURE || type == ProviderType.ANTHROPIC || type == ProviderType.GEMINI)
          && apiKey.isEmpty()) {
        p.child("api_key").problem("is required for " + type.configName() + " providers");
      }
      if ((type == ProviderType.BEDROCK || type == ProviderType.VERTEX) && !p.child("api_key").isMissing()) {
        p.child("api_key").problem(type == ProviderType.BEDROCK
            ? "bedrock signs requests with AWS credentials (aws_access_key_id, aws_secret_access_key, or the AWS_*"
                + " environment variables), not an API key"
            : "vertex authenticates with a service-account key (credentials_file or credentials_json), not an API key");
      }
      String apiVersion = p.child("api_version").string("2024-10-21");
      out.add(new ProviderConfig(name, type, baseUrl, apiKey, apiVersion, p.child("headers").stringMap(),
          insecureAllowed, timeouts(p.child("timeouts")), p.child("max_connections").integer(256, 1, 100_000),
          mock(p.child("mock")), cloud, nativeResponses(p.child("native_responses"), type, baseUrl)));
    }
    return out;
  }

  private static boolean nativeResponses(ConfigNode n, ProviderType type, URI baseUrl) {
    boolean serves = n.bool(ProviderConfig.servesResponses(type, baseUrl));
    if (serves && type != ProviderType.OPENAI) {
      n.problem("only openai providers can serve the Responses API natively");
      return false;
    }
    return serves;
  }

  private CloudSettings cloud(ConfigNode p, ProviderType type) {
    ConfigNode regionNode = p.child("region");
    String region = regionNode.string("");
    if (type == ProviderType.BEDROCK && region.isBlank()) {
      region = env.getOrDefault("AWS_REGION", env.getOrDefault("AWS_DEFAULT_REGION", ""));
      if (region.isBlank()) {
        regionNode.problem("is required for bedrock providers (or set AWS_REGION)");
      }
    }
    Optional<String> keyId = p.child("aws_access_key_id").optionalString().filter(s -> !s.isBlank());
    Optional<Secret> secret = p.child("aws_secret_access_key").optionalString().filter(s -> !s.isBlank())
        .map(Secret::new);
    Optional<Secret> token = p.child("aws_session_token").optionalString().filter(s -> !s.isBlank()).map(Secret::new);
    if (keyId.isPresent() != secret.isPresent()) {
      p.child(keyId.isPresent() ? "aws_secret_access_key" : "aws_access_key_id")
          .problem("aws_access_key_id and aws_secret_access_key go together");
    }
    if (type == ProviderType.BEDROCK && keyId.isEmpty()) {
      // The standard AWS environment variables, read here so the gateway never reads the environment itself.
      String envId = env.getOrDefault("AWS_ACCESS_KEY_ID", "");
      String envSecret = env.getOrDefault("AWS_SECRET_ACCESS_KEY", "");
      if (envId.isBlank() || envSecret.isBlank()) {
        p.child("aws_access_key_id").problem("bedrock needs AWS credentials: set aws_access_key_id and"
            + " aws_secret_access_key, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment");
      } else {
        keyId = Optional.of(envId);
        secret = Optional.of(new Secret(envSecret));
        String envToken = env.getOrDefault("AWS_SESSION_TOKEN", "");
        token = envToken.isBlank() ? token : Optional.of(new Secret(envToken));
      }
    }
    return new CloudSettings(region, keyId, secret, token, p.child("default_max_tokens").integer(4096, 1, 10_000_000),
        type == ProviderType.VERTEX ? vertex(p) : null);
  }

  private CloudSettings.Vertex vertex(ConfigNode p) {
    String project = p.child("project").string(""); // default: the key's project_id
    String location = p.child("location").requiredString();
    ConfigNode publisherNode = p.child("publisher");
    String publisher = publisherNode.string("google");
    if (!publisher.equals("google") && !publisher.equals("anthropic")) {
      publisherNode.problem("expected google or anthropic, got '" + publisher + "'");
    }
    ConfigNode fileNode = p.child("credentials_file");
    ConfigNode jsonNode = p.child("credentials_json");
    Optional<String> file = fileNode.optionalString().filter(s -> !s.isBlank());
    Optional<String> inline = jsonNode.optionalString().filter(s -> !s.isBlank());
    Secret key = null;
    if (file.isPresent() == inline.isPresent()) {
      fileNode.problem("give exactly one of credentials_file (a service-account JSON key) or credentials_json");
    } else if (file.isPresent()) {
      try {
        key = new Secret(Files.readString(Path.of(file.get())));
      } catch (IOException e) {
        fileNode.problem("cannot read '" + file.get() + "': " + e.getClass().getSimpleName());
      }
    } else {
      key = new Secret(inline.get());
    }
    return new CloudSettings.Vertex(project, location, publisher, key);
  }

  private static URI baseUrl(ConfigNode n, ProviderType type, boolean insecureAllowed, String region) {
    if (type == ProviderType.MOCK) {
      if (!n.isMissing()) {
        n.problem("mock providers take no base_url");
      }
      return null;
    }
    if (n.isMissing() && type != null && type.defaultBaseUrl(region) != null) {
      return URI.create(type.defaultBaseUrl(region));
    }
    String raw = n.requiredString();
    if (raw.isBlank()) {
      return null;
    }
    URI uri;
    try {
      uri = new URI(raw);
    } catch (URISyntaxException e) {
      n.problem("not a valid URL: '" + raw + "'");
      return null;
    }
    Optional<UpstreamAddress> address = UpstreamAddress.of(uri);
    if (address.isEmpty()) {
      n.problem("expected an http:// or https:// URL with a host, got '" + raw + "'");
      return null;
    }
    if (!address.get().tls() && !insecureAllowed && !isLoopback(address.get().host())) {
      n.problem("plaintext http:// to non-loopback host '" + address.get().host()
          + "' sends prompts and keys unencrypted; use https:// or set allow_insecure_upstream: true");
    }
    return uri;
  }

  private static boolean isLoopback(String host) {
    String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    if (h.equalsIgnoreCase("localhost")) {
      return true;
    }
    // Only literal addresses: resolving a name here would make validation depend on DNS.
    if (!h.matches("[0-9.]+") && !h.contains(":")) {
      return false;
    }
    try {
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (IOException e) {
      return false;
    }
  }

  private static Timeouts timeouts(ConfigNode n) {
    n.expectObject();
    n.allowOnly("connect", "first_byte", "idle", "total");
    Timeouts d = Timeouts.DEFAULTS;
    return new Timeouts(positive(n.child("connect"), d.connect()), positive(n.child("first_byte"), d.firstByte()),
        positive(n.child("idle"), d.idle()), positive(n.child("total"), d.total()));
  }

  private static Duration positive(ConfigNode n, Duration fallback) {
    Duration v = n.duration(fallback);
    if (v.isZero()) {
      n.problem("must be greater than zero");
    }
    return v;
  }

  private static MockSettings mock(ConfigNode n) {
    n.expectObject();
    n.allowOnly("chunk_tokens", "first_token_latency", "chunk_latency");
    MockSettings d = MockSettings.DEFAULTS;
    return new MockSettings(n.child("chunk_tokens").integer(d.chunkTokens(), 1, 10_000),
        n.child("first_token_latency").duration(d.firstTokenLatency()),
        n.child("chunk_latency").duration(d.chunkLatency()));
  }

  private static RoutingConfig routing(ConfigNode n) {
    n.expectObject();
    n.allowOnly("strategy", "max_attempts", "backoff", "request_timeout", "cooldown", "breaker");
    RoutingConfig d = RoutingConfig.DEFAULTS;
    ConfigNode backoff = n.child("backoff");
    backoff.expectObject();
    backoff.allowOnly("base", "max");
    Duration base = positive(backoff.child("base"), d.backoffBase());
    Duration max = positive(backoff.child("max"), d.backoffMax());
    if (max.compareTo(base) < 0) {
      backoff.child("max").problem("must not be less than backoff.base (" + base.toMillis() + "ms)");
    }
    return new RoutingConfig(strategy(n.child("strategy"), d.strategy()),
        n.child("max_attempts").integer(d.maxAttempts(), 1, 20), base, max,
        positive(n.child("request_timeout"), d.requestTimeout()), positive(n.child("cooldown"), d.cooldown()),
        breaker(n.child("breaker")));
  }

  private static RoutingStrategy strategy(ConfigNode n, RoutingStrategy fallback) {
    Optional<String> s = n.optionalString();
    if (s.isEmpty()) {
      return fallback;
    }
    return RoutingStrategy.parse(s.get()).orElseGet(() -> {
      n.problem("unknown strategy '" + s.get() + "' (known: " + RoutingStrategy.known() + ")");
      return fallback;
    });
  }

  private static BreakerConfig breaker(ConfigNode n) {
    n.expectObject();
    n.allowOnly("failure_rate", "slow_call_rate", "slow_call", "window", "minimum_calls", "open_for",
        "half_open_calls");
    BreakerConfig d = BreakerConfig.DEFAULTS;
    int window = n.child("window").integer(d.window(), 1, 10_000);
    ConfigNode minimumNode = n.child("minimum_calls");
    int minimum = minimumNode.integer(Math.min(d.minimumCalls(), window), 1, 10_000);
    if (minimum > window) {
      minimumNode.problem("must not exceed breaker.window (" + window + ")");
    }
    return new BreakerConfig(n.child("failure_rate").integer(d.failureRatePercent(), 1, 100),
        n.child("slow_call_rate").integer(d.slowCallRatePercent(), 1, 100),
        positive(n.child("slow_call"), d.slowCall()), window, minimum,
        positive(n.child("open_for"), d.openFor()), n.child("half_open_calls").integer(d.halfOpenCalls(), 1, 1_000));
  }

  private static ModelRouting modelRouting(ConfigNode m, String name, Set<String> modelNames, RoutingConfig routing) {
    Map<FallbackTrigger, List<String>> fallbacks = new EnumMap<>(FallbackTrigger.class);
    ConfigNode fb = m.child("fallbacks");
    if (fb.isObjectNode()) {
      fb.allowOnly(Arrays.stream(FallbackTrigger.values()).map(FallbackTrigger::configName).toArray(String[]::new));
      for (FallbackTrigger t : FallbackTrigger.values()) {
        ConfigNode list = fb.child(t.configName());
        if (!list.isMissing()) {
          fallbacks.put(t, fallbackList(list, name, modelNames));
        }
      }
    } else if (!fb.isMissing()) {
      fallbacks.put(FallbackTrigger.ANY, fallbackList(fb, name, modelNames));
    }
    Optional<Duration> hedge = Optional.empty();
    ConfigNode hedgeNode = m.child("hedge");
    if (!hedgeNode.isMissing() && hedgeNode.expectObject()) {
      hedgeNode.allowOnly("after");
      ConfigNode after = hedgeNode.child("after");
      if (after.isMissing()) {
        after.problem("is required when hedging is configured");
      } else {
        hedge = Optional.of(positive(after, Duration.ofSeconds(1)));
      }
    }
    return new ModelRouting(strategy(m.child("strategy"), routing.strategy()),
        m.child("max_attempts").integer(routing.maxAttempts(), 1, 20),
        positive(m.child("request_timeout"), routing.requestTimeout()), fallbacks, hedge);
  }

  private static List<String> fallbackList(ConfigNode n, String name, Set<String> modelNames) {
    List<String> out = new ArrayList<>();
    for (ConfigNode f : n.list()) {
      String fallback = f.requiredString();
      if (fallback.equals(name)) {
        f.problem("a model cannot fall back to itself");
      } else if (!fallback.isBlank() && !modelNames.contains(fallback)) {
        f.problem("unknown model '" + fallback + "'");
      }
      out.add(fallback);
    }
    return out;
  }

  private static List<ModelConfig> models(ConfigNode n, List<ProviderConfig> providers, RoutingConfig routing) {
    Set<String> providerNames = new LinkedHashSet<>();
    providers.stream().map(ProviderConfig::name).filter(s -> !s.isBlank()).forEach(providerNames::add);
    List<ConfigNode> items = n.list();
    Set<String> modelNames = new HashSet<>();
    for (ConfigNode m : items) {
      m.child("name").peekString().ifPresent(modelNames::add);
    }
    List<ModelConfig> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (ConfigNode m : items) {
      if (!m.expectObject()) {
        continue;
      }
      m.allowOnly("name", "deployments", "strategy", "max_attempts", "request_timeout", "fallbacks", "hedge", "price",
          "max_output_tokens");
      ConfigNode nameNode = m.child("name");
      String name = nameNode.requiredString();
      if (!name.isBlank() && !seen.add(name)) {
        nameNode.problem("duplicate model name '" + name + "'");
      }
      List<DeploymentConfig> deployments = new ArrayList<>();
      ConfigNode depsNode = m.child("deployments");
      List<ConfigNode> deps = depsNode.list();
      if (deps.isEmpty()) {
        depsNode.problem("at least one deployment is required");
      }
      for (ConfigNode d : deps) {
        if (!d.expectObject()) {
          continue;
        }
        d.allowOnly("provider", "model", "weight", "rpm", "tpm", "region", "tags");
        ConfigNode providerNode = d.child("provider");
        String provider = providerNode.requiredString();
        if (!provider.isBlank() && !providerNames.contains(provider)) {
          providerNode.problem("unknown provider '" + provider + "' (known: "
              + (providerNames.isEmpty() ? "none configured" : String.join(", ", providerNames)) + ")");
        }
        String upstreamModel = d.child("model").string(name);
        deployments.add(new DeploymentConfig(provider, upstreamModel, d.child("weight").integer(1, 1, 1_000_000),
            d.child("rpm").integer(0, 0, 100_000_000), d.child("tpm").integer(0, 0, Integer.MAX_VALUE),
            d.child("region").string(""), d.child("tags").stringList()));
      }
      out.add(new ModelConfig(name, deployments, modelRouting(m, name, modelNames, routing), price(m.child("price")),
          m.child("max_output_tokens").optionalLong(1, 100_000_000)));
    }
    return out;
  }

  private static Optional<PriceConfig> price(ConfigNode n) {
    if (n.isMissing() || !n.expectObject()) {
      return Optional.empty();
    }
    n.allowOnly("input_per_mtok", "output_per_mtok", "cached_input_per_mtok", "cache_write_per_mtok", "per_request");
    ConfigNode in = n.child("input_per_mtok");
    ConfigNode outNode = n.child("output_per_mtok");
    var input = in.decimal();
    var output = outNode.decimal();
    if (in.isMissing()) {
      in.problem("is required when a price is given");
    }
    if (outNode.isMissing()) {
      outNode.problem("is required when a price is given");
    }
    if (input.isEmpty() || output.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new PriceConfig(input.get(), output.get(), n.child("cached_input_per_mtok").decimal(),
        n.child("cache_write_per_mtok").decimal(), n.child("per_request").decimal()));
  }
}
