package dev.tollgate.access.jwt;

/** A JSON Web Key Set could not be fetched and no earlier copy is cached. */
public final class KeysUnavailableException extends RuntimeException {
  public KeysUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
