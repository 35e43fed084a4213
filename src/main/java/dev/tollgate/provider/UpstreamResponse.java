package dev.tollgate.provider;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/** Status and headers of an upstream answer; the body is still arriving. */
public record UpstreamResponse(int status, MultiMap headers, ReadStream<Buffer> body) {

  public boolean ok() {
    return status >= 200 && status < 300;
  }
}
