package dev.tollgate.protocol.canonical;

import io.vertx.core.buffer.Buffer;

/**
 * Writes canonical events in a caller's streaming format (OpenAI chunks, Anthropic events). One per
 * stream; keeps what the format needs across events (block indexes, the id). Returns the bytes to
 * send, possibly empty.
 */
public interface StreamEncoder {

  Buffer encode(StreamEvent event);

  /**
   * The bytes that end a broken stream with an error in the format's own shape, after which the
   * stream closes without its normal end marker.
   */
  Buffer failure(String type, String message);
}
