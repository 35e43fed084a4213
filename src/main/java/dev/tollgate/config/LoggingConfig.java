package dev.tollgate.config;

/**
 * Log output.
 *
 * @param format {@code text} or {@code json}
 * @param level root level (error, warn, info, debug, trace)
 * @param accessLog one line per proxied request
 */
public record LoggingConfig(String format, String level, boolean accessLog) {

  public boolean json() {
    return "json".equals(format);
  }
}
