package dev.tollgate.access.oidc;

import dev.tollgate.access.jwt.ClaimMapper;
import dev.tollgate.access.jwt.ClaimPath;
import dev.tollgate.access.jwt.Urls;
import dev.tollgate.config.ConfigException;
import dev.tollgate.config.Secret;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * OpenID Connect sign-in for the admin API and console ({@code auth.oidc}); validates itself and names
 * the YAML path of every problem. {@code toString} never shows the client secret ({@link Secret}).
 *
 * @param issuer the provider's issuer URL, exactly as its discovery document states it
 * @param redirectUri Tollgate's callback URL, registered at the provider
 * @param scopes requested scopes; must include {@code openid}
 * @param clientAuth how the client authenticates at the token endpoint
 * @param emailClaim dot path of the email claim
 * @param nameClaim dot path of the display-name claim
 * @param groupsClaim dot path of the groups/roles claim (e.g. {@code groups}, {@code realm_access.roles})
 * @param groupRoles provider group -> Tollgate roles
 * @param groupTeams provider group -> Tollgate teams
 * @param allowedDomains email domains that may sign in; empty = any (then email is not required)
 * @param clockSkew tolerated difference between the provider's clock and ours (default 60 s, at most 5 min)
 * @param pendingTtl how long a started sign-in may take to come back (default 10 min)
 * @param httpTimeout connect and read timeout for calls to the provider (default 5 s)
 * @param discoveryTtl how long the discovery document is used before it is fetched again (default 1 h)
 */
public record OidcSettings(String issuer, String clientId, Secret clientSecret, URI redirectUri, List<String> scopes,
    ClientAuth clientAuth, ClaimPath emailClaim, ClaimPath nameClaim, ClaimPath groupsClaim,
    Map<String, Set<String>> groupRoles, Map<String, Set<String>> groupTeams, Set<String> allowedDomains,
    Duration clockSkew, Duration pendingTtl, Duration httpTimeout, Duration discoveryTtl) {
  /** The roles a group may grant. */
  public static final Set<String> ROLES = Set.of("admin", "team_admin", "member", "viewer", "auditor");
  public static final Duration MAX_SKEW = Duration.ofMinutes(5);

  /** Client authentication at the token endpoint (RFC 6749 section 2.3.1). */
  public enum ClientAuth { CLIENT_SECRET_BASIC, CLIENT_SECRET_POST }

  public OidcSettings {
    scopes = scopes == null || scopes.isEmpty() ? List.of("openid", "email", "profile") : List.copyOf(scopes);
    clientAuth = clientAuth == null ? ClientAuth.CLIENT_SECRET_BASIC : clientAuth;
    emailClaim = emailClaim == null ? new ClaimPath("email") : emailClaim;
    nameClaim = nameClaim == null ? new ClaimPath("name") : nameClaim;
    groupsClaim = groupsClaim == null ? new ClaimPath("groups") : groupsClaim;
    groupRoles = groupRoles == null ? Map.of() : groupRoles;
    groupTeams = groupTeams == null ? Map.of() : groupTeams;
    allowedDomains = allowedDomains == null ? Set.of()
        : allowedDomains.stream().map(d -> d.strip().toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    clockSkew = clockSkew == null ? Duration.ofSeconds(60) : clockSkew;
    pendingTtl = pendingTtl == null ? Duration.ofMinutes(10) : pendingTtl;
    httpTimeout = httpTimeout == null ? Duration.ofSeconds(5) : httpTimeout;
    discoveryTtl = discoveryTtl == null ? Duration.ofHours(1) : discoveryTtl;

    List<String> problems = new ArrayList<>();
    String issuerProblem = Urls.problem(issuer);
    if (issuerProblem != null) {
      problems.add("auth.oidc.issuer " + issuerProblem);
    }
    if (clientId == null || clientId.isBlank()) {
      problems.add("auth.oidc.client_id is required");
    }
    if (clientSecret == null || clientSecret.value().isBlank()) {
      problems.add("auth.oidc.client_secret is required (a confidential client; use ${ENV} interpolation)");
    }
    String redirectProblem = redirectUri == null ? "is required" : Urls.problem(redirectUri.toString());
    if (redirectProblem != null) {
      problems.add("auth.oidc.redirect_uri " + redirectProblem);
    }
    if (!scopes.contains("openid")) {
      problems.add("auth.oidc.scopes must include openid, not " + scopes);
    }
    checkRoles(groupRoles, problems);
    checkNames(groupTeams, problems);
    for (String domain : allowedDomains) {
      if (domain.isEmpty() || domain.contains("@") || domain.startsWith(".") || domain.contains(" ")) {
        problems.add("auth.oidc.allowed_domains has '" + domain + "'; write bare domains such as example.com");
      }
    }
    if (clockSkew.isNegative() || clockSkew.compareTo(MAX_SKEW) > 0) {
      problems.add("auth.oidc.clock_skew must be between 0s and 5m, not " + clockSkew);
    }
    if (pendingTtl.compareTo(Duration.ofMinutes(1)) < 0 || pendingTtl.compareTo(Duration.ofHours(1)) > 0) {
      problems.add("auth.oidc.pending_ttl must be between 1m and 1h, not " + pendingTtl);
    }
    if (!httpTimeout.isPositive() || httpTimeout.compareTo(Duration.ofMinutes(1)) > 0) {
      problems.add("auth.oidc.http_timeout must be between 1ms and 1m, not " + httpTimeout);
    }
    if (!discoveryTtl.isPositive()) {
      problems.add("auth.oidc.discovery_ttl must be positive, not " + discoveryTtl);
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    groupRoles = copy(groupRoles);
    groupTeams = copy(groupTeams);
  }

  /** The group mapping these settings describe. */
  public ClaimMapper mapper() {
    return new ClaimMapper(groupsClaim, groupRoles, groupTeams);
  }

  private static void checkRoles(Map<String, Set<String>> groupRoles, List<String> problems) {
    groupRoles.forEach((group, roles) -> {
      if (group == null || group.isBlank() || roles == null || roles.isEmpty()) {
        problems.add("auth.oidc.group_roles needs a group name and at least one role per entry");
        return;
      }
      for (String role : roles) {
        if (!ROLES.contains(role)) {
          problems.add("auth.oidc.group_roles." + group + " has unknown role '" + role + "' (known: "
              + ROLES.stream().sorted().toList() + ")");
        }
      }
    });
  }

  private static void checkNames(Map<String, Set<String>> groupTeams, List<String> problems) {
    groupTeams.forEach((group, teams) -> {
      if (group == null || group.isBlank() || teams == null || teams.isEmpty()
          || teams.stream().anyMatch(t -> t == null || t.isBlank())) {
        problems.add("auth.oidc.group_teams needs a group name and at least one non-blank team per entry");
      }
    });
  }

  private static Map<String, Set<String>> copy(Map<String, Set<String>> map) {
    return map.entrySet().stream()
        .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> Set.copyOf(e.getValue())));
  }
}
