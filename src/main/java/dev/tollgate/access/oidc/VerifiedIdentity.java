package dev.tollgate.access.oidc;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A person the identity provider vouched for in a verified ID token, with what their groups grant here.
 * Roles and teams come from this sign-in's token alone, so applying them replaces earlier grants: a
 * user removed from a group at the provider loses what it granted at their next sign-in.
 *
 * @param issuer and {@code subject} together identify the user at the provider (stable, unlike email)
 * @param email present only if the provider sent one and did not mark it unverified
 * @param groups every group the token listed, mapped or not (for audit)
 */
public record VerifiedIdentity(String issuer, String subject, Optional<String> email, Optional<String> name,
    List<String> groups, Set<String> roles, Set<String> teams) {
  public VerifiedIdentity {
    groups = List.copyOf(groups);
    roles = Set.copyOf(roles);
    teams = Set.copyOf(teams);
  }
}
