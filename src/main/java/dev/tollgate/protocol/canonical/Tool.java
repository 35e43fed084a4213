package dev.tollgate.protocol.canonical;

/**
 * A function the model may call.
 *
 * @param parametersJson its JSON Schema as text ({@code {"type":"object",...}}), or null for none
 */
public record Tool(String name, String description, String parametersJson) {}
