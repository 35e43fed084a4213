package dev.tollgate.protocol.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;

/**
 * Writes the upstream body: the caller's JSON with only the fields the gateway must set changed:
 * {@code model} becomes the deployment's model, and streams ask for usage so they can be billed.
 */
public final class RequestEncoder {
  private final ObjectMapper json;

  public RequestEncoder(ObjectMapper json) {
    this.json = json;
  }

  public Buffer encode(OpenAiRequest request, String upstreamModel) {
    ObjectNode body = request.body();
    body.put("model", upstreamModel);
    if (request.stream()) {
      ObjectNode options = body.get("stream_options") instanceof ObjectNode o ? o : body.putObject("stream_options");
      options.put("include_usage", true);
    }
    try {
      return Buffer.buffer(json.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a parsed JSON tree is always writable", e);
    }
  }
}
