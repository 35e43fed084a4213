package dev.tollgate.config;

import java.time.Duration;

/**
 * Upstream timeouts of one provider.
 *
 * @param connect establishing the TCP (and TLS) connection
 * @param firstByte from sending the request to the first byte of the response body
 * @param idle longest silence between two chunks of a streamed response
 * @param total the whole upstream call, first byte to last
 */
public record Timeouts(Duration connect, Duration firstByte, Duration idle, Duration total) {

  public static final Timeouts DEFAULTS =
      new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(300), Duration.ofSeconds(120), Duration.ofMinutes(10));
}
