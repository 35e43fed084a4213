package dev.tollgate.access.jwt;

import dev.tollgate.config.ConfigException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * JWT callers ({@code auth.jwt}): the trusted issuers and how their keys and clocks are treated;
 * validates itself.
 *
 * @param clockSkew how far an issuer's clock may differ from ours (default 60 s, at most 5 min)
 * @param jwksTtl how long a fetched key set is used before it is fetched again (default 10 min)
 * @param jwksMinRefetch the least time between two fetches of one key set, e.g. for unknown key ids (default 30 s)
 * @param fetchTimeout connect and read timeout for fetching a key set (default 5 s)
 */
public record JwtSettings(List<JwtIssuer> issuers, Duration clockSkew, Duration jwksTtl, Duration jwksMinRefetch,
    Duration fetchTimeout) {
  public static final Duration DEFAULT_SKEW = Duration.ofSeconds(60);
  public static final Duration MAX_SKEW = Duration.ofMinutes(5);

  public JwtSettings {
    issuers = issuers == null ? List.of() : List.copyOf(issuers);
    clockSkew = clockSkew == null ? DEFAULT_SKEW : clockSkew;
    jwksTtl = jwksTtl == null ? Duration.ofMinutes(10) : jwksTtl;
    jwksMinRefetch = jwksMinRefetch == null ? Duration.ofSeconds(30) : jwksMinRefetch;
    fetchTimeout = fetchTimeout == null ? Duration.ofSeconds(5) : fetchTimeout;
    List<String> problems = new ArrayList<>();
    if (clockSkew.isNegative() || clockSkew.compareTo(MAX_SKEW) > 0) {
      problems.add("auth.jwt.clock_skew must be between 0s and 5m, not " + clockSkew);
    }
    if (!jwksTtl.isPositive()) {
      problems.add("auth.jwt.jwks_ttl must be positive, not " + jwksTtl);
    }
    if (jwksMinRefetch.isNegative() || jwksMinRefetch.compareTo(jwksTtl) > 0) {
      problems.add("auth.jwt.jwks_min_refetch must be between 0s and auth.jwt.jwks_ttl, not " + jwksMinRefetch);
    }
    if (!fetchTimeout.isPositive() || fetchTimeout.compareTo(Duration.ofMinutes(1)) > 0) {
      problems.add("auth.jwt.fetch_timeout must be between 1ms and 1m, not " + fetchTimeout);
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < issuers.size(); i++) {
      if (!seen.add(issuers.get(i).issuer())) {
        problems.add("auth.jwt.issuers[" + i + "].issuer repeats " + issuers.get(i).issuer()
            + ": each issuer may be configured once");
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
  }
}
