package dev.tollgate.metering.limits;

/** The kinds of caller a limit can apply to; {@link #yamlName()} is the word used in configuration and messages. */
public enum ScopeKind {
  KEY("key", "keys"),
  USER("user", "users"),
  TEAM("team", "teams");

  private final String yamlName;
  private final String plural;

  ScopeKind(String yamlName, String plural) {
    this.yamlName = yamlName;
    this.plural = plural;
  }

  /** {@code key}, {@code user} or {@code team}: the field under {@code limits.defaults}. */
  public String yamlName() {
    return yamlName;
  }

  /** {@code keys}, {@code users} or {@code teams}: the section of per-id overrides under {@code limits}. */
  public String plural() {
    return plural;
  }
}
