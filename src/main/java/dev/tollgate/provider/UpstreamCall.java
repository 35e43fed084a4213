package dev.tollgate.provider;

import io.vertx.core.Future;

/** One request in flight to a provider. Used from its event loop only. */
public interface UpstreamCall {

  /** Completes when the status and headers have arrived; fails with an {@link UpstreamException}. */
  Future<UpstreamResponse> response();

  /** Cancels at once, in any phase: the upstream sees its connection closed. Idempotent. */
  void abort();

  /** True once the request was handed to the provider (so it may have done, and billed, work). */
  boolean reached();

  /** A call that never started: its response fails with {@code why} at once. */
  static UpstreamCall failed(Throwable why) {
    Future<UpstreamResponse> failure = Future.failedFuture(why);
    return new UpstreamCall() {
      @Override
      public Future<UpstreamResponse> response() {
        return failure;
      }

      @Override
      public void abort() {}

      @Override
      public boolean reached() {
        return false;
      }
    };
  }
}
