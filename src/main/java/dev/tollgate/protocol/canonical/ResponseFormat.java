package dev.tollgate.protocol.canonical;

/** The shape the answer must take. */
public sealed interface ResponseFormat {
  /** Free text (the default). */
  record Text() implements ResponseFormat {}

  /** Any JSON object (OpenAI's JSON mode). */
  record JsonObject() implements ResponseFormat {}

  /** JSON matching a schema, given as JSON text. */
  record JsonSchema(String name, String schemaJson, boolean strict) implements ResponseFormat {}

  ResponseFormat TEXT = new Text();
}
