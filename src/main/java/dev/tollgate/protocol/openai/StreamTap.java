package dev.tollgate.protocol.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.metering.TokenUsage;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads an OpenAI chat/completions SSE stream as it passes by, without re-encoding it: finds the
 * usage chunk, the {@code [DONE]} marker and in-stream errors, and keeps the answer text in case the
 * upstream reports no usage. Not thread-safe: one per stream.
 */
public final class StreamTap {
  /** Characters of answer text kept for local counting. */
  static final int TEXT_LIMIT = 4 * 1024 * 1024;

  /** What one event means to the relay. */
  public enum Kind {
    /** A data chunk to pass on. */
    DATA,
    /** The usage-only chunk that the gateway asked for and the client did not. */
    USAGE_ONLY,
    /** {@code data: [DONE]}. */
    DONE,
    /** An error object sent in the stream. */
    ERROR,
    /** Comments, keep-alives and other fields without data. */
    OTHER
  }

  private final ObjectMapper json;
  private final StringBuilder text = new StringBuilder();
  private TokenUsage usage;
  private boolean done;
  private String error;

  public StreamTap(ObjectMapper json) {
    this.json = json;
  }

  /** Classifies a whole event; throws {@link MalformedStreamException} when its data is not JSON. */
  public Kind inspect(Buffer event) {
    String data = data(event.toString(StandardCharsets.UTF_8));
    if (data == null) {
      return Kind.OTHER;
    }
    if (data.equals("[DONE]")) {
      done = true;
      return Kind.DONE;
    }
    JsonNode node;
    try {
      node = json.readTree(data);
    } catch (IOException e) {
      throw new MalformedStreamException("an event's data is not JSON");
    }
    if (node == null || !node.isObject()) {
      throw new MalformedStreamException("an event's data is not a JSON object");
    }
    JsonNode err = node.get("error");
    if (err != null && !err.isNull()) {
      error = err.path("message").asText(err.toString());
      return Kind.ERROR;
    }
    JsonNode choices = node.get("choices");
    UsageReader.appendText(choices, text, TEXT_LIMIT);
    Optional<TokenUsage> u = UsageReader.read(node.get("usage"));
    if (u.isPresent()) {
      usage = u.get();
      if (choices != null && choices.isArray() && choices.isEmpty()) {
        return Kind.USAGE_ONLY;
      }
    }
    return Kind.DATA;
  }

  /** The data lines of an event joined by newlines, or null when it has none. */
  private static String data(String event) {
    StringBuilder sb = null;
    int start = 0;
    int len = event.length();
    while (start < len) {
      int end = start;
      while (end < len && event.charAt(end) != '\n' && event.charAt(end) != '\r') {
        end++;
      }
      if (event.startsWith("data:", start)) {
        int from = start + 5;
        if (from < end && event.charAt(from) == ' ') {
          from++;
        }
        if (sb == null) {
          sb = new StringBuilder();
        } else {
          sb.append('\n');
        }
        sb.append(event, from, end);
      }
      start = end + 1;
    }
    return sb == null ? null : sb.toString();
  }

  public Optional<TokenUsage> usage() {
    return Optional.ofNullable(usage);
  }

  public boolean done() {
    return done;
  }

  public Optional<String> error() {
    return Optional.ofNullable(error);
  }

  public String text() {
    return text.toString();
  }

  /** The upstream's stream broke its protocol. */
  public static final class MalformedStreamException extends RuntimeException {
    public MalformedStreamException(String message) {
      super(message, null, false, false);
    }
  }
}
