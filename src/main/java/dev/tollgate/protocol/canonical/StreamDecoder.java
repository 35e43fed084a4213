package dev.tollgate.protocol.canonical;

import io.vertx.core.buffer.Buffer;
import java.util.List;

/**
 * Turns a provider's streamed bytes into canonical events, however the network split them. One per
 * stream, confined to its event loop. Throws {@link TranslationException} on bytes that break the
 * provider's protocol.
 */
public interface StreamDecoder {

  /** Events completed by {@code chunk}. */
  List<StreamEvent> feed(Buffer chunk);

  /** The provider closed the stream; returns what the end completes (possibly an {@link StreamEvent.End}). */
  List<StreamEvent> end();
}
