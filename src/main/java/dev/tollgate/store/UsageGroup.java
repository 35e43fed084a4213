package dev.tollgate.store;

import java.util.Locale;
import java.util.Optional;

/** A dimension a usage report can be grouped by, with its column in {@code usage_daily}. */
public enum UsageGroup {
  DAY("day"), MODEL("model"), KEY("key_id"), TEAM("team_id"), USER("user_id");

  private final String column;

  UsageGroup(String column) {
    this.column = column;
  }

  /** The column, which is also the field name in a report row. */
  public String column() {
    return column;
  }

  /** The name in {@code group_by}: day, model, key, team, user. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<UsageGroup> parse(String name) {
    for (UsageGroup g : values()) {
      if (g.wireName().equals(name)) {
        return Optional.of(g);
      }
    }
    return Optional.empty();
  }
}
