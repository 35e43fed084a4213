package dev.tollgate.protocol.canonical;

/**
 * A request cannot be expressed in the target format, or a message of some format is malformed.
 * Becomes a 400 naming {@link #field()} (a JSON path such as {@code messages[2].content[0].type}).
 */
public final class TranslationException extends RuntimeException {
  private final String field;

  public TranslationException(String field, String message) {
    super(message, null, false, false);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
