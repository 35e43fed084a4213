package dev.tollgate.protocol.translate;

import dev.tollgate.protocol.canonical.ChatRequest;
import io.vertx.core.buffer.Buffer;

/** A caller-facing API served entirely through the canonical model (Anthropic Messages, OpenAI Responses). */
public interface TranslatedApi {

  /** The endpoint's name in usage records and metrics. */
  String label();

  /** The caller's body as a canonical request; throws {@code TranslationException} naming the field. */
  ChatRequest decode(Buffer body);

  /** How answers and errors are written for this API's callers. */
  ClientFormat format();

  /** Prefix of the ids the gateway makes up for answers whose provider gave none ({@code msg_}, {@code resp_}). */
  String idPrefix();
}
