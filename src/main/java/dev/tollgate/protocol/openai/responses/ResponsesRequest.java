package dev.tollgate.protocol.openai.responses;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocol.canonical.ChatRequest;

/**
 * A decoded {@code /v1/responses} request.
 *
 * @param chat the request in canonical form
 * @param echo the request settings a {@code response} object repeats ({@code instructions},
 *     {@code tools}, {@code tool_choice}, {@code temperature}, ...), with the API's defaults filled
 *     in; the encoders copy its fields into every response they write. Not to be modified.
 */
public record ResponsesRequest(ChatRequest chat, ObjectNode echo) {}
