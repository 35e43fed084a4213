package dev.tollgate.config;

import java.util.List;

/** The configuration is invalid; carries every problem found, each prefixed with its path. */
public final class ConfigException extends RuntimeException {
  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(problems.size() == 1
        ? "invalid configuration: " + problems.getFirst()
        : "invalid configuration (" + problems.size() + " problems):\n  " + String.join("\n  ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
