package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import dev.tollgate.metering.budget.Budget;
import dev.tollgate.metering.budget.BudgetPeriod;
import dev.tollgate.metering.budget.BudgetScope;
import dev.tollgate.metering.budget.BudgetSettings;
import dev.tollgate.metering.ledger.LedgerConfig;
import dev.tollgate.metering.limits.LimitSpec;
import dev.tollgate.metering.limits.LimitsConfig;
import dev.tollgate.metering.limits.ScopeKind;
import dev.tollgate.metering.wal.WalConfig;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.OptionalLong;

import com.nimbusds.jose.JWSAlgorithm;
import dev.tollgate.access.jwt.ClaimPath;
import dev.tollgate.access.jwt.JwtIssuer;
import dev.tollgate.access.jwt.JwtSettings;
import dev.tollgate.access.oidc.OidcSettings;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The configuration contract: every bad file is rejected with the exact, path-prefixed list of its
 * problems (in file order), and every good file binds to the records it describes.
 */
class ConfigLoaderTest {
  private static final ModelRouting DEFAULT_ROUTING = ModelRouting.defaults(RoutingConfig.DEFAULTS);

  /** Exactly {@link ConfigLoader#MIN_MASTER_KEY_LENGTH} characters. */
  private static final String KEY = "0123456789abcdef0123456789abcdef";
  private static final String AUTH = "auth: { master_key: \"" + KEY + "\" }\n";
  private static final String PROVIDERS = """
      providers:
        - { name: openai, type: openai, base_url: "https://api.openai.com/v1", api_key: sk-test }
        - { name: demo, type: mock }
      """;
  private static final String MODELS = """
      models:
        - { name: gpt-4o-mini, deployments: [ { provider: openai } ] }
      """;
  private static final String VALID = AUTH + PROVIDERS + MODELS;
  private static final String HTTP_HINT =
      " sends prompts and keys unencrypted; use https:// or set allow_insecure_upstream: true";
  private static final String PROVIDER_FIELDS = "allow_insecure_upstream, api_key, api_version, aws_access_key_id, "
      + "aws_secret_access_key, aws_session_token, base_url, credentials_file, credentials_json, default_max_tokens, "
      + "headers, location, max_connections, mock, name, native_responses, project, publisher, region, timeouts, type";

  private static TollgateConfig parse(String yaml) {
    return new ConfigLoader(Map.of(), false).parse(yaml);
  }

