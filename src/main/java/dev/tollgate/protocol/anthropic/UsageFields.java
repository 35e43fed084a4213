package dev.tollgate.protocol.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocol.canonical.Usage;

/**
 * Anthropic's usage object and canonical {@link Usage}. Anthropic's {@code input_tokens} excludes
 * cached tokens, which it reports beside it; canonical input includes them.
 */
final class UsageFields {
  private UsageFields() {}

  static void write(Usage usage, ObjectNode target) {
    Usage u = usage == null ? Usage.NONE : usage;
    target.put("input_tokens", Math.max(0, u.input() - u.cacheRead() - u.cacheWrite()));
    target.put("cache_creation_input_tokens", u.cacheWrite());
    target.put("cache_read_input_tokens", u.cacheRead());
    target.put("output_tokens", u.output());
  }

  /** Counts read so far from a stream's usage objects; later reports replace earlier ones field by field. */
  record Counts(long input, long cacheWrite, long cacheRead, long output) {
    static final Counts NONE = new Counts(0, 0, 0, 0);

    Counts update(JsonNode usage) {
      if (usage == null || !usage.isObject()) {
        return this;
      }
      return new Counts(
          pick(usage, "input_tokens", input),
          pick(usage, "cache_creation_input_tokens", cacheWrite),
          pick(usage, "cache_read_input_tokens", cacheRead),
          pick(usage, "output_tokens", output));
    }

    Usage toUsage() {
      return new Usage(input + cacheWrite + cacheRead, output, cacheRead, cacheWrite, 0);
    }

    private static long pick(JsonNode usage, String field, long previous) {
      JsonNode v = usage.get(field);
      return v != null && v.isIntegralNumber() ? Math.max(0, v.longValue()) : previous;
    }
  }
}
