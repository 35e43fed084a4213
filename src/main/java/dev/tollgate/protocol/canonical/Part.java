package dev.tollgate.protocol.canonical;

import java.util.List;
import java.util.Objects;

/** One piece of a message's content. */
public sealed interface Part {

  /** Plain text. */
  record Text(String text) implements Part {
    public Text {
      Objects.requireNonNull(text, "text");
    }
  }

  /**
   * An image, either by URL or inline. Exactly one of {@code url} and {@code base64} is set; inline
   * images have a {@code mediaType} (image/png, image/jpeg, image/gif, image/webp).
   *
   * @param detail OpenAI's detail hint (low, high, auto), or null
   */
  record Image(String url, String mediaType, String base64, String detail) implements Part {
    public Image {
      if ((url == null) == (base64 == null)) {
        throw new IllegalArgumentException("an image has either a url or inline data");
      }
    }

    public static Image ofUrl(String url) {
      return new Image(url, null, null, null);
    }

    public static Image inline(String mediaType, String base64) {
      return new Image(null, Objects.requireNonNull(mediaType, "mediaType"), base64, null);
    }
  }

  /** The model asks for a tool to be called; {@code argumentsJson} is a JSON object as text. */
  record ToolCall(String id, String name, String argumentsJson) implements Part {}

  /** The result of a tool call, answering {@code toolCallId}; content is text and images. */
  record ToolResult(String toolCallId, List<Part> content, boolean isError) implements Part {
    public ToolResult {
      content = List.copyOf(content);
    }
  }

  /**
   * Reasoning the model showed. {@code signature} is Anthropic's opaque integrity token (needed to
   * send thinking back in a later turn), null elsewhere; {@code redacted} holds Anthropic's
   * encrypted redacted-thinking data, with {@code text} empty.
   */
  record Reasoning(String text, String signature, String redacted) implements Part {}
}
