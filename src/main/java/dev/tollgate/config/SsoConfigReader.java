package dev.tollgate.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.access.jwt.ClaimPath;
import dev.tollgate.access.jwt.JwtIssuer;
import dev.tollgate.access.jwt.JwtSettings;
import dev.tollgate.access.oidc.OidcSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads {@code auth.oidc} and {@code auth.jwt} (as docs/sso.md documents them) into the settings
 * records of {@code access.oidc} and {@code access.jwt}. Shapes and types are reported by
 * {@link ConfigNode} under their paths; ranges and rules across fields by the records themselves,
 * whose problems are collected too, so one pass still lists every mistake.
 *
 * <p>Group maps are keyed by the identity provider's group names, which this reader cannot know in
 * advance, so it enumerates them from the raw YAML node next to the {@link ConfigNode} that reads and
 * interpolates their values. Not thread-safe: one loader, one thread.
 */
final class SsoConfigReader {
  private static final String ISSUER_PATH = "auth.jwt.issuers[]";

  private final List<String> problems;

  SsoConfigReader(List<String> problems) {
    this.problems = problems;
  }

  /** {@code auth.oidc}: empty when the section is absent or unusable (its problems are reported). */
  Optional<OidcSettings> oidc(ConfigNode n, JsonNode raw) {
    if (n.isMissing() || !n.expectObject()) {
      return Optional.empty();
    }
    n.allowOnly("issuer", "client_id", "client_secret", "redirect_uri", "scopes", "client_auth", "claims",
        "group_roles", "group_teams", "allowed_domains", "clock_skew", "pending_ttl");
    Set<String> reported = new LinkedHashSet<>();
    String issuer = n.child("issuer").optionalString().orElse(null);
    String clientId = n.child("client_id").optionalString().orElse(null);
    Secret clientSecret = n.child("client_secret").optionalString().map(Secret::new).orElse(null);
    URI redirectUri = uri(n.child("redirect_uri"), "auth.oidc.redirect_uri", reported);
    ConfigNode scopesNode = n.child("scopes");
    List<String> scopes = scopesNode.stringList();
    OidcSettings.ClientAuth clientAuth = clientAuth(n.child("client_auth"));
    ConfigNode claims = n.child("claims");
    claims.expectObject();
    claims.allowOnly("email", "name", "groups");
    ClaimPath email = claimPath(claims.child("email"));
    ClaimPath name = claimPath(claims.child("name"));
    ClaimPath groups = claimPath(claims.child("groups"));
    Map<String, Set<String>> groupRoles = groupMap(n.child("group_roles"), raw.path("group_roles"));
    Map<String, Set<String>> groupTeams = groupMap(n.child("group_teams"), raw.path("group_teams"));
    Set<String> allowedDomains = new LinkedHashSet<>(n.child("allowed_domains").stringList());
    Duration clockSkew = n.child("clock_skew").duration(null);
    Duration pendingTtl = n.child("pending_ttl").duration(null);
    try {
      return Optional.of(new OidcSettings(issuer, clientId, clientSecret, redirectUri, scopes, clientAuth, email, name,
          groups, groupRoles, groupTeams, allowedDomains, clockSkew, pendingTtl, null, null));
    } catch (ConfigException e) {
      absorb(e, reported);
      return Optional.empty();
    }
  }

  /** {@code auth.jwt}: empty when the section is absent or unusable (its problems are reported). */
  Optional<JwtSettings> jwt(ConfigNode n, JsonNode raw) {
    if (n.isMissing() || !n.expectObject()) {
      return Optional.empty();
    }
    n.allowOnly("clock_skew", "jwks_ttl", "jwks_min_refetch", "issuers");
    Duration clockSkew = n.child("clock_skew").duration(null);
    Duration jwksTtl = n.child("jwks_ttl").duration(null);
    Duration minRefetch = n.child("jwks_min_refetch").duration(null);
    ConfigNode issuersNode = n.child("issuers");
    List<ConfigNode> items = issuersNode.list();
    if (items.isEmpty() && (issuersNode.isMissing() || raw.path("issuers").isArray())) {
      issuersNode.problem("at least one issuer is required (an auth.jwt section without issuers accepts no token)");
    }
    List<JwtIssuer> issuers = new ArrayList<>();
    boolean allValid = true;
    for (int i = 0; i < items.size(); i++) {
      Optional<JwtIssuer> issuer = issuer(items.get(i), i);
      issuer.ifPresent(issuers::add);
      allValid &= issuer.isPresent();
    }
    try {
      // With an issuer missing, positions in the list would no longer match the file: check the shared
      // settings alone so that duplicate-issuer problems never name the wrong index.
      JwtSettings settings = new JwtSettings(allValid ? issuers : List.of(), clockSkew, jwksTtl, minRefetch, null);
      return allValid && !issuers.isEmpty() ? Optional.of(settings) : Optional.empty();
    } catch (ConfigException e) {
      problems.addAll(e.problems());
      return Optional.empty();
    }
  }

