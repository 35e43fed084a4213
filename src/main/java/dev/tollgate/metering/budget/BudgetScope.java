package dev.tollgate.metering.budget;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/** The entity a budget limits: an organisation, a team, a user or an API key, by id. */
public record BudgetScope(Kind kind, String id) {

  /** The kinds of entity a call's spend is attributed to, broadest first. */
  public enum Kind {
    ORGANIZATION, TEAM, USER, KEY;

    /** The lower-case name used in YAML and in the database. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The kind named {@code name} (case-insensitive), if any. */
    public static Optional<Kind> parse(String name) {
      if (name == null) {
        return Optional.empty();
      }
      for (Kind k : values()) {
        if (k.wireName().equals(name.toLowerCase(Locale.ROOT))) {
          return Optional.of(k);
        }
      }
      return Optional.empty();
    }
  }

  public BudgetScope {
    Objects.requireNonNull(kind, "kind");
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("budget scope id: '" + id + "' (expected: non-blank)");
    }
  }

  public static BudgetScope organization(String id) {
    return new BudgetScope(Kind.ORGANIZATION, id);
  }

  public static BudgetScope team(String id) {
    return new BudgetScope(Kind.TEAM, id);
  }

  public static BudgetScope user(String id) {
    return new BudgetScope(Kind.USER, id);
  }

  public static BudgetScope key(String id) {
    return new BudgetScope(Kind.KEY, id);
  }

  @Override
  public String toString() {
    return kind.wireName() + ":" + id;
  }
}
