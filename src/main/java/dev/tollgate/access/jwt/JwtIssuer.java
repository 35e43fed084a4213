package dev.tollgate.access.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import dev.tollgate.config.ConfigException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One issuer whose JWTs may stand in for a virtual key ({@code auth.jwt.issuers[]}); validates itself.
 *
 * @param issuer the exact {@code iss} value its tokens carry
 * @param jwksUrl where its public keys are published
 * @param audience a value the token's {@code aud} must contain
 * @param algorithms accepted {@code alg} values; a subset of {@link SignedTokenVerifier#ASYMMETRIC}
 * @param user the claim naming the Tollgate user ({@code sub} by default)
 * @param email the claim holding the caller's email, if any
 * @param team the claim naming the caller's team; empty = callers of this issuer carry no team
 * @param models the claim listing models the caller may use; empty = the claim is not read (every model)
 */
public record JwtIssuer(String issuer, URI jwksUrl, String audience, Set<JWSAlgorithm> algorithms, ClaimPath user,
    ClaimPath email, Optional<ClaimPath> team, Optional<ClaimPath> models) {
  private static final String PATH = "auth.jwt.issuers[]";

  public JwtIssuer {
    List<String> problems = new ArrayList<>();
    String where = PATH + (issuer == null || issuer.isBlank() ? "" : " (" + issuer + ")");
    String issuerProblem = Urls.problem(issuer);
    if (issuerProblem != null) {
      problems.add(where + ".issuer " + issuerProblem);
    }
    String jwksProblem = jwksUrl == null ? "is required" : Urls.problem(jwksUrl.toString());
    if (jwksProblem != null) {
      problems.add(where + ".jwks_url " + jwksProblem);
    }
    if (audience == null || audience.isBlank()) {
      problems.add(where + ".audience is required: a token minted for another service must not work here");
    }
    if (algorithms == null || algorithms.isEmpty()) {
      algorithms = SignedTokenVerifier.ASYMMETRIC;
    } else if (!SignedTokenVerifier.ASYMMETRIC.containsAll(algorithms)) {
      problems.add(where + ".algorithms may only list " + names(SignedTokenVerifier.ASYMMETRIC) + ", not "
          + names(algorithms));
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    algorithms = Set.copyOf(algorithms);
    user = user == null ? new ClaimPath("sub") : user;
    email = email == null ? new ClaimPath("email") : email;
    team = team == null ? Optional.empty() : team;
    models = models == null ? Optional.empty() : models;
  }

  /** Parses algorithm names from configuration ({@code RS256}, {@code ES256}, ...). */
  public static Set<JWSAlgorithm> algorithms(List<String> names) {
    return names.stream().map(JWSAlgorithm::parse).collect(Collectors.toUnmodifiableSet());
  }

  private static String names(Set<JWSAlgorithm> algorithms) {
    return algorithms.stream().map(JWSAlgorithm::getName).sorted().toList().toString();
  }
}