  private static List<String> problemsOf(String yaml, Map<String, String> env, boolean dev) {
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> new ConfigLoader(env, dev).parse(yaml));
    assertThat(e).as("expected the configuration to be rejected").isNotNull();
    return e.problems();
  }

  /** A config whose single provider (named openai) is the given flow mapping. */
  private static String withProvider(String provider) {
    return AUTH + "providers:\n  - " + provider + "\n" + MODELS;
  }

  /** Valid auth and providers, and the given model list items. */
  private static String withModels(String... models) {
    StringBuilder sb = new StringBuilder(AUTH + PROVIDERS + "models:\n");
    for (String m : models) {
      sb.append("  - ").append(m).append('\n');
    }
    return sb.toString();
  }

  static Stream<Arguments> badConfigs() {
    return Stream.of(
        // --- references between sections
        argumentSet("deployment names an unknown provider",
            withModels("{ name: gpt-4o-mini, deployments: [ { provider: opnai } ] }"),
            List.of("models[0].deployments[0].provider: unknown provider 'opnai' (known: openai, demo)")),
        argumentSet("deployment names a provider when none is configured",
            AUTH + MODELS,
            List.of("models[0].deployments[0].provider: unknown provider 'openai' (known: none configured)")),
        argumentSet("unknown provider type",
            withProvider("{ name: openai, type: openia, base_url: \"https://api.openai.com/v1\" }"),
            List.of("providers[0].type: unknown provider type 'openia' (known: openai, azure, anthropic, gemini,"
                + " bedrock, vertex, mock)")),
        argumentSet("vertex without location or key, with a bad publisher",
            withProvider("{ name: openai, type: vertex, publisher: meta }"),
            List.of("providers[0].location: is required",
                "providers[0].publisher: expected google or anthropic, got 'meta'",
                "providers[0].credentials_file: give exactly one of credentials_file (a service-account JSON key)"
                    + " or credentials_json",
                "providers[0].base_url: is required")),
        argumentSet("native Responses API on a provider that is not openai",
            withProvider("{ name: openai, type: anthropic, api_key: k, native_responses: true }"),
            List.of("providers[0].native_responses: only openai providers can serve the Responses API natively")),
        argumentSet("vertex with an unreadable key file",
            withProvider("{ name: openai, type: vertex, location: us-central1, credentials_file: /nonexistent/sa.json }"),
            List.of("providers[0].credentials_file: cannot read '/nonexistent/sa.json': NoSuchFileException")),
        // --- providers with their own wire formats
        argumentSet("anthropic without a key",
            withProvider("{ name: openai, type: anthropic }"),
            List.of("providers[0].api_key: is required for anthropic providers")),
        argumentSet("gemini without a key",
            withProvider("{ name: openai, type: gemini }"),
            List.of("providers[0].api_key: is required for gemini providers")),
        argumentSet("bedrock without region or credentials",
            withProvider("{ name: openai, type: bedrock }"),
            List.of("providers[0].region: is required for bedrock providers (or set AWS_REGION)",
                "providers[0].aws_access_key_id: bedrock needs AWS credentials: set aws_access_key_id and"
                    + " aws_secret_access_key, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment",
                "providers[0].base_url: is required")),
        argumentSet("bedrock with an api key and half a key pair",
            withProvider("{ name: openai, type: bedrock, region: eu-west-1, api_key: k, aws_access_key_id: AKID }"),
            List.of("providers[0].aws_secret_access_key: aws_access_key_id and aws_secret_access_key go together",
                "providers[0].api_key: bedrock signs requests with AWS credentials (aws_access_key_id,"
                    + " aws_secret_access_key, or the AWS_* environment variables), not an API key")),
        argumentSet("provider type missing",
            withProvider("{ name: openai, base_url: \"https://api.openai.com/v1\" }"),
            List.of("providers[0].type: is required")),
        argumentSet("provider name missing",
            AUTH + "providers:\n  - { type: mock }\n  - { name: openai, type: mock }\n" + MODELS,
            List.of("providers[0].name: is required")),
        argumentSet("duplicate provider name",
            AUTH + PROVIDERS + "  - { name: openai, type: mock }\n" + MODELS,
            List.of("providers[2].name: duplicate provider name 'openai'")),
        argumentSet("duplicate model name",
            withModels("{ name: gpt-4o-mini, deployments: [ { provider: openai } ] }",
                "{ name: gpt-4o-mini, deployments: [ { provider: demo } ] }"),
            List.of("models[1].name: duplicate model name 'gpt-4o-mini'")),
        argumentSet("model name missing",
            withModels("{ deployments: [ { provider: openai } ] }"),
            List.of("models[0].name: is required")),

        // --- master key
        argumentSet("master key missing", PROVIDERS + MODELS, List.of("auth.master_key: is required")),
        argumentSet("master key empty", "auth: { master_key: \"\" }\n" + PROVIDERS + MODELS,
            List.of("auth.master_key: must not be empty")),
        argumentSet("master key short",
            "auth: { master_key: short-key }\n" + PROVIDERS + MODELS,
            List.of("auth.master_key: must be at least 32 characters (is 9); "
                + "use --dev to relax this for local experiments")),
        argumentSet("master key one character short",
            "auth: { master_key: \"" + KEY.substring(1) + "\" }\n" + PROVIDERS + MODELS,
            List.of("auth.master_key: must be at least 32 characters (is 31); "
                + "use --dev to relax this for local experiments")),

        // --- upstream URLs
        argumentSet("plaintext http to a private address",
            withProvider("{ name: openai, type: openai, base_url: \"http://10.1.2.3:8000/v1\" }"),
            List.of("providers[0].base_url: plaintext http:// to non-loopback host '10.1.2.3'" + HTTP_HINT)),
        argumentSet("plaintext http to a host name",
            withProvider("{ name: openai, type: openai, base_url: \"http://vllm.internal:8000/v1\" }"),
            List.of("providers[0].base_url: plaintext http:// to non-loopback host 'vllm.internal'" + HTTP_HINT)),
        argumentSet("plaintext http to a name that merely starts with localhost",
            withProvider("{ name: openai, type: openai, base_url: \"http://localhost.evil.example/v1\" }"),
            List.of("providers[0].base_url: plaintext http:// to non-loopback host 'localhost.evil.example'"
                + HTTP_HINT)),
        argumentSet("plaintext http to a name that embeds 127.0.0.1",
            withProvider("{ name: openai, type: openai, base_url: \"http://127.0.0.1.nip.io/v1\" }"),
            List.of("providers[0].base_url: plaintext http:// to non-loopback host '127.0.0.1.nip.io'" + HTTP_HINT)),
        argumentSet("allow_insecure_upstream false still refuses plaintext",
            withProvider("{ name: openai, type: openai, base_url: \"http://10.1.2.3/v1\", "
                + "allow_insecure_upstream: false }"),
            List.of("providers[0].base_url: plaintext http:// to non-loopback host '10.1.2.3'" + HTTP_HINT)),
        argumentSet("URL with a space",
            withProvider("{ name: openai, type: openai, base_url: \"not a url\" }"),
            List.of("providers[0].base_url: not a valid URL: 'not a url'")),
        argumentSet("URL with another scheme",
            withProvider("{ name: openai, type: openai, base_url: \"ftp://files.example.com/v1\" }"),
            List.of("providers[0].base_url: expected an http:// or https:// URL with a host, "
                + "got 'ftp://files.example.com/v1'")),
        argumentSet("URL without a scheme",
            withProvider("{ name: openai, type: openai, base_url: \"api.openai.com/v1\" }"),
            List.of("providers[0].base_url: expected an http:// or https:// URL with a host, got 'api.openai.com/v1'")),
        argumentSet("URL without a host",
            withProvider("{ name: openai, type: openai, base_url: \"https:///v1\" }"),
            List.of("providers[0].base_url: expected an http:// or https:// URL with a host, got 'https:///v1'")),
        argumentSet("base_url missing",
            withProvider("{ name: openai, type: openai }"),
            List.of("providers[0].base_url: is required")),
        argumentSet("mock provider with a base_url",
            AUTH + PROVIDERS.replace("{ name: demo, type: mock }",
                "{ name: demo, type: mock, base_url: \"https://example.com\" }") + MODELS,
            List.of("providers[1].base_url: mock providers take no base_url")),
        argumentSet("azure without api_key",
            AUTH + PROVIDERS + "  - { name: az, type: azure, base_url: \"https://res.openai.azure.com\" }\n" + MODELS,
            List.of("providers[2].api_key: is required for azure providers")),
        argumentSet("azure with an empty api_key",
            AUTH + PROVIDERS + "  - { name: az, type: azure, base_url: \"https://res.openai.azure.com\", "
                + "api_key: \"\" }\n" + MODELS,
            List.of("providers[2].api_key: is required for azure providers")),

        // --- interpolation
        argumentSet("unset environment variable",
            withProvider("{ name: openai, type: openai, base_url: \"https://api.openai.com/v1\", "
                + "api_key: \"${OPENAI_API_KEY}\" }"),
            List.of("providers[0].api_key: environment variable OPENAI_API_KEY is not set")),
        argumentSet("unset environment variable inside a URL",
            withProvider("{ name: openai, type: openai, base_url: \"https://${LLM_HOST}/v1\" }"),
            List.of("providers[0].base_url: environment variable LLM_HOST is not set",
                "providers[0].base_url: expected an http:// or https:// URL with a host, got 'https:///v1'")),
        argumentSet("unset master key variable",
            "auth: { master_key: \"${TG_KEY}\" }\n" + PROVIDERS + MODELS,
            List.of("auth.master_key: environment variable TG_KEY is not set", "auth.master_key: must not be empty")),

        // --- unknown fields, at every level
        argumentSet("unknown top-level field", VALID + "tenants: []\n",
            List.of("tenants: unknown field (known: audit, auth, budgets, database, ledger, limits, logging, models, providers, routing, secrets, server)")),
        argumentSet("unknown server field", VALID + "server: { hots: 0.0.0.0 }\n",
            List.of("server.hots: unknown field (known: drain_timeout, event_loops, host, max_body_size, port)")),
        argumentSet("unknown database field", VALID + "database: { pool: 3 }\n",
            List.of("database.pool: unknown field (known: max_pool_size, url)")),
        argumentSet("unknown auth field",
            "auth: { master_key: \"" + KEY + "\", admin: me }\n" + PROVIDERS + MODELS,
            List.of("auth.admin: unknown field (known: jwt, local, master_key, oidc, sessions)")),
        argumentSet("unknown logging field", VALID + "logging: { colour: true }\n",
            List.of("logging.colour: unknown field (known: access_log, format, level)")),
        argumentSet("unknown ledger field", VALID + "ledger: { batch: 3 }\n",
            List.of("ledger.batch: unknown field (known: flush_batch, flush_interval, fsync_intents, wal)")),
        argumentSet("WAL cap below two segments", VALID + "ledger: { wal: { segment_size: 64MB, max_disk: 100MB } }\n",
            List.of("ledger.wal.max_disk: 104857600 (expected: >= 2 x segment_size = 134217728)")),
        argumentSet("limit below one", VALID + "limits: { defaults: { key: { rpm: 0 } } }\n",
            List.of("limits.defaults.key.rpm: must be between 1 and 10000000000 (is 0)")),
        argumentSet("unknown limit", VALID + "limits: { keys: { k1: { rps: 3 } } }\n",
            List.of("limits.keys.k1.rps: unknown field (known: max_concurrent, rpm, tpm)")),
        argumentSet("budget with a bad amount and period", VALID
                + "budgets: { limits: [ { id: b1, scope: team, scope_id: t1, amount_usd: '-5', period: yearly } ] }\n",
            List.of("budgets.limits[0].amount_usd: '-5' (expected: a decimal from 0 to 1000000000, at most 6 decimals)",
                "budgets.limits[0].period: 'yearly' (expected: daily, weekly, monthly or lifetime)")),
        argumentSet("unknown provider field",
            withProvider("{ name: openai, type: openai, base_url: \"https://api.openai.com/v1\", apikey: sk }"),
            List.of("providers[0].apikey: unknown field (known: " + PROVIDER_FIELDS + ")")),
        argumentSet("unknown timeouts field",
            withProvider("{ name: openai, type: openai, base_url: \"https://api.openai.com/v1\", "
                + "timeouts: { read: 5s } }"),
            List.of("providers[0].timeouts.read: unknown field (known: connect, first_byte, idle, total)")),
        argumentSet("unknown mock field",
            AUTH + PROVIDERS.replace("{ name: demo, type: mock }", "{ name: demo, type: mock, mock: { latency: 5ms } }")
                + MODELS,
            List.of("providers[1].mock.latency: unknown field (known: chunk_latency, chunk_tokens, first_token_latency)")),
        argumentSet("unknown model field",
            withModels("{ name: gpt-4o-mini, deployments: [ { provider: openai } ], fallback: [] }"),
            List.of("models[0].fallback: unknown field (known: deployments, fallbacks, hedge, max_attempts, max_output_tokens, name, price, request_timeout, strategy)")),
        argumentSet("unknown deployment field",
            withModels("{ name: gpt-4o-mini, deployments: [ { provider: openai, wieght: 2 } ] }"),
            List.of("models[0].deployments[0].wieght: unknown field (known: model, provider, region, rpm, tags, tpm, weight)")),
        argumentSet("unknown price field (and so a missing one)",
            withModels("{ name: gpt-4o-mini, deployments: [ { provider: openai } ], "
                + "price: { input: 1, output_per_mtok: 2 } }"),
            List.of("models[0].price.input: unknown field (known: cache_write_per_mtok, cached_input_per_mtok, input_per_mtok, output_per_mtok, per_request)",
                "models[0].price.input_per_mtok: is required when a price is given")),

        // --- scalar types
        argumentSet("duration in words", VALID + "server: { drain_timeout: \"30 seconds\" }\n",
            List.of("server.drain_timeout: expected a duration such as 250ms, 5s, 2m or 1h, got '30 seconds'")),
        argumentSet("duration without a unit", VALID + "ledger: { flush_interval: 200 }\n",
            List.of("ledger.flush_interval: expected a duration such as 250ms, 5s, 2m or 1h, got '200'")),
        argumentSet("fractional duration",
            withProvider("{ name: openai, type: openai, base_url: \"https://api.openai.com/v1\", "
                + "timeouts: { idle: 1.5s } }"),
            List.of("providers[0].timeouts.idle: expected a duration such as 250ms, 5s, 2m or 1h, got '1.5s'")),
        argumentSet("zero timeout",
            withProvider("{ name: openai, type: openai, base_url: \"https://api.openai.com/v1\", "
                + "timeouts: { connect: 0s } }"),
            List.of("providers[0].timeouts.connect: must be greater than zero")),
        argumentSet("size in words", VALID + "server: { max_body_size: \"10 megabytes\" }\n",
            List.of("server.max_body_size: expected a size such as 512KB or 10MB, got '10 megabytes'")),
        argumentSet("negative size", VALID + "server: { max_body_size: -1 }\n",
            List.of("server.max_body_size: expected a size such as 512KB or 10MB, got '-1'")),
        argumentSet("port in words", VALID + "server: { port: eighty }\n",
            List.of("server.port: expected an integer, got 'eighty'")),
        argumentSet("port out of range", VALID + "server: { port: 70000 }\n",
            List.of("server.port: must be between 0 and 65535 (is 70000)")),
        argumentSet("fractional port", VALID + "server: { port: 80.5 }\n",
            List.of("server.port: expected an integer, got '80.5'")),
        argumentSet("pool size zero", VALID + "database: { max_pool_size: 0 }\n",
            List.of("database.max_pool_size: must be between 1 and 256 (is 0)")),
        argumentSet("deployment weight zero",
            withModels("{ name: gpt-4o-mini, deployments: [ { provider: openai, weight: 0 } ] }"),
            List.of("models[0].deployments[0].weight: must be between 1 and 1000000 (is 0)")),
        argumentSet("boolean in words",
            withProvider("{ name: openai, type: openai, base_url: \"https://api.openai.com/v1\", "
                + "allow_insecure_upstream: maybe }"),
            List.of("providers[0].allow_insecure_upstream: expected true or false, got 'maybe'")),
        argumentSet("boolean as a number", VALID + "logging: { access_log: 2 }\n",
            List.of("logging.access_log: expected true or false, got '2'")),
        argumentSet("bad log format and level", VALID + "logging: { format: xml, level: verbose }\n",
            List.of("logging.format: expected text or json, got 'xml'",
                "logging.level: expected one of error, warn, info, debug, trace, got 'verbose'")),
        argumentSet("string expected, list given",
            AUTH + "providers:\n  - { name: [ a, b ], type: mock }\n",
            List.of("providers[0].name: expected a string, got a list")),

        // --- prices
        argumentSet("price without output",
            withModels("{ name: gpt-4o-mini, deployments: [ { provider: openai } ], price: { input_per_mtok: 0.15 } }"),
            List.of("models[0].price.output_per_mtok: is required when a price is given")),
        argumentSet("price without input or output",
            withModels("{ name: gpt-4o-mini, deployments: [ { provider: openai } ], "
                + "price: { cached_input_per_mtok: 0.1 } }"),
            List.of("models[0].price.input_per_mtok: is required when a price is given",
                "models[0].price.output_per_mtok: is required when a price is given")),
        argumentSet("negative price",
            withModels("{ name: gpt-4o-mini, deployments: [ { provider: openai } ], "
                + "price: { input_per_mtok: -1, output_per_mtok: 2 } }"),
            List.of("models[0].price.input_per_mtok: must not be negative (is -1)")),
        argumentSet("price in words",
            withModels("{ name: gpt-4o-mini, deployments: [ { provider: openai } ], "
                + "price: { input_per_mtok: 1, output_per_mtok: cheap } }"),
            List.of("models[0].price.output_per_mtok: expected a number, got 'cheap'")),
        argumentSet("price not a mapping",
            withModels("{ name: gpt-4o-mini, deployments: [ { provider: openai } ], price: 5 }"),
            List.of("models[0].price: expected a mapping, got '5'")),

        // --- fallbacks and deployments
        argumentSet("fallback to an unknown model",
            withModels("{ name: gpt-4o-mini, deployments: [ { provider: openai } ], fallbacks: [ gpt-5 ] }"),
            List.of("models[0].fallbacks[0]: unknown model 'gpt-5'")),
        argumentSet("fallback to itself",
            withModels("{ name: gpt-4o-mini, deployments: [ { provider: openai } ], fallbacks: [ gpt-4o-mini ] }"),
            List.of("models[0].fallbacks[0]: a model cannot fall back to itself")),
        argumentSet("empty deployments",
            withModels("{ name: gpt-4o-mini, deployments: [] }"),
            List.of("models[0].deployments: at least one deployment is required")),
        argumentSet("no deployments",
            withModels("{ name: gpt-4o-mini }"),
            List.of("models[0].deployments: at least one deployment is required")),
        argumentSet("deployments not a list",
            withModels("{ name: gpt-4o-mini, deployments: openai }"),
            List.of("models[0].deployments: expected a list, got 'openai'",
                "models[0].deployments: at least one deployment is required")),

        // --- database and section shapes
        argumentSet("database URL without jdbc:", VALID + "database: { url: \"postgres://db/tollgate\" }\n",
            List.of("database.url: expected a jdbc:sqlite: or jdbc:postgresql: URL")),
        argumentSet("database URL of another driver", VALID + "database: { url: \"jdbc:mysql://db/tollgate\" }\n",
            List.of("database.url: expected a jdbc:sqlite: or jdbc:postgresql: URL")),
        argumentSet("section is a scalar", VALID + "server: 8080\n",
            List.of("server: expected a mapping, got '8080'")),
        argumentSet("providers is a mapping", AUTH + "providers: { name: openai }\n",
            List.of("providers: expected a list, got a mapping")),
        argumentSet("provider is a scalar", AUTH + "providers: [ openai ]\n" + MODELS,
            List.of("providers[0]: expected a mapping, got 'openai'",
                "models[0].deployments[0].provider: unknown provider 'openai' (known: none configured)")),

        // --- several problems at once: all of them, in file order
        argumentSet("several problems at once", """
            extra: 1
            server: { port: 99999, colour: blue }
            database: { url: "mysql://db" }
            auth: { master_key: short }
            providers:
              - { name: openai, type: openai, base_url: "http://api.example.com/v1" }
              - { name: openai, type: mock }
            models:
              - { name: m1, deployments: [ { provider: opnai } ], fallbacks: [ m1, m9 ] }
              - { name: m2 }
            """,
            List.of(
                "extra: unknown field (known: audit, auth, budgets, database, ledger, limits, logging, models, providers, routing, secrets, server)",
                "server.colour: unknown field (known: drain_timeout, event_loops, host, max_body_size, port)",
                "server.port: must be between 0 and 65535 (is 99999)",
                "database.url: expected a jdbc:sqlite: or jdbc:postgresql: URL",
                "auth.master_key: must be at least 32 characters (is 5); use --dev to relax this for local experiments",
                "providers[0].base_url: plaintext http:// to non-loopback host 'api.example.com'" + HTTP_HINT,
                "providers[1].name: duplicate provider name 'openai'",
                "models[0].deployments[0].provider: unknown provider 'opnai' (known: openai)",
                "models[0].fallbacks[0]: a model cannot fall back to itself",
                "models[0].fallbacks[1]: unknown model 'm9'",
                "models[1].deployments: at least one deployment is required")));
  }

  @ParameterizedTest
  @MethodSource("badConfigs")
  void rejectsBadConfigurationWithExactProblems(String yaml, List<String> expected) {
    assertThat(problemsOf(yaml, Map.of(), false)).containsExactlyElementsOf(expected);
  }

  @Test
  void theBaseConfigurationOfTheTableIsValid() {
    // Guards the table above: each case must fail only for the reason it names.
    TollgateConfig config = parse(VALID);
    assertThat(config.providers()).extracting(ProviderConfig::name).containsExactly("openai", "demo");
    assertThat(config.models()).extracting(ModelConfig::name).containsExactly("gpt-4o-mini");
  }

  @Test
  void exceptionMessageListsEveryProblem() {
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> parse("auth: { master_key: short }\nserver: { port: x }\n"));
    assertThat(e.problems()).hasSize(2);
    assertThat(e.getMessage()).isEqualTo("invalid configuration (2 problems):\n"
        + "  server.port: expected an integer, got 'x'\n"
        + "  auth.master_key: must be at least 32 characters (is 5); use --dev to relax this for local experiments");

    ConfigException single = catchThrowableOfType(ConfigException.class, () -> parse(""));
    assertThat(single.getMessage()).isEqualTo("invalid configuration: auth.master_key: is required");
  }

  @Test
  void problemsListIsImmutable() {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(""));
    assertThatThrownBy(() -> e.problems().add("x")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void rejectsTextThatIsNotYaml() {
    List<String> problems = problemsOf("server: { port: 8080\n", Map.of(), false);
    assertThat(problems).singleElement().asString().startsWith("not valid YAML: ");
  }

  @Test
  void rejectsADocumentThatIsNotAMapping() {
    assertThat(problemsOf("- a\n- b\n", Map.of(), false)).containsExactly("the configuration must be a YAML mapping");
  }

  @Test
  void loadReportsAMissingFile(@TempDir Path dir) {
    Path file = dir.resolve("nope.yaml");
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> new ConfigLoader(Map.of(), false).load(file));
    assertThat(e.problems()).containsExactly(file + ": no such file");
  }

  @Test
  void loadReadsAFile(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("tollgate.yaml"), VALID);
    assertThat(new ConfigLoader(Map.of(), false).load(file)).isEqualTo(parse(VALID));
  }

  // ---------------------------------------------------------------- master key and --dev

  @Test
  void devModeAcceptsAShortMasterKey() {
    TollgateConfig config = new ConfigLoader(Map.of(), true).parse("auth: { master_key: dev }\n" + PROVIDERS + MODELS);
    assertThat(config.auth().masterKey().value()).isEqualTo("dev");
  }

  @Test
  void devModeStillRequiresAMasterKey() {
    assertThat(problemsOf(PROVIDERS + MODELS, Map.of(), true)).containsExactly("auth.master_key: is required");
    assertThat(problemsOf("auth: { master_key: \"  \" }\n", Map.of(), true))
        .containsExactly("auth.master_key: must not be empty");
  }

  @Test
  void devModeRelaxesNothingElse() {
    assertThat(problemsOf("auth: { master_key: dev }\n"
            + withProvider("{ name: openai, type: openai, base_url: \"http://10.0.0.1/v1\" }").replace(AUTH, ""),
        Map.of(), true))
        .containsExactly("providers[0].base_url: plaintext http:// to non-loopback host '10.0.0.1'" + HTTP_HINT);
  }

  @Test
  void masterKeyOfExactlyTheMinimumLengthIsAccepted() {
    assertThat(parse(VALID).auth().masterKey().value()).hasSize(ConfigLoader.MIN_MASTER_KEY_LENGTH).isEqualTo(KEY);
  }

  // ---------------------------------------------------------------- plaintext upstreams

  @ParameterizedTest
  @ValueSource(strings = {"http://127.0.0.1:8000/v1", "http://localhost:11434/v1", "http://LOCALHOST/v1",
      "http://[::1]:8000/v1", "http://127.0.0.53/v1"})
  void plaintextHttpToLoopbackIsAllowed(String url) {
    TollgateConfig config = parse(withProvider("{ name: openai, type: openai, base_url: \"" + url + "\" }"));
    assertThat(config.providers().getFirst().baseUrl()).isEqualTo(URI.create(url));
    assertThat(config.providers().getFirst().allowInsecureUpstream()).isFalse();
  }

  @Test
  void plaintextHttpToAnyHostIsAllowedWhenExplicitlyPermitted() {
    TollgateConfig config = parse(withProvider(
        "{ name: openai, type: openai, base_url: \"http://10.1.2.3:8000/v1\", allow_insecure_upstream: true }"));
    assertThat(config.providers().getFirst().baseUrl()).isEqualTo(URI.create("http://10.1.2.3:8000/v1"));
    assertThat(config.providers().getFirst().allowInsecureUpstream()).isTrue();
  }

  @Test
  void hostNamesWithUnderscoresAsDockerComposeGivesThemAreAccepted() {
    TollgateConfig config = parse(withProvider(
        "{ name: openai, type: openai, base_url: \"https://local_vllm:8000/v1/\" }"));
    assertThat(UpstreamAddress.of(config.providers().getFirst().baseUrl()))
        .contains(new UpstreamAddress(true, "local_vllm", 8000, "/v1"));
    assertThat(problemsOf(withProvider("{ name: openai, type: openai, base_url: \"http://local_vllm:8000/v1\" }"), Map.of(), false))
        .containsExactly("providers[0].base_url: plaintext http:// to non-loopback host 'local_vllm' sends prompts"
            + " and keys unencrypted; use https:// or set allow_insecure_upstream: true");
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://bad_host:99999/v1", "https://user@bad_host/v1", "https://bad_host:x/v1",
      "https://bad host/v1", "ftp://api.openai.com/v1", "api.openai.com/v1"})
  void urlsThatAreNotHttpWithAHostAreRejected(String url) {
    assertThat(problemsOf(withProvider("{ name: openai, type: openai, base_url: \"" + url + "\" }"), Map.of(), false))
        .singleElement().asString().startsWith("providers[0].base_url: ");
  }

  @Test
  void upstreamAddressDefaultsPortsAndTrimsTheTrailingSlash() {
    assertThat(UpstreamAddress.of(URI.create("https://api.openai.com/v1/")))
        .contains(new UpstreamAddress(true, "api.openai.com", 443, "/v1"));
    assertThat(UpstreamAddress.of(URI.create("http://127.0.0.1")))
        .contains(new UpstreamAddress(false, "127.0.0.1", 80, ""));
    assertThat(UpstreamAddress.of(URI.create("http://[::1]:8000/v1")))
        .contains(new UpstreamAddress(false, "[::1]", 8000, "/v1"));
  }

  @Test
  void cloudProvidersGetTheirDefaultBaseUrlsAndBedrockItsCredentialsFromTheEnvironment() {
    TollgateConfig config = new ConfigLoader(Map.of("AWS_REGION", "eu-central-1", "AWS_ACCESS_KEY_ID", "AKIDENV",
        "AWS_SECRET_ACCESS_KEY", "env-secret", "AWS_SESSION_TOKEN", "env-token"), false).parse(AUTH + """
        providers:
          - { name: openai, type: anthropic, api_key: sk-ant }
          - { name: demo, type: gemini, api_key: g }
          - { name: aws, type: bedrock }
        """ + MODELS);
    assertThat(config.provider("openai").orElseThrow().baseUrl()).isEqualTo(URI.create("https://api.anthropic.com"));
    assertThat(config.provider("demo").orElseThrow().baseUrl())
        .isEqualTo(URI.create("https://generativelanguage.googleapis.com"));
    ProviderConfig aws = config.provider("aws").orElseThrow();
    assertThat(aws.baseUrl()).isEqualTo(URI.create("https://bedrock-runtime.eu-central-1.amazonaws.com"));
    assertThat(aws.cloud().region()).isEqualTo("eu-central-1");
    assertThat(aws.cloud().awsAccessKeyId()).contains("AKIDENV");
    assertThat(aws.cloud().awsSecretAccessKey()).map(Secret::value).contains("env-secret");
    assertThat(aws.cloud().awsSessionToken()).map(Secret::value).contains("env-token");
    assertThat(aws.toString()).doesNotContain("env-secret").doesNotContain("env-token");
  }

  // ---------------------------------------------------------------- interpolation

  @Test
  void interpolatesEnvironmentVariables() {
    TollgateConfig config = new ConfigLoader(Map.of("OPENAI_API_KEY", "sk-from-env", "LLM_HOST", "llm.example.com"),
        false).parse(withProvider("{ name: openai, type: openai, base_url: \"https://${LLM_HOST}:8443/v1\", "
            + "api_key: \"${OPENAI_API_KEY}\" }"));
    ProviderConfig p = config.providers().getFirst();
    assertThat(p.baseUrl()).isEqualTo(URI.create("https://llm.example.com:8443/v1"));
    assertThat(p.apiKey()).map(Secret::value).contains("sk-from-env");
  }

  @Test
  void usesTheDefaultWhenTheVariableIsUnsetOrEmpty() {
    String yaml = withProvider("{ name: openai, type: openai, base_url: \"https://${LLM_HOST:-api.openai.com}/v1\" }");
    assertThat(new ConfigLoader(Map.of(), false).parse(yaml).providers().getFirst().baseUrl())
        .isEqualTo(URI.create("https://api.openai.com/v1"));
    assertThat(new ConfigLoader(Map.of("LLM_HOST", ""), false).parse(yaml).providers().getFirst().baseUrl())
        .isEqualTo(URI.create("https://api.openai.com/v1"));
    assertThat(new ConfigLoader(Map.of("LLM_HOST", "llm.example.com"), false).parse(yaml).providers().getFirst()
        .baseUrl()).isEqualTo(URI.create("https://llm.example.com/v1"));
  }

  @Test
  void anEmptyDefaultIsAllowed() {
    TollgateConfig config = parse(withProvider("{ name: openai, type: openai, base_url: \"https://api.openai.com/v1\", "
        + "api_key: \"${OPENAI_API_KEY:-}\" }"));
    assertThat(config.providers().getFirst().apiKey()).isEmpty();
  }

  @Test
  void anEmptyVariableWithoutDefaultIsUsedAsIs() {
    TollgateConfig config = new ConfigLoader(Map.of("OPENAI_API_KEY", ""), false).parse(withProvider(
        "{ name: openai, type: openai, base_url: \"https://api.openai.com/v1\", api_key: \"${OPENAI_API_KEY}\" }"));
    assertThat(config.providers().getFirst().apiKey()).isEmpty();
  }

  @Test
  void doubleDollarIsALiteralDollar() {
    TollgateConfig config = new ConfigLoader(Map.of("NOT_A_REF", "expanded"), false).parse(
        "auth: { master_key: \"pa$$word-$${NOT_A_REF}-0123456789abcdefghijkl\" }\n" + PROVIDERS + MODELS);
    assertThat(config.auth().masterKey().value()).isEqualTo("pa$word-${NOT_A_REF}-0123456789abcdefghijkl");
  }

  @Test
  void expandedValuesAreNotExpandedAgain() {
    TollgateConfig config = new ConfigLoader(Map.of("K", "${OTHER}$$", "OTHER", "no"), false).parse(
        "auth: { master_key: \"${K}-0123456789abcdef0123456789abcdef\" }\n" + PROVIDERS + MODELS);
    assertThat(config.auth().masterKey().value()).isEqualTo("${OTHER}$$-0123456789abcdef0123456789abcdef");
  }

  // ---------------------------------------------------------------- binding

  @Test
  void minimalConfigurationGetsDocumentedDefaults() {
    TollgateConfig config = parse(VALID);
    assertThat(config.server()).isEqualTo(new ServerConfig("0.0.0.0", 8080, 0, 10L * 1024 * 1024, Duration.ofSeconds(30)));
    assertThat(config.database()).isEqualTo(new DatabaseConfig("jdbc:sqlite:data/tollgate.db", 8));
    assertThat(config.logging()).isEqualTo(new LoggingConfig("text", "info", true));
    assertThat(config.ledger()).isEqualTo(new LedgerConfig(WalConfig.defaults(Path.of("data/tollgate.db")
        .toAbsolutePath().getParent().resolve("wal")), 4000, Duration.ofMillis(100)));
    assertThat(config.limits()).isEqualTo(LimitsConfig.NONE);
    assertThat(config.budgets()).isEqualTo(BudgetSettings.DEFAULTS);

    ProviderConfig openai = config.provider("openai").orElseThrow();
    assertThat(openai).isEqualTo(new ProviderConfig("openai", ProviderType.OPENAI, URI.create("https://api.openai.com/v1"),
        Optional.of(new Secret("sk-test")), "2024-10-21", Map.of(), false, Timeouts.DEFAULTS, 256, MockSettings.DEFAULTS));
    ProviderConfig demo = config.provider("demo").orElseThrow();
    assertThat(demo.type()).isEqualTo(ProviderType.MOCK);
    assertThat(demo.baseUrl()).isNull();
    assertThat(demo.apiKey()).isEmpty();
    assertThat(demo.mock()).isEqualTo(MockSettings.DEFAULTS);

    assertThat(config.models()).containsExactly(new ModelConfig("gpt-4o-mini",
        List.of(new DeploymentConfig("openai", "gpt-4o-mini", 1)), DEFAULT_ROUTING, Optional.empty()));
  }

  @Test
  void anEmptyDocumentOnlyLacksTheMasterKey() {
    assertThat(problemsOf("", Map.of(), false)).containsExactly("auth.master_key: is required");
    TollgateConfig config = new ConfigLoader(Map.of(), true).parse("auth: { master_key: k }\n");
    assertThat(config.providers()).isEmpty();
    assertThat(config.models()).isEmpty();
  }

  @Test
  void fullConfigurationBindsEveryField() {
    String yaml = """
        server:
          host: 127.0.0.1
          port: 9090
          event_loops: 3
          max_body_size: 2MB
          drain_timeout: 45s
        database:
          url: "jdbc:postgresql://db.internal:5432/tollgate?user=tg"
          max_pool_size: 16
        auth:
          master_key: "${MASTER}"
        logging: { format: JSON, level: DEBUG, access_log: false }
        ledger:
          wal: { directory: /var/lib/tollgate/wal, segment_size: 16MB, commit_interval: 5ms, commit_size: 256KB,
                 max_disk: 2GB, admission_headroom: 8MB }
          flush_batch: 500
          flush_interval: 1s
          fsync_intents: true
        limits:
          defaults:
            key: { rpm: 600, tpm: 200_000, max_concurrent: 20 }
            team: { rpm: 6000 }
          keys: { k-1: { rpm: 60 } }
          users: { u-1: { max_concurrent: 4 } }
          max_tracked_scopes: 5000
        budgets:
          reservation_ttl: 20m
          flush_interval: 2s
          limits:
            - { id: research-monthly, scope: team, scope_id: t-research, amount_usd: "1500.50", period: monthly }
            - { id: k1-daily, scope: key, scope_id: k-1, amount_usd: 5, period: daily, thresholds: [ 90 ] }
        providers:
          - name: openai
            type: openai
            base_url: https://api.openai.com/v1
            api_key: ${OPENAI_API_KEY}
            headers: { OpenAI-Organization: org-123, X-Trace: "on" }
            timeouts: { connect: 250ms, first_byte: 30s, idle: 2m, total: 1h }
            max_connections: 64
          - name: az
            type: azure
            base_url: https://res.openai.azure.com
            api_key: az-key
            api_version: 2025-01-01-preview
          - name: local
            type: openai
            base_url: http://10.0.0.7:8000/v1
            allow_insecure_upstream: yes
          - name: demo
            type: mock
            mock: { chunk_tokens: 2, first_token_latency: 100ms, chunk_latency: 5ms }
        models:
          - name: gpt-4o-mini
            deployments:
              - { provider: openai, model: gpt-4o-mini-2024-07-18, weight: 3 }
              - { provider: local, model: qwen2.5-7b-instruct }
            fallbacks: [ demo-model ]
            price: { input_per_mtok: 0.15, output_per_mtok: 0.60, cached_input_per_mtok: 0.075 }
          - name: demo-model
            deployments: [ { provider: demo } ]
        """;
    String master = "m".repeat(40);
    TollgateConfig config = new ConfigLoader(Map.of("MASTER", master, "OPENAI_API_KEY", "sk-123"), false).parse(yaml);

    assertThat(config.server()).isEqualTo(new ServerConfig("127.0.0.1", 9090, 3, 2L * 1024 * 1024, Duration.ofSeconds(45)));
    assertThat(config.database()).isEqualTo(new DatabaseConfig("jdbc:postgresql://db.internal:5432/tollgate?user=tg", 16));
    assertThat(config.database().isPostgres()).isTrue();
    assertThat(config.database().isSqlite()).isFalse();
    assertThat(config.auth().masterKey().value()).isEqualTo(master);
    assertThat(config.logging()).isEqualTo(new LoggingConfig("json", "debug", false));
    assertThat(config.logging().json()).isTrue();
    assertThat(config.ledger()).isEqualTo(new LedgerConfig(new WalConfig(Path.of("/var/lib/tollgate/wal"),
        16L << 20, Duration.ofMillis(5), 256L << 10, 2L << 30, 8L << 20), 500, Duration.ofSeconds(1), true));
    assertThat(config.limits()).isEqualTo(new LimitsConfig(
        Map.of(ScopeKind.KEY, new LimitSpec(OptionalLong.of(600), OptionalLong.of(200_000), OptionalInt.of(20)),
            ScopeKind.TEAM, LimitSpec.NONE.withRpm(6000)),
        Map.of("k-1", LimitSpec.NONE.withRpm(60)), Map.of("u-1", LimitSpec.NONE.withMaxConcurrent(4)), Map.of(), 5000));
    assertThat(config.budgets().reservationTtl()).isEqualTo(Duration.ofMinutes(20));
    assertThat(config.budgets().flushInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.budgets().budgets()).containsExactly(
        new Budget("research-monthly", BudgetScope.team("t-research"), 1_500_500_000L, BudgetPeriod.MONTHLY),
        new Budget("k1-daily", BudgetScope.key("k-1"), 5_000_000L, BudgetPeriod.DAILY, List.of(90)));

    assertThat(config.providers()).extracting(ProviderConfig::name).containsExactly("openai", "az", "local", "demo");
    assertThat(config.provider("openai")).contains(new ProviderConfig("openai", ProviderType.OPENAI,
        URI.create("https://api.openai.com/v1"), Optional.of(new Secret("sk-123")), "2024-10-21",
        Map.of("OpenAI-Organization", "org-123", "X-Trace", "on"), false,
        new Timeouts(Duration.ofMillis(250), Duration.ofSeconds(30), Duration.ofMinutes(2), Duration.ofHours(1)), 64,
        MockSettings.DEFAULTS));
    assertThat(config.provider("az")).contains(new ProviderConfig("az", ProviderType.AZURE,
        URI.create("https://res.openai.azure.com"), Optional.of(new Secret("az-key")), "2025-01-01-preview", Map.of(),
        false, Timeouts.DEFAULTS, 256, MockSettings.DEFAULTS));
    assertThat(config.provider("local")).contains(new ProviderConfig("local", ProviderType.OPENAI,
        URI.create("http://10.0.0.7:8000/v1"), Optional.empty(), "2024-10-21", Map.of(), true, Timeouts.DEFAULTS, 256,
        MockSettings.DEFAULTS));
    assertThat(config.provider("demo")).contains(new ProviderConfig("demo", ProviderType.MOCK, null, Optional.empty(),
        "2024-10-21", Map.of(), false, Timeouts.DEFAULTS, 256,
        new MockSettings(2, Duration.ofMillis(100), Duration.ofMillis(5))));
    assertThat(config.provider("nope")).isEmpty();

    ModelConfig mini = config.models().getFirst();
    assertThat(mini.name()).isEqualTo("gpt-4o-mini");
    assertThat(mini.deployments()).containsExactly(new DeploymentConfig("openai", "gpt-4o-mini-2024-07-18", 3),
        new DeploymentConfig("local", "qwen2.5-7b-instruct", 1));
    assertThat(mini.fallbacks()).containsExactly("demo-model");
    PriceConfig price = mini.price().orElseThrow();
    assertThat(price.inputPerMtok()).isEqualByComparingTo("0.15");
    assertThat(price.outputPerMtok()).isEqualByComparingTo("0.60");
    assertThat(price.cachedInputPerMtok()).hasValueSatisfying(c -> assertThat(c).isEqualByComparingTo("0.075"));
    assertThat(config.models().get(1)).isEqualTo(new ModelConfig("demo-model",
        List.of(new DeploymentConfig("demo", "demo-model", 1)), DEFAULT_ROUTING, Optional.empty()));
  }

  @Test
  void priceWithoutCachedInputLeavesItEmpty() {
    TollgateConfig config = parse(withModels(
        "{ name: gpt-4o-mini, deployments: [ { provider: openai } ], price: { input_per_mtok: 1, output_per_mtok: \"2.5\" } }"));
    PriceConfig price = config.models().getFirst().price().orElseThrow();
    assertThat(price.inputPerMtok()).isEqualByComparingTo(BigDecimal.ONE);
    assertThat(price.outputPerMtok()).isEqualByComparingTo("2.5");
    assertThat(price.cachedInputPerMtok()).isEmpty();
    assertThat(price.cacheWritePerMtok()).isEmpty();
  }

  @Test
  void aCacheWritePriceIsReadAndUsed() {
    TollgateConfig config = parse(withModels("{ name: claude, deployments: [ { provider: openai } ], price: "
        + "{ input_per_mtok: 3, output_per_mtok: 15, cached_input_per_mtok: \"0.30\", cache_write_per_mtok: \"3.75\","
        + " per_request: \"0.005\" } }"));
    PriceConfig price = config.models().getFirst().price().orElseThrow();
    assertThat(price.cacheWritePerMtok()).hasValueSatisfying(c -> assertThat(c).isEqualByComparingTo("3.75"));
    assertThat(dev.tollgate.metering.PriceTable.of(config.models()).price("claude", "x").cacheWriteMicrosPerMtok())
        .isEqualTo(3_750_000);
    assertThat(dev.tollgate.metering.PriceTable.of(config.models()).price("claude", "x").requestMicros())
        .isEqualTo(5_000);
  }

  @ParameterizedTest
  @ValueSource(strings = {"100:100", "512KB:524288", "512kb:524288", "1MiB:1048576", "10 MB:10485760",
      "2GB:2147483648", "3B:3"})
  void sizesAcceptBinaryUnits(String spec) {
    String[] parts = spec.split(":");
    TollgateConfig config = parse(VALID + "server: { max_body_size: \"" + parts[0] + "\" }\n");
    assertThat(config.server().maxBodyBytes()).isEqualTo(Long.parseLong(parts[1]));
  }

  @ParameterizedTest
  @ValueSource(strings = {"250ms:PT0.25S", "5s:PT5S", "2m:PT2M", "1h:PT1H", "0ms:PT0S", "7 s:PT7S"})
  void durationsAcceptTheirUnits(String spec) {
    String[] parts = spec.split(":");
    TollgateConfig config = parse(VALID + "server: { drain_timeout: \"" + parts[0] + "\" }\n");
    assertThat(config.server().drainTimeout()).isEqualTo(Duration.parse(parts[1]));
  }

  @ParameterizedTest
  @ValueSource(strings = {"true", "yes", "on", "TRUE", "Yes"})
  void booleansAcceptTheirSpellings(String spelling) {
    String yaml = withProvider("{ name: openai, type: openai, base_url: \"http://10.0.0.1/v1\", "
        + "allow_insecure_upstream: \"" + spelling + "\" }");
    assertThat(parse(yaml).providers().getFirst().allowInsecureUpstream()).isTrue();
  }

  // ---------------------------------------------------------------- environment overrides

  @Test
  void environmentOverridesTakePrecedenceOverTheFile() {
    String yaml = """
        server: { port: 9090 }
        database: { url: "jdbc:sqlite:/var/lib/file.db" }
        auth: { master_key: "file-key-0123456789abcdef0123456789" }
        """;
    Map<String, String> env = Map.of(
        "TOLLGATE_MASTER_KEY", "env-key-0123456789abcdef0123456789",
        "TOLLGATE_DATABASE_URL", "jdbc:postgresql://pg:5432/tg?user=tg",
        "TOLLGATE_PORT", "7070");
    TollgateConfig config = new ConfigLoader(env, false).parse(yaml);
    assertThat(config.auth().masterKey().value()).isEqualTo("env-key-0123456789abcdef0123456789");
    assertThat(config.database().url()).isEqualTo("jdbc:postgresql://pg:5432/tg?user=tg");
    assertThat(config.server().port()).isEqualTo(7070);
  }

  @Test
  void environmentOverridesFillAbsentSections() {
    Map<String, String> env = Map.of("TOLLGATE_MASTER_KEY", KEY, "TOLLGATE_PORT", "7071");
    TollgateConfig config = new ConfigLoader(env, false).parse("");
    assertThat(config.auth().masterKey().value()).isEqualTo(KEY);
    assertThat(config.server().port()).isEqualTo(7071);
    assertThat(config.server().host()).isEqualTo("0.0.0.0");
  }

  @Test
  void emptyEnvironmentOverridesAreIgnored() {
    Map<String, String> env = Map.of("TOLLGATE_MASTER_KEY", "", "TOLLGATE_DATABASE_URL", "", "TOLLGATE_PORT", "");
    TollgateConfig config = new ConfigLoader(env, false).parse(VALID + "server: { port: 9090 }\n");
    assertThat(config.auth().masterKey().value()).isEqualTo(KEY);
    assertThat(config.database().url()).isEqualTo("jdbc:sqlite:data/tollgate.db");
    assertThat(config.server().port()).isEqualTo(9090);
  }

  @Test
  void environmentOverridesAreLiteralNotTemplates() {
    String key = "abc$def${HOME}$$0123456789abcdef0123456789";
    TollgateConfig config = new ConfigLoader(Map.of("TOLLGATE_MASTER_KEY", key, "HOME", "/root"), false)
        .parse(PROVIDERS + MODELS);
    assertThat(config.auth().masterKey().value()).isEqualTo(key);
  }

  @Test
  void environmentOverridesAreValidatedLikeFileValues() {
    assertThat(problemsOf(VALID, Map.of("TOLLGATE_PORT", "http", "TOLLGATE_DATABASE_URL", "mysql://x"), false))
        .containsExactly("server.port: expected an integer, got 'http'",
            "database.url: expected a jdbc:sqlite: or jdbc:postgresql: URL");
  }

  // ---------------------------------------------------------------- secrets

  @Test
  void secretToStringNeverShowsTheValue() {
    Secret secret = new Secret("sk-live-abcdef");
    assertThat(secret.toString()).isEqualTo("Secret[****]").doesNotContain("sk-live-abcdef");
    assertThat(secret.value()).isEqualTo("sk-live-abcdef");
    assertThat(new Secret("").isEmpty()).isTrue();
    assertThatThrownBy(() -> new Secret(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void configurationToStringHidesEverySecret() {
    String master = "master-secret-0123456789abcdef0123456789";
    TollgateConfig config = new ConfigLoader(Map.of("TOLLGATE_MASTER_KEY", master), false).parse(
        withProvider("{ name: openai, type: openai, base_url: \"https://api.openai.com/v1\", "
            + "api_key: sk-provider-secret }").replace(AUTH, ""));
    assertThat(config.toString()).doesNotContain(master).doesNotContain("sk-provider-secret").contains("Secret[****]");
  }

  // ---------------------------------------------------------------- bugs (see the report)

  /**
   * BUG: {@code ConfigLoader.models} reads every model's name once in a pre-pass (to know the fallback
   * targets) through {@code optionalString()}, which reports problems, and then again for real; every
   * problem of a model name is listed twice.
   */
  @Test
  void aModelNameProblemIsReportedOnce() {
    assertThat(problemsOf(withModels("{ name: \"${MODEL_NAME}\", deployments: [ { provider: openai } ] }"),
        Map.of(), false))
        .containsExactly("models[0].name: environment variable MODEL_NAME is not set", "models[0].name: must not be empty");
    assertThat(problemsOf(withModels("{ name: [ a, b ], deployments: [ { provider: openai } ] }"), Map.of(), false))
        .containsExactly("models[0].name: expected a string, got a list");
  }

  /**
   * BUG: {@code ConfigNode.duration} and {@code size} parse the digits with {@code Long.parseLong} and
   * multiply without overflow checks: a huge number escapes as a NumberFormatException or
   * ArithmeticException instead of a ConfigException, and a large size silently wraps around.
   */
  @ParameterizedTest
  @ValueSource(strings = {"drain_timeout: \"99999999999999999999s\"", "drain_timeout: \"99999999999999999h\"",
      "max_body_size: \"99999999999999999999\"", "max_body_size: \"17179869184GB\""})
  void hugeDurationsAndSizesAreReportedNotCrashedOnOrWrapped(String field) {
    String path = "server." + field.substring(0, field.indexOf(':')) + ": ";
    assertThat(problemsOf(VALID + "server: { " + field + " }\n", Map.of(), false))
        .singleElement().asString().startsWith(path);
  }

  /**
   * BUG: {@code ConfigLoader.timeouts} checks for zero values by iterating a {@code Map.of(...)}, whose
   * iteration order is randomised per JVM, so the problems come out in an arbitrary order that changes
   * from run to run. (This test may pass by chance in some JVM runs.)
   */
  @Test
  void zeroTimeoutsAreReportedInFileOrder() {
    assertThat(problemsOf(withProvider("{ name: openai, type: openai, base_url: \"https://api.openai.com/v1\", "
        + "timeouts: { connect: 0s, first_byte: 0ms, idle: 0m, total: 0h } }"), Map.of(), false))
        .containsExactly("providers[0].timeouts.connect: must be greater than zero",
            "providers[0].timeouts.first_byte: must be greater than zero",
            "providers[0].timeouts.idle: must be greater than zero",
            "providers[0].timeouts.total: must be greater than zero");
  }

  // ---------------------------------------------------------------- auth.oidc and auth.jwt (docs/sso.md)

  private static final String OIDC_REQUIRED = "issuer: \"https://idp.example.com\", client_id: tollgate, "
      + "client_secret: s3cret, redirect_uri: \"https://tollgate.example.com/auth/oidc/callback\"";
  private static final String ISSUER_REQUIRED = "issuer: \"https://idp.example.com\", "
      + "jwks_url: \"https://idp.example.com/jwks\", audience: tollgate";
  private static final String HTTPS_ONLY = "must use https (plain http only on 127.0.0.1, [::1] or localhost): ";

  /** A valid file whose {@code auth} has these extra fields (flow YAML). */
  private static String withAuth(String fields) {
    return "auth: { master_key: \"" + KEY + "\", " + fields + " }\n" + PROVIDERS + MODELS;
  }

  private static String oidc(String fields) {
    return withAuth("oidc: { " + fields + " }");
  }

  private static String jwt(String issuerFields, String fields) {
    return withAuth("jwt: { issuers: [ { " + issuerFields + " } ]" + (fields.isEmpty() ? "" : ", " + fields) + " }");
  }

  static Stream<Arguments> badSsoConfigs() {
    return Stream.of(
        // --- auth.oidc
        argumentSet("oidc not a mapping", withAuth("oidc: 5"), List.of("auth.oidc: expected a mapping, got '5'")),
        argumentSet("oidc unknown field", oidc(OIDC_REQUIRED + ", clientid: x"),
            List.of("auth.oidc.clientid: unknown field (known: allowed_domains, claims, client_auth, client_id, "
                + "client_secret, clock_skew, group_roles, group_teams, issuer, pending_ttl, redirect_uri, scopes)")),
        argumentSet("oidc without anything", withAuth("oidc: {}"),
            List.of("auth.oidc.issuer is required", "auth.oidc.client_id is required",
                "auth.oidc.client_secret is required (a confidential client; use ${ENV} interpolation)",
                "auth.oidc.redirect_uri is required")),
        argumentSet("oidc issuer over plain http", oidc(OIDC_REQUIRED.replace("https://idp", "http://idp")),
            List.of("auth.oidc.issuer " + HTTPS_ONLY + "http://idp.example.com")),
        argumentSet("oidc redirect_uri not a URL",
            oidc(OIDC_REQUIRED.replace("https://tollgate.example.com/auth", "https://tollgate example/auth")),
            List.of("auth.oidc.redirect_uri: is not a URL: 'https://tollgate example/auth/oidc/callback'")),
        argumentSet("oidc scopes without openid", oidc(OIDC_REQUIRED + ", scopes: [ email ]"),
            List.of("auth.oidc.scopes must include openid, not [email]")),
        argumentSet("oidc unknown client_auth", oidc(OIDC_REQUIRED + ", client_auth: private_key_jwt"),
            List.of("auth.oidc.client_auth: expected client_secret_basic or client_secret_post, got 'private_key_jwt'")),
        argumentSet("oidc unknown claim", oidc(OIDC_REQUIRED + ", claims: { role: roles }"),
            List.of("auth.oidc.claims.role: unknown field (known: email, groups, name)")),
        argumentSet("oidc malformed claim path", oidc(OIDC_REQUIRED + ", claims: { groups: \"realm_access..roles\" }"),
            List.of("auth.oidc.claims.groups: claim path 'realm_access..roles' has an empty segment")),
        argumentSet("oidc unknown role", oidc(OIDC_REQUIRED + ", group_roles: { admins: [ root ] }"),
            List.of("auth.oidc.group_roles.admins has unknown role 'root' (known: [admin, auditor, member, "
                + "team_admin, viewer])")),
        argumentSet("oidc roles not a list", oidc(OIDC_REQUIRED + ", group_roles: { admins: admin }"),
            List.of("auth.oidc.group_roles.admins: expected a list, got 'admin'",
                "auth.oidc.group_roles needs a group name and at least one role per entry")),
        argumentSet("oidc group_teams not a mapping", oidc(OIDC_REQUIRED + ", group_teams: [ search ]"),
            List.of("auth.oidc.group_teams: expected a mapping, got a list")),
        argumentSet("oidc group without teams", oidc(OIDC_REQUIRED + ", group_teams: { eng: [] }"),
            List.of("auth.oidc.group_teams needs a group name and at least one non-blank team per entry")),
        argumentSet("oidc domain with an at sign", oidc(OIDC_REQUIRED + ", allowed_domains: [ \"@example.com\" ]"),
            List.of("auth.oidc.allowed_domains has '@example.com'; write bare domains such as example.com")),
        argumentSet("oidc clock skew too large", oidc(OIDC_REQUIRED + ", clock_skew: 10m"),
            List.of("auth.oidc.clock_skew must be between 0s and 5m, not PT10M")),
        argumentSet("oidc clock skew not a duration", oidc(OIDC_REQUIRED + ", clock_skew: soon"),
            List.of("auth.oidc.clock_skew: expected a duration such as 250ms, 5s, 2m or 1h, got 'soon'")),
        argumentSet("oidc pending_ttl too long", oidc(OIDC_REQUIRED + ", pending_ttl: 2h"),
            List.of("auth.oidc.pending_ttl must be between 1m and 1h, not PT2H")),

        // --- auth.jwt
        argumentSet("jwt not a mapping", withAuth("jwt: [ ]"), List.of("auth.jwt: expected a mapping, got a list")),
        argumentSet("jwt unknown field", jwt(ISSUER_REQUIRED, "jwks_refresh: 1m"),
            List.of("auth.jwt.jwks_refresh: unknown field (known: clock_skew, issuers, jwks_min_refetch, jwks_ttl)")),
        argumentSet("jwt without issuers", withAuth("jwt: { clock_skew: 30s }"),
            List.of("auth.jwt.issuers: at least one issuer is required (an auth.jwt section without issuers accepts "
                + "no token)")),
        argumentSet("jwt with an empty issuer list", withAuth("jwt: { issuers: [] }"),
            List.of("auth.jwt.issuers: at least one issuer is required (an auth.jwt section without issuers accepts "
                + "no token)")),
        argumentSet("jwt issuers not a list", withAuth("jwt: { issuers: { issuer: x } }"),
            List.of("auth.jwt.issuers: expected a list, got a mapping")),
        argumentSet("jwt clock skew too large", jwt(ISSUER_REQUIRED, "clock_skew: 6m"),
            List.of("auth.jwt.clock_skew must be between 0s and 5m, not PT6M")),
        argumentSet("jwt zero ttl", jwt(ISSUER_REQUIRED, "jwks_ttl: 0s"),
            List.of("auth.jwt.jwks_ttl must be positive, not PT0S",
                "auth.jwt.jwks_min_refetch must be between 0s and auth.jwt.jwks_ttl, not PT30S")),
        argumentSet("jwt refetch interval above the ttl", jwt(ISSUER_REQUIRED, "jwks_min_refetch: 20m"),
            List.of("auth.jwt.jwks_min_refetch must be between 0s and auth.jwt.jwks_ttl, not PT20M")),
        argumentSet("jwt ttl not a duration", jwt(ISSUER_REQUIRED, "jwks_ttl: often"),
            List.of("auth.jwt.jwks_ttl: expected a duration such as 250ms, 5s, 2m or 1h, got 'often'")),
        argumentSet("jwt issuer unknown field", jwt(ISSUER_REQUIRED + ", aud: x", ""),
            List.of("auth.jwt.issuers[0].aud: unknown field (known: algorithms, audience, claims, issuer, jwks_url)")),
        argumentSet("jwt issuer not a mapping", withAuth("jwt: { issuers: [ \"https://idp.example.com\" ] }"),
            List.of("auth.jwt.issuers[0]: expected a mapping, got 'https://idp.example.com'")),
        argumentSet("jwt issuer without anything", jwt("", ""),
            List.of("auth.jwt.issuers[0].issuer is required", "auth.jwt.issuers[0].jwks_url is required",
                "auth.jwt.issuers[0].audience is required: a token minted for another service must not work here")),
        argumentSet("jwt second issuer without a key URL",
            withAuth("jwt: { issuers: [ { " + ISSUER_REQUIRED + " }, { issuer: \"https://other.example.com\", "
                + "audience: tollgate } ] }"),
            List.of("auth.jwt.issuers[1].jwks_url is required")),
        argumentSet("jwt key URL over plain http",
            jwt(ISSUER_REQUIRED.replace("https://idp.example.com/jwks", "http://idp.example.com/jwks"), ""),
            List.of("auth.jwt.issuers[0].jwks_url " + HTTPS_ONLY + "http://idp.example.com/jwks")),
        argumentSet("jwt key URL not a URL",
            jwt(ISSUER_REQUIRED.replace("https://idp.example.com/jwks", "https://idp example/jwks"), ""),
            List.of("auth.jwt.issuers[0].jwks_url: is not a URL: 'https://idp example/jwks'")),
        argumentSet("jwt symmetric algorithm", jwt(ISSUER_REQUIRED + ", algorithms: [ RS256, HS256 ]", ""),
            List.of("auth.jwt.issuers[0].algorithms may only list [ES256, ES384, ES512, PS256, PS384, PS512, RS256, "
                + "RS384, RS512], not [HS256, RS256]")),
        argumentSet("jwt unknown claim", jwt(ISSUER_REQUIRED + ", claims: { groups: groups }", ""),
            List.of("auth.jwt.issuers[0].claims.groups: unknown field (known: email, models, team, user)")),
        argumentSet("jwt malformed claim path", jwt(ISSUER_REQUIRED + ", claims: { team: \".team\" }", ""),
            List.of("auth.jwt.issuers[0].claims.team: claim path '.team' has an empty segment")),
        argumentSet("jwt issuer configured twice",
            withAuth("jwt: { issuers: [ { " + ISSUER_REQUIRED + " }, { " + ISSUER_REQUIRED + " } ] }"),
            List.of("auth.jwt.issuers[1].issuer repeats https://idp.example.com: each issuer may be configured once")),
        argumentSet("jwt problems of issuers and settings together",
            withAuth("jwt: { clock_skew: 6m, issuers: [ { " + ISSUER_REQUIRED + " }, { " + ISSUER_REQUIRED
                + ", audience: \"\" } ] }"),
            List.of("auth.jwt.issuers[1].audience is required: a token minted for another service must not work here",
                "auth.jwt.clock_skew must be between 0s and 5m, not PT6M")));
  }

  @ParameterizedTest
  @MethodSource("badSsoConfigs")
  void rejectsBadSingleSignOnAndJwtConfigurationWithExactProblems(String yaml, List<String> expected) {
    assertThat(problemsOf(yaml, Map.of(), false)).containsExactlyElementsOf(expected);
  }

  @Test
  void withoutOidcAndJwtSectionsBothAreAbsent() {
    AuthConfig auth = parse(VALID).auth();
    assertThat(auth.oidc()).isEmpty();
    assertThat(auth.jwt()).isEmpty();
    assertThat(new AuthConfig(new Secret(KEY))).isEqualTo(new AuthConfig(new Secret(KEY), SessionConfig.DEFAULTS,
        auth.local(), Optional.empty(), Optional.empty()));
  }

  @Test
  void minimalOidcGetsTheDocumentedDefaults() {
    OidcSettings oidc = parse(oidc(OIDC_REQUIRED)).auth().oidc().orElseThrow();
    assertThat(oidc.issuer()).isEqualTo("https://idp.example.com");
    assertThat(oidc.clientId()).isEqualTo("tollgate");
    assertThat(oidc.clientSecret().value()).isEqualTo("s3cret");
    assertThat(oidc.redirectUri()).isEqualTo(URI.create("https://tollgate.example.com/auth/oidc/callback"));
    assertThat(oidc.scopes()).containsExactly("openid", "email", "profile");
    assertThat(oidc.clientAuth()).isEqualTo(OidcSettings.ClientAuth.CLIENT_SECRET_BASIC);
    assertThat(List.of(oidc.emailClaim(), oidc.nameClaim(), oidc.groupsClaim()))
        .containsExactly(new ClaimPath("email"), new ClaimPath("name"), new ClaimPath("groups"));
    assertThat(oidc.groupRoles()).isEmpty();
    assertThat(oidc.groupTeams()).isEmpty();
    assertThat(oidc.allowedDomains()).isEmpty();
    assertThat(oidc.clockSkew()).isEqualTo(Duration.ofSeconds(60));
    assertThat(oidc.pendingTtl()).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void fullOidcBindsEveryDocumentedKey() {
    OidcSettings oidc = parse(withAuth("""
        oidc: {
          issuer: "https://example.eu.auth0.com/",
          client_id: AbCdEf,
          client_secret: s3cret,
          redirect_uri: "http://127.0.0.1:8080/auth/oidc/callback",
          scopes: [ openid, email ],
          client_auth: client_secret_post,
          claims: { email: mail, name: display_name, groups: "https://tollgate.example.com/roles" },
          group_roles: { tollgate-admins: [ admin, auditor ], "0a1b-guid": [ member ] },
          group_teams: { search-eng: [ search, ranking ] },
          allowed_domains: [ Example.com, example.org ],
          clock_skew: 30s,
          pending_ttl: 5m
        }""")).auth().oidc().orElseThrow();
    assertThat(oidc.issuer()).isEqualTo("https://example.eu.auth0.com/");
    assertThat(oidc.redirectUri()).isEqualTo(URI.create("http://127.0.0.1:8080/auth/oidc/callback"));
    assertThat(oidc.scopes()).containsExactly("openid", "email");
    assertThat(oidc.clientAuth()).isEqualTo(OidcSettings.ClientAuth.CLIENT_SECRET_POST);
    assertThat(List.of(oidc.emailClaim(), oidc.nameClaim(), oidc.groupsClaim())).containsExactly(
        new ClaimPath("mail"), new ClaimPath("display_name"), new ClaimPath("https://tollgate.example.com/roles"));
    assertThat(oidc.groupRoles()).isEqualTo(Map.of("tollgate-admins", Set.of("admin", "auditor"),
        "0a1b-guid", Set.of("member")));
    assertThat(oidc.groupTeams()).isEqualTo(Map.of("search-eng", Set.of("search", "ranking")));
    assertThat(oidc.allowedDomains()).containsExactlyInAnyOrder("example.com", "example.org");
    assertThat(oidc.clockSkew()).isEqualTo(Duration.ofSeconds(30));
    assertThat(oidc.pendingTtl()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void oidcClientSecretIsInterpolatedFromTheEnvironmentAndNeverShown() {
    String yaml = oidc(OIDC_REQUIRED.replace("s3cret", "\"${TOLLGATE_OIDC_CLIENT_SECRET}\""));
    TollgateConfig config = new ConfigLoader(Map.of("TOLLGATE_OIDC_CLIENT_SECRET", "cs-from-env-42"), false)
        .parse(yaml);
    assertThat(config.auth().oidc().orElseThrow().clientSecret().value()).isEqualTo("cs-from-env-42");
    assertThat(config.toString()).doesNotContain("cs-from-env-42");

    assertThat(problemsOf(yaml, Map.of(), false)).containsExactly(
        "auth.oidc.client_secret: environment variable TOLLGATE_OIDC_CLIENT_SECRET is not set",
        "auth.oidc.client_secret is required (a confidential client; use ${ENV} interpolation)");
  }

  @Test
  void minimalJwtGetsTheDocumentedDefaults() {
    JwtSettings jwt = parse(jwt(ISSUER_REQUIRED, "")).auth().jwt().orElseThrow();
    assertThat(jwt.clockSkew()).isEqualTo(Duration.ofSeconds(60));
    assertThat(jwt.jwksTtl()).isEqualTo(Duration.ofMinutes(10));
    assertThat(jwt.jwksMinRefetch()).isEqualTo(Duration.ofSeconds(30));
    JwtIssuer issuer = jwt.issuers().getFirst();
    assertThat(issuer).isEqualTo(new JwtIssuer("https://idp.example.com", URI.create("https://idp.example.com/jwks"),
        "tollgate", null, null, null, Optional.empty(), Optional.empty()));
    assertThat(issuer.algorithms()).hasSize(9).contains(JWSAlgorithm.RS256, JWSAlgorithm.PS512, JWSAlgorithm.ES256);
    assertThat(issuer.user()).isEqualTo(new ClaimPath("sub"));
    assertThat(issuer.email()).isEqualTo(new ClaimPath("email"));
  }

  @Test
  void fullJwtBindsEveryDocumentedKey() {
    JwtSettings jwt = new ConfigLoader(Map.of("IDP", "sso.example.com"), false).parse(withAuth("""
        jwt: {
          clock_skew: 0s,
          jwks_ttl: 1h,
          jwks_min_refetch: 1m,
          issuers: [
            { issuer: "https://${IDP}/realms/acme",
              jwks_url: "https://${IDP}/realms/acme/protocol/openid-connect/certs",
              audience: tollgate,
              algorithms: [ RS256, ES384 ],
              claims: { user: preferred_username, email: mail, team: tollgate.team, models: tollgate.models } },
            { issuer: "http://localhost:8081", jwks_url: "http://localhost:8081/jwks", audience: api }
          ]
        }""")).auth().jwt().orElseThrow();
    assertThat(jwt.clockSkew()).isZero();
    assertThat(jwt.jwksTtl()).isEqualTo(Duration.ofHours(1));
    assertThat(jwt.jwksMinRefetch()).isEqualTo(Duration.ofMinutes(1));
    assertThat(jwt.issuers()).containsExactly(
        new JwtIssuer("https://sso.example.com/realms/acme",
            URI.create("https://sso.example.com/realms/acme/protocol/openid-connect/certs"), "tollgate",
            Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES384), new ClaimPath("preferred_username"), new ClaimPath("mail"),
            Optional.of(new ClaimPath("tollgate.team")), Optional.of(new ClaimPath("tollgate.models"))),
        new JwtIssuer("http://localhost:8081", URI.create("http://localhost:8081/jwks"), "api", null, null, null,
            Optional.empty(), Optional.empty()));
  }
}
