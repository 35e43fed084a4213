package dev.tollgate.config;

import java.time.Duration;

/**
 * Browser sessions of the admin console, YAML {@code auth.sessions}.
 *
 * @param idleTimeout a session unused this long ends
 * @param absoluteTimeout a session ends this long after sign-in, however busy
 * @param secureCookie whether the cookie carries {@code Secure}; only a plain-http development setup
 *     turns it off
 */
public record SessionConfig(Duration idleTimeout, Duration absoluteTimeout, boolean secureCookie) {
  public static final SessionConfig DEFAULTS = new SessionConfig(Duration.ofHours(1), Duration.ofHours(12), true);
}
