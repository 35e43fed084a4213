package dev.tollgate.server;

import io.vertx.core.http.HttpServerRequest;

/** Finds the presented API key: {@code Authorization: Bearer <key>} or {@code x-api-key: <key>}. */
public final class Credentials {
  private Credentials() {}

  public static String presented(HttpServerRequest request) {
    String authorization = request.getHeader("Authorization");
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return authorization.substring(7).trim();
    }
    String apiKey = request.getHeader("x-api-key");
    return apiKey == null ? null : apiKey.trim();
  }
}
