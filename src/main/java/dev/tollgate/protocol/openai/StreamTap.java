package dev.tollgate.protocol.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.metering.TokenUsage;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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

  private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

  private final ObjectMapper json;
  private final StringBuilder text = new StringBuilder();
  // Where the only data line's value lies in the event, set by data(); -1 when there is none.
  private int dataStart;
  private int dataEnd;
  private TokenUsage usage;
  private boolean done;
  private String error;

  public StreamTap(ObjectMapper json) {
    this.json = json;
  }

  /** Classifies a whole event; throws {@link MalformedStreamException} when its data is not JSON. */
  public Kind inspect(Buffer event) {
    byte[] bytes = event.getBytes();
    byte[] data = data(bytes);
    int from = 0;
    int to;
    if (data == null) {
      if (dataStart < 0) {
        return Kind.OTHER;
      }
      data = bytes;
      from = dataStart;
      to = dataEnd;
    } else {
      to = data.length;
    }
    if (isDone(data, from, to)) {
      done = true;
      return Kind.DONE;
    }
    int mark = text.length();
    try (JsonParser p = json.getFactory().createParser(data, from, to - from)) {
      return read(p);
    } catch (IOException e) {
      text.setLength(mark); // nothing from a broken event counts
      throw new MalformedStreamException("an event's data is not JSON");
    } catch (MalformedStreamException e) {
      text.setLength(mark);
      throw e;
    }
  }

  /**
   * Walks one chunk with the streaming parser: a tree per event cost more than everything else the
   * relay does per event. Only {@code error} and {@code usage}, small and rare, become trees.
   */
  private Kind read(JsonParser p) throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw new MalformedStreamException("an event's data is not a JSON object");
    }
    TokenUsage seenUsage = null;
    boolean emptyChoices = false;
    boolean hasChoices = false;
    String eventType = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        // The Responses API's events: {"type":"response.completed","response":{...,"usage":{...}}}.
        case "type" -> {
          if (value == JsonToken.VALUE_STRING) {
            eventType = p.getText();
          }
        }
        case "response" -> {
          if (value == JsonToken.START_OBJECT) {
            JsonNode response = json.readTree(p);
            seenUsage = UsageReader.read(response.get("usage")).orElse(seenUsage);
            JsonNode err = response.get("error");
            if (err != null && err.isObject()) {
              error = err.path("message").asText(err.toString());
            }
          } else {
            p.skipChildren();
          }
        }
        case "error" -> {
          if (value != JsonToken.VALUE_NULL) {
            JsonNode err = json.readTree(p);
            error = err.path("message").asText(err.toString());
            return Kind.ERROR;
          }
        }
        case "usage" -> {
          if (value == JsonToken.START_OBJECT) {
            seenUsage = UsageReader.read(json.readTree(p)).orElse(seenUsage);
          } else {
            p.skipChildren();
          }
        }
        case "choices" -> {
          if (value == JsonToken.START_ARRAY) {
            hasChoices = true;
            emptyChoices = !readChoices(p);
          } else {
            p.skipChildren();
          }
        }
        default -> p.skipChildren();
      }
    }
    if (p.currentToken() != JsonToken.END_OBJECT) {
      throw new MalformedStreamException("an event's data is not a JSON object");
    }
    if (eventType != null && eventType.startsWith("response.") || "error".equals(eventType)) {
      return responsesEvent(eventType, seenUsage);
    }
    if (seenUsage != null) {
      usage = seenUsage;
      if (hasChoices && emptyChoices) {
        return Kind.USAGE_ONLY;
      }
    }
    return Kind.DATA;
  }

  /**
   * A Responses API event: its terminal events end the stream (there is no [DONE]) and carry the
   * usage; text deltas are kept for local counting.
   */
  private Kind responsesEvent(String type, TokenUsage seenUsage) {
    if (seenUsage != null) {
      usage = seenUsage;
    }
    return switch (type) {
      case "response.completed", "response.incomplete" -> {
        done = true;
        yield Kind.DONE;
      }
      case "response.failed", "error" -> {
        if (error == null) {
          error = "the upstream reported " + type;
        }
        done = type.equals("response.failed");
        yield Kind.ERROR;
      }
      default -> Kind.DATA;
    };
  }

  /** Appends each choice's text; false when the array is empty. */
  private boolean readChoices(JsonParser p) throws IOException {
    boolean any = false;
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t == null) {
        throw new MalformedStreamException("an event's data is not JSON");
      }
      any = true;
      if (t != JsonToken.START_OBJECT) {
        p.skipChildren();
        continue;
      }
      readChoice(p);
    }
    return any;
  }

  /** One choice: the delta's (or, without one, the message's) text in a fixed order, then {@code text}. */
  private void readChoice(JsonParser p) throws IOException {
    StringBuilder delta = null;
    StringBuilder message = null;
    String choiceText = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      if ((field.equals("delta") || field.equals("message")) && value == JsonToken.START_OBJECT) {
        StringBuilder carrier = readCarrier(p);
        if (field.equals("delta")) {
          delta = carrier;
        } else {
          message = carrier;
        }
      } else if (field.equals("delta")) {
        delta = new StringBuilder(); // present but not an object: it still hides the message
        p.skipChildren();
      } else if (field.equals("text") && value == JsonToken.VALUE_STRING) {
        choiceText = p.getText();
      } else {
        p.skipChildren();
      }
    }
    StringBuilder carrier = delta != null ? delta : message;
    if (carrier != null) {
      append(carrier);
    }
    if (choiceText != null) {
      append(choiceText);
    }
  }

  private StringBuilder readCarrier(JsonParser p) throws IOException {
    String content = null;
    String reasoning = null;
    StringBuilder calls = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      if (field.equals("content") && value == JsonToken.VALUE_STRING) {
        content = p.getText();
      } else if (field.equals("reasoning_content") && value == JsonToken.VALUE_STRING) {
        reasoning = p.getText();
      } else if (field.equals("tool_calls") && value == JsonToken.START_ARRAY) {
        JsonNode array = json.readTree(p);
        calls = new StringBuilder();
        for (JsonNode call : array) {
          appendText(call.path("function").get("name"), calls);
          appendText(call.path("function").get("arguments"), calls);
        }
      } else {
        p.skipChildren();
      }
    }
    StringBuilder out = new StringBuilder();
    if (content != null) {
      out.append(content);
    }
    if (reasoning != null) {
      out.append(reasoning);
    }
    if (calls != null) {
      out.append(calls);
    }
    return out;
  }

  private static void appendText(JsonNode node, StringBuilder out) {
    if (node != null && node.isTextual()) {
      out.append(node.asText());
    }
  }

  private void append(CharSequence s) {
    if (text.length() < TEXT_LIMIT) {
      text.append(s, 0, Math.min(s.length(), TEXT_LIMIT - text.length()));
    }
  }

  private static boolean isDone(byte[] data, int from, int to) {
    return Arrays.equals(data, from, to, DONE, 0, DONE.length);
  }

  /**
   * Finds the event's data. With one data line (every provider's normal case) the value's bounds are
   * left in {@link #dataStart}/{@link #dataEnd} and null is returned: no copy. Several data lines are
   * joined with newlines into a new array.
   */
  private byte[] data(byte[] event) {
    dataStart = -1;
    dataEnd = -1;
    ByteArrayOutputStream joined = null;
    int start = 0;
    int len = event.length;
    while (start < len) {
      int end = start;
      while (end < len && event[end] != '\n' && event[end] != '\r') {
        end++;
      }
      if (end - start >= 5 && event[start] == 'd' && event[start + 1] == 'a' && event[start + 2] == 't'
          && event[start + 3] == 'a' && event[start + 4] == ':') {
        int from = start + 5;
        if (from < end && event[from] == ' ') {
          from++;
        }
        if (dataStart < 0) {
          dataStart = from;
          dataEnd = end;
        } else {
          if (joined == null) {
            joined = new ByteArrayOutputStream();
            joined.write(event, dataStart, dataEnd - dataStart);
          }
          joined.write('\n');
          joined.write(event, from, end - from);
        }
      }
      start = end + 1;
    }
    return joined == null ? null : joined.toByteArray();
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
