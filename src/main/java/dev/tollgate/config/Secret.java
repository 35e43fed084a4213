package dev.tollgate.config;

import java.util.Objects;

/** A configured secret (master key, provider key) whose {@code toString} never reveals it. */
public record Secret(String value) {
  public Secret {
    Objects.requireNonNull(value, "value");
  }

  public boolean isEmpty() {
    return value.isEmpty();
  }

  @Override
  public String toString() {
    return "Secret[****]";
  }
}