  private Optional<JwtIssuer> issuer(ConfigNode n, int index) {
    if (!n.expectObject()) {
      return Optional.empty();
    }
    n.allowOnly("issuer", "jwks_url", "audience", "algorithms", "claims");
    String here = "auth.jwt.issuers[" + index + "]";
    Set<String> reported = new LinkedHashSet<>();
    String issuer = n.child("issuer").optionalString().orElse(null);
    URI jwksUrl = uri(n.child("jwks_url"), here + ".jwks_url", reported);
    String audience = n.child("audience").optionalString().orElse(null);
    List<String> algorithms = n.child("algorithms").stringList();
    ConfigNode claims = n.child("claims");
    claims.expectObject();
    claims.allowOnly("user", "email", "team", "models");
    ClaimPath user = claimPath(claims.child("user"));
    ClaimPath email = claimPath(claims.child("email"));
    Optional<ClaimPath> team = Optional.ofNullable(claimPath(claims.child("team")));
    Optional<ClaimPath> models = Optional.ofNullable(claimPath(claims.child("models")));
    try {
      return Optional.of(new JwtIssuer(issuer, jwksUrl, audience,
          algorithms.isEmpty() ? null : JwtIssuer.algorithms(algorithms), user, email, team, models));
    } catch (ConfigException e) {
      // The record names an entry "auth.jwt.issuers[] (<issuer>)"; the index is the precise path.
      String named = ISSUER_PATH + (issuer == null || issuer.isBlank() ? "" : " (" + issuer + ")");
      absorb(new ConfigException(e.problems().stream()
          .map(p -> p.startsWith(named) ? here + p.substring(named.length()) : p)
          .toList()), reported);
      return Optional.empty();
    }
  }

  /**
   * A URL, or null when absent (the record then says it is required) or unparsable (reported here; the
   * record's "is required" for it is then suppressed through {@code reported}).
   */
  private static URI uri(ConfigNode n, String recordPath, Set<String> reported) {
    Optional<String> raw = n.optionalString();
    if (raw.isEmpty()) {
      return null;
    }
    try {
      return new URI(raw.get().strip());
    } catch (URISyntaxException e) {
      n.problem("is not a URL: '" + raw.get() + "'");
      reported.add(recordPath + " is required");
      return null;
    }
  }

  private static OidcSettings.ClientAuth clientAuth(ConfigNode n) {
    Optional<String> raw = n.optionalString();
    if (raw.isEmpty()) {
      return null;
    }
    return switch (raw.get().strip().toLowerCase(Locale.ROOT)) {
      case "client_secret_basic" -> OidcSettings.ClientAuth.CLIENT_SECRET_BASIC;
      case "client_secret_post" -> OidcSettings.ClientAuth.CLIENT_SECRET_POST;
      default -> {
        n.problem("expected client_secret_basic or client_secret_post, got '" + raw.get() + "'");
        yield null;
      }
    };
  }

  /** A claim path, or null for the default (absent, or reported as malformed). */
  private static ClaimPath claimPath(ConfigNode n) {
    Optional<String> raw = n.optionalString();
    if (raw.isEmpty()) {
      return null;
    }
    try {
      return new ClaimPath(raw.get().strip());
    } catch (IllegalArgumentException e) {
      n.problem(e.getMessage());
      return null;
    }
  }

  /** {@code group: [value, ...]} for every group the file lists, in file order. */
  private static Map<String, Set<String>> groupMap(ConfigNode n, JsonNode raw) {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    if (n.isMissing() || !n.expectObject()) {
      return out;
    }
    raw.fieldNames().forEachRemaining(group -> out.put(group, new LinkedHashSet<>(n.child(group).stringList())));
    return out;
  }

  private void absorb(ConfigException e, Set<String> alreadyReported) {
    e.problems().stream().filter(p -> !alreadyReported.contains(p)).forEach(problems::add);
  }
}
