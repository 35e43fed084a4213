package dev.tollgate.config;

import java.time.Duration;

/**
 * Where and how the HTTP server listens.
 *
 * @param eventLoops number of event loops (one server verticle each); 0 means one per core
 * @param maxBodyBytes largest accepted request body; larger ones get 413
 * @param drainTimeout how long in-flight requests may run on after SIGTERM
 */
public record ServerConfig(String host, int port, int eventLoops, long maxBodyBytes, Duration drainTimeout) {

  public ServerConfig withPort(int newPort) {
    return new ServerConfig(host, newPort, eventLoops, maxBodyBytes, drainTimeout);
  }
}
