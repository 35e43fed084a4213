package dev.tollgate.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The provider adapters this build knows. */
public enum ProviderType {
  OPENAI,
  AZURE,
  MOCK;

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<ProviderType> parse(String s) {
    return Arrays.stream(values()).filter(t -> t.configName().equals(s)).findFirst();
  }

  public static String known() {
    return Arrays.stream(values()).map(ProviderType::configName).collect(Collectors.joining(", "));
  }
}
