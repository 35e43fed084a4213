package dev.tollgate.protocol.canonical;

/**
 * A function the model may call.
 *
 * @param parametersJson its JSON Schema as text ({@code {"type":"object",...}}), or null for none
 * @param strict true when the call's arguments must match the schema exactly (OpenAI and Anthropic
 *     strict tools), false when the caller said not to, null when the caller did not say
 */
public record Tool(String name, String description, String parametersJson, Boolean strict) {

  public Tool(String name, String description, String parametersJson) {
    this(name, description, parametersJson, null);
  }
}
