package dev.tollgate.provider;

/** A provider as the data plane sees it: opens calls. One instance per provider per event loop. */
public interface Upstream extends AutoCloseable {

  String providerName();

  /** Starts the call; must be invoked on the event loop that owns this instance. */
  UpstreamCall open(UpstreamRequest request);

  @Override
  default void close() {}
}
