package dev.tollgate.provider.gemini;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.TranslationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes a canonical image as a Gemini part: inline bytes as {@code inlineData}, {@code data:} URLs
 * decoded to the same, and {@code gs://} or {@code https://} URLs as {@code fileData}. Gemini does not
 * download arbitrary URLs the way OpenAI does: {@code fileData} must name the file's MIME type, so a
 * URL whose extension does not tell it is refused rather than guessed. The {@code detail} hint has no
 * Gemini counterpart per part (Gemini picks the resolution) and is not sent.
 */
final class ImageParts {
  /** The image types Gemini accepts (no GIF). */
  static final Set<String> SUPPORTED = Set.of("image/png", "image/jpeg", "image/webp", "image/heic", "image/heif");

  private static final Map<String, String> BY_EXTENSION = Map.of(
      "png", "image/png",
      "jpg", "image/jpeg",
      "jpeg", "image/jpeg",
      "webp", "image/webp",
      "heic", "image/heic",
      "heif", "image/heif");

  private ImageParts() {}

  static ObjectNode write(Part.Image image, String field) {
    if (image.base64() != null) {
      return inline(checkedType(image.mediaType(), field), image.base64());
    }
    String url = image.url();
    if (url.regionMatches(true, 0, "data:", 0, 5)) {
      return dataUrl(url, field);
    }
    String scheme = url.contains(":") ? url.substring(0, url.indexOf(':')).toLowerCase(Locale.ROOT) : "";
    if (!scheme.equals("https") && !scheme.equals("gs")) {
      throw new TranslationException(field, "Gemini reads images only inline, from gs:// or from https:// URLs;"
          + " it cannot fetch '" + scheme + ":' URLs");
    }
    String mimeType = BY_EXTENSION.get(extension(url, field));
    if (mimeType == null) {
      throw new TranslationException(field, "Gemini cannot fetch arbitrary URLs: it needs the image's MIME type,"
          + " and this URL's extension does not name a supported one (png, jpg, jpeg, webp, heic, heif);"
          + " send the image inline instead");
    }
    ObjectNode fileData = JsonNodeFactory.instance.objectNode();
    fileData.put("mimeType", mimeType);
    fileData.put("fileUri", url);
    ObjectNode part = JsonNodeFactory.instance.objectNode();
    part.set("fileData", fileData);
    return part;
  }

  private static ObjectNode dataUrl(String url, String field) {
    int comma = url.indexOf(',');
    String meta = comma < 0 ? "" : url.substring(5, comma);
    if (comma < 0 || !meta.toLowerCase(Locale.ROOT).endsWith(";base64")) {
      throw new TranslationException(field, "a data: URL image must be base64 encoded (data:image/png;base64,...)");
    }
    String mediaType = meta.substring(0, meta.length() - ";base64".length());
    return inline(checkedType(mediaType, field), url.substring(comma + 1));
  }

  private static ObjectNode inline(String mimeType, String base64) {
    ObjectNode data = JsonNodeFactory.instance.objectNode();
    data.put("mimeType", mimeType);
    data.put("data", base64);
    ObjectNode part = JsonNodeFactory.instance.objectNode();
    part.set("inlineData", data);
    return part;
  }

  private static String checkedType(String mediaType, String field) {
    String type = mediaType == null ? "" : mediaType.trim().toLowerCase(Locale.ROOT);
    if (!SUPPORTED.contains(type)) {
      throw new TranslationException(field, "Gemini does not accept images of type '" + mediaType
          + "' (supported: image/png, image/jpeg, image/webp, image/heic, image/heif)");
    }
    return type;
  }

  private static String extension(String url, String field) {
    String path;
    try {
      path = new URI(url).getPath();
    } catch (URISyntaxException e) {
      throw new TranslationException(field, "the image URL is not a valid URI: " + e.getReason());
    }
    if (path == null) {
      return "";
    }
    int slash = path.lastIndexOf('/');
    int dot = path.lastIndexOf('.');
    return dot > slash ? path.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
  }
}
