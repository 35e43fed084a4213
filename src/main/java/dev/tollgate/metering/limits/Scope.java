package dev.tollgate.metering.limits;

import java.util.Objects;

/** One caller entity that limits are counted against: a key, a user or a team, by id. */
public record Scope(ScopeKind kind, String id) {
  public Scope {
    Objects.requireNonNull(kind, "kind");
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("id: '" + id + "' (expected: not blank)");
    }
  }

  public static Scope key(String id) {
    return new Scope(ScopeKind.KEY, id);
  }

  public static Scope user(String id) {
    return new Scope(ScopeKind.USER, id);
  }

  public static Scope team(String id) {
    return new Scope(ScopeKind.TEAM, id);
  }

  /** As messages name it: {@code key 'k-123'}. */
  @Override
  public String toString() {
    return kind.yamlName() + " '" + id + "'";
  }
}
