package dev.tollgate.server;

/** Carries an {@link ApiError} out of a pipeline stage to the edge, where it becomes a response. */
public final class GatewayException extends RuntimeException {
  private final ApiError error;

  public GatewayException(ApiError error) {
    super(error.message(), null, false, false);
    this.error = error;
  }

  public ApiError error() {
    return error;
  }
}
