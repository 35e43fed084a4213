package dev.tollgate.protocol.openai.translate;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** Where a provider serves chat completions, and whether the model goes in the body or the path. */
public sealed interface OpenAiChatRoute {

  /** Path and query under the provider's base URL. */
  String pathAndQuery(String upstreamModel);

  /** Whether the body names the model (Azure names the deployment in the path instead). */
  boolean modelInBody();

  /** OpenAI and compatible servers: {@code POST {base}/chat/completions}, base URL ending in {@code /v1}. */
  record Standard() implements OpenAiChatRoute {
    @Override
    public String pathAndQuery(String upstreamModel) {
      return "/chat/completions";
    }

    @Override
    public boolean modelInBody() {
      return true;
    }
  }

  /** Azure OpenAI: the deployment in the path, the API version in the query. */
  record Azure(String apiVersion) implements OpenAiChatRoute {
    public Azure {
      Objects.requireNonNull(apiVersion, "apiVersion");
      if (apiVersion.isBlank()) {
        throw new IllegalArgumentException("Azure needs an api-version");
      }
    }

    @Override
    public String pathAndQuery(String upstreamModel) {
      return "/openai/deployments/" + pathSegment(upstreamModel) + "/chat/completions?api-version="
          + URLEncoder.encode(apiVersion, StandardCharsets.UTF_8);
    }

    /** URLEncoder writes form encoding, where a space is '+'; in a path '+' is a plus sign. */
    private static String pathSegment(String s) {
      return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public boolean modelInBody() {
      return false;
    }
  }
}
