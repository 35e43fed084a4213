package dev.tollgate.provider.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.config.ProviderType;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.util.Locale;
import java.util.Set;

/**
 * Reads a probe's HTTP answer into a status and a human detail. Pure: no I/O, never throws.
 *
 * <p>A 2xx counts as {@code UP} only when the body has the provider's shape (a {@code data} list for
 * OpenAI, Azure and Anthropic, a {@code models} list for Gemini): a captive portal or a wrong
 * {@code base_url} also answers 200. For Bedrock the probe model cannot exist, so the expected answer
 * is an error, and which error tells whether the signature was accepted (see {@link ProbeRequests}).
 */
final class ProbeAnswers {
  /** Bedrock's answers for a model that does not exist: AWS authenticated the caller first. */
  private static final Set<String> BEDROCK_REACHED = Set.of("ValidationException", "ResourceNotFoundException");

  /** Bedrock's (and AWS's generic) refusals of the caller's identity or signature. */
  private static final Set<String> BEDROCK_AUTH = Set.of("UnrecognizedClientException", "InvalidSignatureException",
      "IncompleteSignatureException", "MissingAuthenticationTokenException", "ExpiredTokenException",
      "AccessDeniedException", "InvalidClientTokenId", "SignatureDoesNotMatch");

  /** A classified answer. */
  record Verdict(ProbeStatus status, String detail) {}

  /** What an error body says, as far as it says anything. */
  private record ErrorInfo(String type, String message, String reason) {}

  private final ObjectMapper json;

  ProbeAnswers(ObjectMapper json) {
    this.json = json;
  }

  Verdict classify(ProviderType type, int status, MultiMap headers, Buffer body) {
    JsonNode root = parse(body);
    return type == ProviderType.BEDROCK ? bedrock(status, headers, body, root) : listing(type, status, body, root);
  }

  private Verdict listing(ProviderType type, int status, Buffer body, JsonNode root) {
    if (status >= 200 && status < 300) {
      String field = switch (type) {
        case GEMINI -> "models";
        case VERTEX -> "publisherModels";
        default -> "data";
      };
      if (root == null || !root.isObject()) {
        return new Verdict(ProbeStatus.DOWN, "HTTP " + status + " but not a JSON object: " + snippet(body));
      }
      JsonNode list = root.get(field);
      if (list == null || !list.isArray()) {
        return new Verdict(ProbeStatus.DOWN, "HTTP " + status + " but no '" + field + "' list in the answer");
      }
      return new Verdict(ProbeStatus.UP, "model list answered (" + list.size() + " on the first page)");
    }
    ErrorInfo error = error(null, root);
    String detail = describe(status, error, body);
    if (status == 401 || status == 403 || type == ProviderType.GEMINI && geminiBadKey(status, error)) {
      return new Verdict(ProbeStatus.AUTH_FAILED, detail);
    }
    if (status == 404) {
      return new Verdict(ProbeStatus.DOWN, detail + " (is base_url the API root?)");
    }
    return new Verdict(ProbeStatus.DOWN, detail);
  }

  /** Google answers an invalid key with 400 INVALID_ARGUMENT and reason API_KEY_INVALID, not 401. */
  private static boolean geminiBadKey(int status, ErrorInfo error) {
    return status == 400 && ("API_KEY_INVALID".equals(error.reason())
        || error.message() != null && error.message().toLowerCase(Locale.ROOT).contains("api key not valid"));
  }

  private Verdict bedrock(int status, MultiMap headers, Buffer body, JsonNode root) {
    ErrorInfo error = error(headers, root);
    String detail = describe(status, error, body);
    if (status >= 200 && status < 300) {
      return new Verdict(ProbeStatus.DOWN, "HTTP " + status + " for model '" + ProbeRequests.BEDROCK_PROBE_MODEL
          + "', which does not exist: base_url does not look like Bedrock's runtime endpoint");
    }
    if (error.type() != null && BEDROCK_AUTH.contains(error.type()) || status == 401 || status == 403) {
      return new Verdict(ProbeStatus.AUTH_FAILED, detail);
    }
    if (error.type() != null && BEDROCK_REACHED.contains(error.type()) && (status == 400 || status == 404)) {
      return new Verdict(ProbeStatus.UP, "signature accepted (" + error.type() + " for the probe model '"
          + ProbeRequests.BEDROCK_PROBE_MODEL + "', as expected)");
    }
    return new Verdict(ProbeStatus.DOWN, detail);
  }

  /** The error type (header {@code x-amzn-ErrorType}, else the body's), message and Google's reason. */
  private static ErrorInfo error(MultiMap headers, JsonNode root) {
    String type = null;
    if (headers != null && headers.get("x-amzn-ErrorType") != null) {
      String t = headers.get("x-amzn-ErrorType");
      type = (t.indexOf(':') >= 0 ? t.substring(0, t.indexOf(':')) : t).trim();
    }
    String message = null;
    String reason = null;
    if (root != null && root.isObject()) {
      JsonNode e = root.get("error");
      if (e != null && e.isObject()) {
        // OpenAI {error:{type,code,message}}, Anthropic {type:error,error:{type,message}}, Google {error:{status}}.
        type = type != null ? type : firstText(e, "code", "status", "type");
        message = firstText(e, "message");
        for (JsonNode d : e.path("details")) {
          reason = reason != null ? reason : firstText(d, "reason");
        }
      } else {
        message = firstText(root, "message", "Message");
        String t = firstText(root, "__type");
        type = type != null ? type : t == null ? null : t.substring(t.lastIndexOf('#') + 1);
      }
    }
    return new ErrorInfo(type == null || type.isBlank() ? null : type, message, reason);
  }

  private static String firstText(JsonNode node, String... names) {
    for (String name : names) {
      JsonNode v = node.get(name);
      if (v != null && (v.isTextual() || v.isNumber()) && !v.asText().isBlank()) {
        return v.asText();
      }
    }
    return null;
  }

  private static String describe(int status, ErrorInfo error, Buffer body) {
    StringBuilder sb = new StringBuilder("HTTP ").append(status);
    if (error.type() != null) {
      sb.append(' ').append(clip(error.type()));
    }
    String message = error.message() != null ? error.message() : error.type() == null ? snippet(body) : null;
    if (message != null && !message.isEmpty()) {
      sb.append(": ").append(clip(message));
    }
    return sb.toString();
  }

  private static String snippet(Buffer body) {
    return body == null ? "" : clip(body.toString(java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * One line. Not shortened here: shortening first could cut a secret in half, and the scrubber could no
   * longer recognise the half that remains; {@link SecretScrubber#clean} shortens after scrubbing.
   */
  private static String clip(String s) {
    return s.replaceAll("\\s+", " ").strip();
  }

  private JsonNode parse(Buffer body) {
    if (body == null || body.length() == 0) {
      return null;
    }
    try {
      return json.readTree(body.getBytes());
    } catch (java.io.IOException | RuntimeException e) {
      return null; // Not JSON: a proxy's HTML page or a cut body; classified by status and shown as text.
    }
  }
}
