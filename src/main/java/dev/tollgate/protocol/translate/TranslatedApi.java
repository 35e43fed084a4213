package dev.tollgate.protocol.translate;

import dev.tollgate.protocol.canonical.ChatRequest;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** A caller-facing API served entirely through the canonical model (Anthropic Messages, OpenAI Responses). */
public interface TranslatedApi {

  /** The endpoint's name in usage records and metrics. */
  String label();

  /**
   * The caller's (parsed) body as a canonical request, with the format its answer is written in (some APIs'
   * answers repeat the request's settings); throws {@code TranslationException} naming the field.
   */
  Decoded decode(ObjectNode body);

  /** A decoded request and how to answer it. */
  record Decoded(ChatRequest chat, ClientFormat format) {}

  /** Prefix of the ids the gateway makes up for answers whose provider gave none ({@code msg_}, {@code resp_}). */
  String idPrefix();
}
