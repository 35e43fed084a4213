package dev.tollgate.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The error classes a model may name its own fallbacks for; {@link #ANY} covers the rest. */
public enum FallbackTrigger {
  ANY,
  RATE_LIMITED,
  SERVER_ERROR,
  TIMEOUT,
  CONTEXT_WINDOW_EXCEEDED,
  CONTENT_FILTERED;

  public String configName() {
    return this == ANY ? "default" : name().toLowerCase(Locale.ROOT);
  }

  static Optional<FallbackTrigger> parse(String s) {
    return Arrays.stream(values()).filter(v -> v.configName().equals(s)).findFirst();
  }

  static String known() {
    return Arrays.stream(values()).map(FallbackTrigger::configName).collect(Collectors.joining(", "));
  }
}
