package dev.tollgate.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocol.canonical.ChatRequest;
import dev.tollgate.protocol.canonical.ChatResponse;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.StreamDecoder;
import dev.tollgate.protocol.canonical.TranslationException;
import dev.tollgate.provider.ProviderCodec;
import dev.tollgate.provider.ProviderError;
import dev.tollgate.provider.ProviderHttpRequest;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Gemini's {@code generateContent} / {@code streamGenerateContent} wire format, for the Google AI
 * (API key) and Vertex AI endpoints alike: only the {@link GeminiPaths} differ.
 *
 * <h2>Requests</h2>
 * System text goes to {@code systemInstruction}; user and tool-result messages become {@code user}
 * turns and assistant messages {@code model} turns, consecutive same-role turns merged (Gemini wants
 * them alternating). Tool results become {@code functionResponse} parts named after the earlier call
 * with the same id, with {@code {"output": text}} or {@code {"error": text}}; images a tool returned
 * follow as parts of the same turn. Tool parameter and response schemas are sent as JSON Schema
 * ({@code parametersJsonSchema}, {@code responseJsonSchema}), never converted to Gemini's OpenAPI
 * subset. Call ids are not sent: Vertex rejects them, and Gemini matches results by name and order.
 *
 * <p>Reasoning in history: unsigned thought text is dropped, because Gemini does not read its
 * thought summaries back (its context travels in signatures). Gemini's own thought signatures
 * (tagged, see {@link ThoughtSignatures}) go back where they came from: on a {@code thought} part
 * with its text, or on the part they signed; other providers' reasoning and signatures and
 * Anthropic redacted thinking are dropped, as Gemini would reject them. The first function call of a
 * model turn with no signature gets Google's documented validator-skip value, since history from an
 * OpenAI-format caller can never carry one and Gemini 3 refuses unsigned current-turn calls.
 *
 * <h2>Fields without a Gemini counterpart</h2>
 * <table>
 *   <caption>Canonical fields and extensions, and what this codec does with them</caption>
 *   <tr><th>Field</th><th>Gemini</th></tr>
 *   <tr><td>{@code n} (candidates)</td><td>{@code generationConfig.candidateCount}</td></tr>
 *   <tr><td>{@code stop} (at most 5)</td><td>{@code generationConfig.stopSequences}; more are refused</td></tr>
 *   <tr><td>strict tools</td><td>{@code functionCallingConfig.mode} VALIDATED (ANY when a call is
 *       required), which holds function calls to their schemas</td></tr>
 *   <tr><td>{@code parallel_tool_calls: false}</td><td>refused: Gemini cannot be limited to one call</td></tr>
 *   <tr><td>{@code user}</td><td>not sent: an abuse-tracking id with no Gemini field and no effect on
 *       the answer</td></tr>
 *   <tr><td>image {@code detail}</td><td>not sent: Gemini chooses the resolution itself</td></tr>
 *   <tr><td>{@code seed}</td><td>{@code generationConfig.seed}</td></tr>
 *   <tr><td>{@code frequency_penalty}, {@code presence_penalty}</td><td>{@code frequencyPenalty},
 *       {@code presencePenalty}</td></tr>
 *   <tr><td>{@code reasoning_effort}</td><td>{@code thinkingConfig.thinkingLevel} (MINIMAL, LOW, MEDIUM,
 *       HIGH)</td></tr>
 *   <tr><td>Anthropic {@code thinking}</td><td>{@code thinkingConfig.thinkingBudget} with
 *       {@code includeThoughts}; disabled is budget 0</td></tr>
 *   <tr><td>{@code logprobs: false}</td><td>nothing to do</td></tr>
 *   <tr><td>{@code logprobs: true}, {@code top_logprobs}</td><td>refused: the canonical answer has no
 *       place for log probabilities</td></tr>
 *   <tr><td>{@code metadata}, {@code store}, {@code safety_identifier}, {@code prompt_cache_key},
 *       {@code service_tier} (OpenAI's or Anthropic's)</td>
 *       <td>not sent: they steer the caller's platform (storage, caching, abuse ids, capacity), not the
 *       answer</td></tr>
 *   <tr><td>{@code logit_bias}, {@code prediction}, {@code modalities}, {@code audio},
 *       {@code web_search_options}, {@code verbosity}, Anthropic's {@code output_config} effort,
 *       {@code container}, {@code mcp_servers}, and any other</td>
 *       <td>refused, naming the field and the format it belongs to</td></tr>
 * </table>
 *
 * <h2>Answers</h2>
 * Text, thoughts ({@code thought: true} as Reasoning) and function calls (ids {@code call_<n>}
 * numbered across the answer, unless Gemini sends one) are relayed; other part kinds are refused.
 * A refused prompt (no candidates, {@code promptFeedback.blockReason}) throws
 * {@link GeminiBlockedException}. Usage: input is {@code promptTokenCount} (cache reads included)
 * plus {@code toolUsePromptTokenCount}; output is {@code candidatesTokenCount} plus
 * {@code thoughtsTokenCount}. {@code created} is Vertex's {@code createTime}, 0 from Google AI.
 *
 * <p>Thread-safe: immutable; the stream decoders it makes are one per stream.
 */
