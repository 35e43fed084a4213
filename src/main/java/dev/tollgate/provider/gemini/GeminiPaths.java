package dev.tollgate.provider.gemini;

import dev.tollgate.protocol.canonical.TranslationException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a Gemini model's {@code generateContent} and {@code streamGenerateContent} live. The request
 * and answer bodies are the same on the Google AI (API key) and Vertex AI endpoints; only the path
 * differs, so the codec takes one of these and is otherwise shared.
 */
public sealed interface GeminiPaths {

  /** A model name is a single path segment; anything else would change the URL's meaning. */
  Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  /** The path of a whole-answer call. */
  default String generate(String model) {
    return prefix(checked(model)) + ":generateContent";
  }

  /** The path of a streamed call, asking for server-sent events. */
  default String stream(String model) {
    return prefix(checked(model)) + ":streamGenerateContent?alt=sse";
  }

  /** Everything before the {@code :method} suffix. */
  String prefix(String model);

  private static String checked(String model) {
    if (model == null || !MODEL.matcher(model).matches()) {
      throw new TranslationException("model",
          "'" + model + "' is not a Gemini model name (letters, digits, '.', '_' and '-' only)");
    }
    return model;
  }

  /** The Gemini API of Google AI Studio: {@code /v1beta/models/{model}:generateContent}. */
  record GoogleAi() implements GeminiPaths {
    @Override
    public String prefix(String model) {
      return "/v1beta/models/" + model;
    }
  }

  /** Vertex AI: {@code /v1/projects/{project}/locations/{location}/publishers/google/models/{model}:...}. */
  record Vertex(String project, String location) implements GeminiPaths {
    public Vertex {
      Objects.requireNonNull(project, "project");
      Objects.requireNonNull(location, "location");
      if (!MODEL.matcher(project).matches() || !MODEL.matcher(location).matches()) {
        throw new IllegalArgumentException("project and location must be single path segments: "
            + project + ", " + location);
      }
    }

    @Override
    public String prefix(String model) {
      return "/v1/projects/" + project + "/locations/" + location + "/publishers/google/models/" + model;
    }
  }
}
