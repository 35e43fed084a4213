package dev.tollgate.protocol.canonical;

import java.util.List;
import java.util.Objects;

/**
 * A chat request in no particular wire format.
 *
 * @param model the name the caller used (routing replaces it with the deployment's upstream name)
 * @param system system instructions, in order (OpenAI system and developer messages, Anthropic's
 *     {@code system}, Gemini's {@code systemInstruction})
 * @param maxTokens output cap, or null for the provider's default (codecs for providers that
 *     require one, like Anthropic, supply the model's default)
 * @param stop stop sequences, empty for none
 * @param toolChoice null when the caller did not say (distinct from {@link ToolChoice#AUTO} for
 *     formats that cannot express it without tools)
 * @param responseFormat null when the caller did not ask for one
 * @param candidates number of alternative answers (OpenAI's {@code n}); 1 for every other format
 * @param user an end-user id for abuse tracking (OpenAI {@code user}, Anthropic {@code metadata.user_id})
 * @param extensions fields of the caller's format with no canonical meaning, and which format that is
 */
public record ChatRequest(
    String model,
    List<Part.Text> system,
    List<Message> messages,
    Integer maxTokens,
    Double temperature,
    Double topP,
    Integer topK,
    List<String> stop,
    List<Tool> tools,
    ToolChoice toolChoice,
    Boolean parallelToolCalls,
    ResponseFormat responseFormat,
    int candidates,
    boolean stream,
    String user,
    Extensions extensions) {

  public ChatRequest {
    system = List.copyOf(system);
    messages = List.copyOf(messages);
    stop = List.copyOf(stop);
    tools = List.copyOf(tools);
    Objects.requireNonNull(extensions, "extensions");
  }

  /** The same request for another upstream model name. */
  public ChatRequest withModel(String upstreamModel) {
    return new ChatRequest(upstreamModel, system, messages, maxTokens, temperature, topP, topK, stop, tools,
        toolChoice, parallelToolCalls, responseFormat, candidates, stream, user, extensions);
  }
}
