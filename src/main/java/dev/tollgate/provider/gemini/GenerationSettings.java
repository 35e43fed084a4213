package dev.tollgate.provider.gemini;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocol.canonical.ChatRequest;
import dev.tollgate.protocol.canonical.Extensions;
import dev.tollgate.protocol.canonical.ResponseFormat;
import dev.tollgate.protocol.canonical.TranslationException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds {@code generationConfig}: the sampling fields, the answer's shape, and the caller-format
 * extensions Gemini can express (the table is in {@link GeminiCodec}'s Javadoc). Extensions are
 * visited in name order so the first refusal does not depend on map iteration order.
 */
final class GenerationSettings {
  /** Gemini accepts at most this many stop sequences. */
  static final int MAX_STOP_SEQUENCES = 5;

  private static final Set<String> EFFORTS = Set.of("minimal", "low", "medium", "high");

  private final ObjectMapper json;

  GenerationSettings(ObjectMapper json) {
    this.json = json;
  }

  /** The {@code generationConfig} object, empty when the request sets nothing. */
  ObjectNode write(ChatRequest r) {
    ObjectNode config = json.createObjectNode();
    if (r.maxTokens() != null) {
      config.put("maxOutputTokens", r.maxTokens());
    }
    if (r.temperature() != null) {
      config.put("temperature", r.temperature());
    }
    if (r.topP() != null) {
      config.put("topP", r.topP());
    }
    if (r.topK() != null) {
      config.put("topK", r.topK());
    }
    if (!r.stop().isEmpty()) {
      if (r.stop().size() > MAX_STOP_SEQUENCES) {
        throw new TranslationException("stop", "Gemini accepts at most " + MAX_STOP_SEQUENCES
            + " stop sequences, got " + r.stop().size());
      }
      config.set("stopSequences", json.valueToTree(r.stop()));
    }
    if (r.candidates() < 1) {
      throw new TranslationException("n", "the number of candidates must be at least 1");
    }
    if (r.candidates() > 1) {
      config.put("candidateCount", r.candidates());
    }
    responseFormat(r.responseFormat(), config);
    Extensions extensions = r.extensions();
    for (Map.Entry<String, String> e : extensions.sorted().entrySet()) {
      String name = e.getKey();
      if (!extensions.platformOnly(name)) {
        JsonNode value = parse(name, e.getValue());
        switch (extensions.dialect()) {
          case OPENAI -> openAiExtension(name, value, config, extensions);
          case ANTHROPIC -> anthropicExtension(name, value, config, extensions);
        }
      }
    }
    JsonNode thinking = config.path("thinkingConfig");
    if (thinking.has("thinkingLevel") && thinking.has("thinkingBudget")) {
      throw new TranslationException("reasoning_effort", "Gemini takes a thinking level or a thinking budget,"
          + " not both: 'reasoning_effort' cannot be combined with 'thinking'");
    }
    return config;
  }

  private void responseFormat(ResponseFormat format, ObjectNode config) {
    switch (format) {
      case null -> { }
      case ResponseFormat.Text t -> { }
      case ResponseFormat.JsonObject o -> config.put("responseMimeType", "application/json");
      case ResponseFormat.JsonSchema s -> {
        JsonNode schema = parse("response_format.json_schema.schema", s.schemaJson());
        if (!schema.isObject()) {
          throw new TranslationException("response_format.json_schema.schema", "the schema must be a JSON object");
        }
        config.put("responseMimeType", "application/json");
        // Gemini takes JSON Schema as is here (no OpenAPI conversion) and always constrains decoding
        // to it, so 'strict' needs no counterpart.
        config.set("responseJsonSchema", schema);
      }
    }
  }

  private void openAiExtension(String name, JsonNode value, ObjectNode config, Extensions extensions) {
    switch (name) {
      case "seed" -> {
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
          throw new TranslationException(name, "'seed' must be a 32-bit integer for Gemini");
        }
        config.put("seed", value.intValue());
      }
      case "frequency_penalty" -> config.put("frequencyPenalty", number(name, value));
      case "presence_penalty" -> config.put("presencePenalty", number(name, value));
      case "logprobs" -> {
        if (value.asBoolean(false)) {
          throw new TranslationException(name, "log probabilities cannot be returned through the gateway"
              + " from Gemini");
        }
      }
      case "reasoning_effort" -> {
        String effort = value.isTextual() ? value.asText() : "";
        if (!EFFORTS.contains(effort)) {
          throw new TranslationException(name, "Gemini's thinking levels are minimal, low, medium and high; got "
              + value);
        }
        thinking(config).put("thinkingLevel", effort.toUpperCase(Locale.ROOT));
      }
      default -> throw extensions.unsupported(name, "Gemini");
    }
  }

  private static void anthropicExtension(String name, JsonNode value, ObjectNode config, Extensions extensions) {
    if (!name.equals("thinking")) {
      throw extensions.unsupported(name, "Gemini");
    }
    anthropicThinking(value, config);
  }

  /** Anthropic's {@code thinking}: a token budget, with the thoughts shown as Anthropic shows them. */
  private static void anthropicThinking(JsonNode value, ObjectNode config) {
    String type = value.path("type").asText("");
    switch (type) {
      case "enabled" -> {
        JsonNode budget = value.get("budget_tokens");
        if (budget == null || !budget.canConvertToInt() || !budget.isIntegralNumber()) {
          throw new TranslationException("thinking.budget_tokens", "an integer token budget is required");
        }
        ObjectNode thinking = thinking(config);
        thinking.put("thinkingBudget", budget.intValue());
        thinking.put("includeThoughts", true);
      }
      case "disabled" -> thinking(config).put("thinkingBudget", 0);
      default -> throw new TranslationException("thinking.type", "Gemini can map thinking 'enabled' (with"
          + " budget_tokens) or 'disabled', not '" + type + "'");
    }
  }

  private static ObjectNode thinking(ObjectNode config) {
    return config.has("thinkingConfig") ? (ObjectNode) config.get("thinkingConfig") : config.putObject("thinkingConfig");
  }

  private static double number(String name, JsonNode value) {
    if (!value.isNumber()) {
      throw new TranslationException(name, "'" + name + "' must be a number");
    }
    return value.doubleValue();
  }

  private JsonNode parse(String field, String text) {
    try {
      JsonNode node = text == null ? null : json.readTree(text);
      if (node == null || node.isMissingNode()) {
        throw new TranslationException(field, "expected a JSON value");
      }
      return node;
    } catch (JacksonException e) {
      throw new TranslationException(field, "not valid JSON: " + e.getOriginalMessage());
    }
  }
}
