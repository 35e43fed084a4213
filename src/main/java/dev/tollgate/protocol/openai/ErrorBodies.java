package dev.tollgate.protocol.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.server.ApiError;
import io.vertx.core.buffer.Buffer;

/** OpenAI's error shape, as a response body and as an in-stream SSE event. */
public final class ErrorBodies {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ErrorBodies() {}

  public static ObjectNode json(ApiError error) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode e = root.putObject("error");
    e.put("message", error.message());
    e.put("type", error.type());
    if (error.param() == null) {
      e.putNull("param");
    } else {
      e.put("param", error.param());
    }
    if (error.code() == null) {
      e.putNull("code");
    } else {
      e.put("code", error.code());
    }
    return root;
  }

  public static Buffer body(ApiError error) {
    return Buffer.buffer(json(error).toString());
  }

  /** The event that ends a broken stream instead of {@code [DONE]}. */
  public static Buffer streamEvent(ApiError error) {
    return Buffer.buffer("data: " + json(error) + "\n\n");
  }
}
