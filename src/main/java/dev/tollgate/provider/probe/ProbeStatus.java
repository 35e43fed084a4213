package dev.tollgate.provider.probe;

import java.util.Locale;

/** What one probe learned about a provider. */
public enum ProbeStatus {
  /** Reachable, credentials accepted, and the answer had the provider's shape. */
  UP,
  /** Reachable, but the answer was an error other than credentials, or not the provider's protocol. */
  DOWN,
  /** Reachable, and the provider refused the credentials (or found none configured). */
  AUTH_FAILED,
  /** No connection could be made: refused, DNS, TLS. */
  UNREACHABLE,
  /** No complete answer within the probe's timeout. */
  TIMEOUT;

  /** The name used in JSON and tables, e.g. {@code auth_failed}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