public final class GeminiCodec implements ProviderCodec {
  private final ObjectMapper json;
  private final GeminiPaths paths;
  private final RequestEncoder encoder;
  private final ErrorDecoder errors;

  public GeminiCodec(ObjectMapper json, GeminiPaths paths) {
    this.json = Objects.requireNonNull(json, "json");
    this.paths = Objects.requireNonNull(paths, "paths");
    this.encoder = new RequestEncoder(json);
    this.errors = new ErrorDecoder(json);
  }

  @Override
  public ProviderHttpRequest encode(ChatRequest request, String upstreamModel) {
    String path = request.stream() ? paths.stream(upstreamModel) : paths.generate(upstreamModel);
    Buffer body;
    try {
      body = Buffer.buffer(json.writeValueAsBytes(encoder.encode(request)));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree could not be written", e);
    }
    return new ProviderHttpRequest("POST", path, Map.of("content-type", "application/json"), body);
  }

  @Override
  public ChatResponse decode(Buffer body) {
    JsonNode root;
    try {
      root = json.readTree(body.getBytes());
    } catch (java.io.IOException e) {
      throw new TranslationException("body", "Gemini's answer is not JSON");
    }
    if (root == null || !root.isObject()) {
      throw new TranslationException("body", "Gemini's answer is not a JSON object");
    }
    JsonNode list = root.get("candidates");
    if (list == null || list.isNull() || (list.isArray() && list.isEmpty())) {
      GeminiBlockedException blocked = Answers.blocked(root);
      if (blocked != null) {
        throw blocked;
      }
      throw new TranslationException("candidates", "Gemini's answer has neither candidates nor a block reason");
    }
    if (!list.isArray()) {
      throw new TranslationException("candidates", "candidates must be an array");
    }
    int[] nextCall = {0};
    List<ChatResponse.Candidate> candidates = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      JsonNode c = list.get(i);
      String field = "candidates[" + i + "]";
      if (!c.isObject()) {
        throw new TranslationException(field, "a candidate must be an object");
      }
      List<Part> parts = Answers.parts(json, c.path("content").get("parts"), field + ".content.parts", nextCall);
      boolean calledTools = parts.stream().anyMatch(p -> p instanceof Part.ToolCall);
      candidates.add(new ChatResponse.Candidate(c.path("index").asInt(i), parts,
          Answers.stopReason(c.path("finishReason").asText(""), calledTools)));
    }
    return new ChatResponse(Answers.text(root, "responseId"), Answers.text(root, "modelVersion"),
        Answers.created(root), candidates, Answers.usage(root.get("usageMetadata")));
  }

  @Override
  public StreamDecoder streamDecoder() {
    return new GeminiStreamDecoder(json);
  }

  @Override
  public ProviderError decodeError(int status, MultiMap headers, Buffer body) {
    return errors.decode(status, headers, body);
  }
}
