package dev.tollgate.protocol.openai.translate;

import dev.tollgate.protocol.canonical.TranslationException;
import java.util.Locale;

/** A {@code data:<media type>;base64,<data>} URL, the form OpenAI takes inline images in. */
public record DataUrl(String mediaType, String base64) {

  public static DataUrl parse(String url, String path) {
    int comma = url.indexOf(',');
    String header = comma < 0 ? "" : url.substring("data:".length(), comma);
    if (comma < 0 || !header.toLowerCase(Locale.ROOT).endsWith(";base64")) {
      throw new TranslationException(path, "'" + path + "' must be a base64 data: URL (data:<type>;base64,<data>)");
    }
    String mediaType = header.substring(0, header.length() - ";base64".length()).toLowerCase(Locale.ROOT);
    if (!mediaType.startsWith("image/")) {
      throw new TranslationException(path, "'" + path + "' must hold an image, not '" + mediaType + "'");
    }
    return new DataUrl(mediaType, url.substring(comma + 1));
  }

  String url() {
    return "data:" + mediaType + ";base64," + base64;
  }
}
