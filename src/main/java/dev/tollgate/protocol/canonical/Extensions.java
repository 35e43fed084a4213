package dev.tollgate.protocol.canonical;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Fields of the caller's wire format with no canonical meaning, kept as JSON text by field name,
 * together with the format they belong to. The same name means different things in different
 * formats ({@code service_tier} takes {@code flex} in OpenAI's and {@code standard_only} in
 * Anthropic's), so an encoder sends on only the fields of its own format, maps the few of another
 * format it has an exact counterpart for, drops the ones that concern only the caller's own
 * platform ({@link #platformOnly}), and refuses the rest by name.
 *
 * @param dialect the format the fields were read from
 * @param fields field name to its JSON text
 */
public record Extensions(Dialect dialect, Map<String, String> fields) {

  /** The wire formats callers speak. */
  public enum Dialect {
    /** OpenAI chat completions (and the Responses API, whose fields are kept under their chat names). */
    OPENAI("an OpenAI"),
    /** Anthropic Messages. */
    ANTHROPIC("an Anthropic");

    private final String article;

    Dialect(String article) {
      this.article = article;
    }

    /** "an OpenAI", for error messages. */
    public String described() {
      return article;
    }
  }

  /** No extensions. */
  public static final Extensions NONE = new Extensions(Dialect.OPENAI, Map.of());

  /**
   * Fields about the caller's own platform (stored completions, dashboard metadata, cache routing
   * hints, abuse identifiers, capacity tiers): no other provider has a use for them, and dropping
   * them changes nothing about the answer.
   */
  private static final Map<Dialect, Set<String>> PLATFORM_ONLY = Map.of(
      Dialect.OPENAI, Set.of("store", "metadata", "service_tier", "prompt_cache_key", "safety_identifier"),
      Dialect.ANTHROPIC, Set.of("service_tier"));

  public Extensions {
    fields = Map.copyOf(fields);
  }

  /** OpenAI chat-completions fields. */
  public static Extensions openAi(Map<String, String> fields) {
    return new Extensions(Dialect.OPENAI, fields);
  }

  /** Anthropic Messages fields. */
  public static Extensions anthropic(Map<String, String> fields) {
    return new Extensions(Dialect.ANTHROPIC, fields);
  }

  public boolean isEmpty() {
    return fields.isEmpty();
  }

  /** Whether these fields were read from {@code format}. */
  public boolean from(Dialect format) {
    return dialect == format;
  }

  /** The fields sorted by name, so a request with several unsupported ones always names the same one. */
  public Map<String, String> sorted() {
    return new TreeMap<>(fields);
  }

  /** Whether {@code field} only concerns the caller's own platform and may be dropped for another provider. */
  public boolean platformOnly(String field) {
    return PLATFORM_ONLY.get(dialect).contains(field);
  }

  /** The refusal for a field with no counterpart at {@code target}. */
  public TranslationException unsupported(String field, String target) {
    return new TranslationException(field, "'" + field + "' is " + dialect.described() + " field with no"
        + " equivalent in " + target);
  }
}
