package dev.tollgate.provider;

import dev.tollgate.protocol.canonical.Usage;

/**
 * A provider answered 2xx but refused the request in its body (a blocked prompt): thrown by codecs
 * from {@code decode} and stream decoders, so the router can treat it as the error it is (usually
 * {@link ErrorClass#CONTENT_FILTERED}) and fall back. Carries what the provider counted.
 */
public class ProviderRefusalException extends RuntimeException {
  private final ProviderError error;
  private final Usage usage;

  public ProviderRefusalException(ProviderError error, Usage usage) {
    super(error.message(), null, false, false);
    this.error = error;
    this.usage = usage;
  }

  public ProviderError error() {
    return error;
  }

  /** Tokens the provider counted before refusing. */
  public Usage usage() {
    return usage;
  }
}
