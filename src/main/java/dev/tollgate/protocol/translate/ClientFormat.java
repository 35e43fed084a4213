package dev.tollgate.protocol.translate;

import dev.tollgate.protocol.canonical.ChatResponse;
import dev.tollgate.protocol.canonical.StreamEncoder;
import dev.tollgate.server.ApiError;
import io.vertx.core.buffer.Buffer;

/** The caller's wire format, for answers that were translated from another provider's. */
public interface ClientFormat {

  /** A whole answer; throws {@code TranslationException} when the format cannot express it. */
  Buffer answer(ChatResponse response);

  /** An error body in the format's own shape. */
  Buffer error(ApiError error);

  /** An encoder for one streamed answer. */
  StreamEncoder streamEncoder();
}
