package dev.tollgate.access.directory;

import dev.tollgate.access.Role;
import java.time.Instant;
import java.util.Optional;

/**
 * A person. {@code role} is organisation-wide; team roles are {@link Membership}s.
 *
 * @param identity the identity provider's (issuer, subject) for users provisioned by single sign-on
 */
public record User(
    String id,
    String orgId,
    String email,
    Optional<String> name,
    Role role,
    Optional<ExternalIdentity> identity,
    Optional<Instant> disabledAt,
    Instant createdAt,
    Instant updatedAt) {

  /** Who the user is at an identity provider. */
  public record ExternalIdentity(String issuer, String subject) {}

  public User {
    if (!role.organisationWide()) {
      throw new IllegalArgumentException("'" + role.wire() + "' is a team role, not a user's role");
    }
  }

  public boolean disabled() {
    return disabledAt.isPresent();
  }
}
