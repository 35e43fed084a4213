package dev.tollgate.provider.probe;

import dev.tollgate.config.ProviderType;
import java.util.Objects;

/**
 * The outcome of probing one configured provider.
 *
 * @param provider the configured provider name
 * @param latencyMillis from sending the probe to its outcome (the timeout itself for {@code TIMEOUT})
 * @param detail what was seen, for a human; never contains keys, tokens or signatures
 */
public record ProbeResult(String provider, ProviderType type, ProbeStatus status, long latencyMillis, String detail) {
  public ProbeResult {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(status, "status");
    detail = detail == null ? "" : detail;
  }

  public boolean up() {
    return status == ProbeStatus.UP;
  }
}
