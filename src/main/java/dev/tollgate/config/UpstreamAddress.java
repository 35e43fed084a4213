package dev.tollgate.config;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * Where an upstream base URL points: host, port, TLS and path prefix.
 *
 * <p>Read from the URI's authority when {@link URI#getHost()} gives up: Java follows RFC 2396, which
 * rejects underscores in host names, yet Docker Compose and Kubernetes service names such as
 * {@code local_vllm} carry them and resolve fine.
 */
public record UpstreamAddress(boolean tls, String host, int port, String basePath) {

  /** The address of an http(s) URL with a host, or empty when the URL is not one. */
  public static Optional<UpstreamAddress> of(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return Optional.empty();
    }
    boolean tls = scheme.equals("https");
    String host = uri.getHost();
    int port = uri.getPort();
    if (host == null) {
      String authority = uri.getRawAuthority();
      if (authority == null || authority.contains("@") || authority.startsWith("[")) {
        return Optional.empty();
      }
      int colon = authority.lastIndexOf(':');
      host = colon < 0 ? authority : authority.substring(0, colon);
      if (colon >= 0) {
        try {
          port = Integer.parseInt(authority.substring(colon + 1));
        } catch (NumberFormatException e) {
          return Optional.empty();
        }
        if (port < 1 || port > 65_535) {
          return Optional.empty();
        }
      }
      if (!host.matches("[A-Za-z0-9_.-]+")) {
        return Optional.empty();
      }
    }
    if (host.isEmpty()) {
      return Optional.empty();
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    path = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return Optional.of(new UpstreamAddress(tls, host, port > 0 ? port : (tls ? 443 : 80), path));
  }
}
