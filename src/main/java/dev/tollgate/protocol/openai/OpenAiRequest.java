package dev.tollgate.protocol.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.provider.Endpoint;

/**
 * A decoded, validated inbound request. The body tree is owned by this request and rewritten in
 * place for the chosen deployment.
 *
 * @param clientWantsUsage the client itself asked for {@code stream_options.include_usage}
 */
public record OpenAiRequest(Endpoint endpoint, ObjectNode body, String model, boolean stream, boolean clientWantsUsage) {}
