package dev.tollgate.access.oidc;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/**
 * Where a browser may be sent after signing in: only a path on this site. Anything a browser could read
 * as another origin is refused, which closes the open redirect ({@code https://evil}, {@code //evil},
 * {@code /\evil}, {@code javascript:}, encoded or control characters that browsers strip).
 */
public final class ReturnPath {
  public static final String DEFAULT = "/";
  private static final int MAX_LENGTH = 1024;

  private ReturnPath() {}

  /** The path to use: {@link #DEFAULT} when none was given, empty when the given one is unsafe. */
  public static Optional<String> check(String returnTo) {
    if (returnTo == null || returnTo.isEmpty()) {
      return Optional.of(DEFAULT);
    }
    if (returnTo.length() > MAX_LENGTH || !returnTo.startsWith("/") || returnTo.startsWith("//")
        || returnTo.indexOf('\\') >= 0) {
      return Optional.empty();
    }
    for (int i = 0; i < returnTo.length(); i++) {
      char c = returnTo.charAt(i);
      // Browsers drop tabs and newlines inside URLs, so "/\t/evil" would become "//evil".
      if (c <= 0x20 || c == 0x7f || Character.isWhitespace(c) || Character.isISOControl(c)) {
        return Optional.empty();
      }
    }
    try {
      URI uri = new URI(returnTo);
      if (uri.getScheme() != null || uri.getRawAuthority() != null || uri.getRawPath() == null
          || !uri.getRawPath().startsWith("/")) {
        return Optional.empty();
      }
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
    return Optional.of(returnTo);
  }
}
