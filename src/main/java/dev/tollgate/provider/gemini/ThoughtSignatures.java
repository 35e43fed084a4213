package dev.tollgate.provider.gemini;

/**
 * How Gemini's {@code thoughtSignature}s travel through the canonical model, which has a signature
 * only on {@code Part.Reasoning}. A signed Gemini part becomes a {@code Reasoning} with empty text
 * and the signature, placed just before the part it signed; encoding puts it back on the next part.
 *
 * <p>Signatures are tagged with {@link #PREFIX}: a Gemini signature means nothing to Anthropic and
 * an Anthropic one fails Gemini's validation, and both are opaque base64. The tag lets this codec
 * send back only its own signatures when a conversation moves between providers.
 */
final class ThoughtSignatures {
  static final String PREFIX = "gemini:";

  /**
   * Google's documented value for a function call Gemini did not sign itself (history written by
   * another model or rebuilt by a client that could not keep the signature); Gemini 3 rejects the
   * current turn's function calls without a signature.
   */
  static final String SKIP_VALIDATOR = "skip_thought_signature_validator";

  private ThoughtSignatures() {}

  static String toCanonical(String geminiSignature) {
    return PREFIX + geminiSignature;
  }

  /** Gemini's signature inside a canonical one, or null when it is absent or another provider's. */
  static String fromCanonical(String canonical) {
    if (canonical == null || !canonical.startsWith(PREFIX) || canonical.length() == PREFIX.length()) {
      return null;
    }
    return canonical.substring(PREFIX.length());
  }
}
