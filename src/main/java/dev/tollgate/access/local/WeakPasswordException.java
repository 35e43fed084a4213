package dev.tollgate.access.local;

import java.util.Set;

/** A new password broke the {@link PasswordPolicy}; the message lists the rules, never the password. */
public final class WeakPasswordException extends IllegalArgumentException {
  private final Set<PasswordPolicy.Violation> violations;

  public WeakPasswordException(Set<PasswordPolicy.Violation> violations, String message) {
    super(message);
    this.violations = Set.copyOf(violations);
  }

  public Set<PasswordPolicy.Violation> violations() {
    return violations;
  }
}
