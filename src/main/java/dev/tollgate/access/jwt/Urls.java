package dev.tollgate.access.jwt;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;

/** Checks for URLs that identity code fetches from or trusts: https, or plain http on the loopback only. */
public final class Urls {
  private Urls() {}

  /** Null when {@code value} is acceptable, else what is wrong with it. */
  public static String problem(String value) {
    if (value == null || value.isBlank()) {
      return "is required";
    }
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      return "is not a URL: " + value;
    }
    if (uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
      return "must be an absolute URL with a host and no query, fragment or user info: " + value;
    }
    if ("https".equalsIgnoreCase(uri.getScheme())) {
      return null;
    }
    if ("http".equalsIgnoreCase(uri.getScheme()) && isLoopback(uri.getHost())) {
      return null;
    }
    return "must use https (plain http only on 127.0.0.1, [::1] or localhost): " + value;
  }

  static boolean isLoopback(String host) {
    return List.of("127.0.0.1", "localhost", "[::1]", "::1").contains(host.toLowerCase(java.util.Locale.ROOT));
  }
}
