package dev.tollgate.provider.gemini;

import dev.tollgate.protocol.canonical.Usage;
import dev.tollgate.provider.ErrorClass;
import dev.tollgate.provider.ProviderError;
import dev.tollgate.provider.ProviderRefusalException;
import java.util.Objects;

/**
 * Gemini answered 200 but refused the prompt itself ({@code promptFeedback.blockReason}, no
 * candidates). Not an answer and not malformed bytes: a content-filter refusal, carried as a
 * {@link ProviderError} of class {@link ErrorClass#CONTENT_FILTERED} so the router can treat it like
 * any other upstream error (fall back, or answer the caller with a content-filter error). The prompt
 * tokens were still counted by Google, so the usage comes along for billing.
 */
public final class GeminiBlockedException extends ProviderRefusalException {

  /** {@code error} has Gemini's block reason (SAFETY, PROHIBITED_CONTENT, ...) as its type. */
  public GeminiBlockedException(ProviderError error, Usage usage) {
    super(checked(error), Objects.requireNonNull(usage, "usage"));
  }

  private static ProviderError checked(ProviderError error) {
    if (error.errorClass() != ErrorClass.CONTENT_FILTERED) {
      throw new IllegalArgumentException("a blocked prompt is a content-filter error: " + error.errorClass());
    }
    return error;
  }

  /** The refusal for {@code blockReason}, optionally explained by {@code blockReasonMessage}. */
  static GeminiBlockedException of(String blockReason, String detail, Usage usage) {
    String message = "Gemini blocked the prompt (" + blockReason + ")" + (detail == null ? "" : ": " + detail);
    return new GeminiBlockedException(
        new ProviderError(200, ErrorClass.CONTENT_FILTERED, blockReason, message, -1), usage);
  }
}
