package dev.tollgate.provider.vertex;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Google's token endpoint as the tests need it: checks each JWT-bearer grant the way Google does
 * (form encoding, grant type, RS256 signature by the account's public key) and records what it saw;
 * answers as scripted, after {@link #hold} completes when a test wants callers to pile up.
 */
final class FakeTokenServer implements AutoCloseable {

  /** One token request as received. {@code signatureValid} is checked against the test key's public half. */
  record Grant(String contentType, Map<String, String> form, JsonNode header, JsonNode claims, boolean signatureValid,
      String assertion) {}

  /** What to answer. */
  record Answer(int status, String body) {
    static Answer token(String token, long expiresIn) {
      return new Answer(200, "{\"access_token\":\"" + token + "\",\"expires_in\":" + expiresIn
          + ",\"token_type\":\"Bearer\"}");
    }
  }

  final List<Grant> grants = new CopyOnWriteArrayList<>();
  final AtomicInteger requests = new AtomicInteger();
  /** Answer to the n-th request (1-based); by default a fresh two-minute token {@code ya29.token-n}. */
  volatile IntFunction<Answer> script = n -> Answer.token("ya29.token-" + n, 120);
  volatile Future<Void> hold = Future.succeededFuture();

  private final ObjectMapper json;
  private final PublicKey publicKey;
  private final HttpServer server;

  private FakeTokenServer(Vertx vertx, ObjectMapper json, PublicKey publicKey) throws Exception {
    this.json = json;
    this.publicKey = publicKey;
    this.server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static FakeTokenServer start(Vertx vertx, ObjectMapper json, PublicKey publicKey) throws Exception {
    return new FakeTokenServer(vertx, json, publicKey);
  }

  URI tokenUri() {
    return URI.create("http://127.0.0.1:" + server.actualPort() + "/token");
  }

  /** Holds every answer until the returned promise completes. */
  Promise<Void> holdAnswers() {
    Promise<Void> release = Promise.promise();
    hold = release.future();
    return release;
  }

  private void handle(HttpServerRequest request) {
    int n = requests.incrementAndGet();
    request.body().onSuccess(body -> {
      grants.add(grant(request.getHeader("content-type"), body.toString(StandardCharsets.UTF_8)));
      hold.onComplete(v -> {
        Answer answer = script.apply(n);
        request.response().setStatusCode(answer.status()).putHeader("content-type", "application/json")
            .end(answer.body());
      });
    });
  }

  private Grant grant(String contentType, String body) {
    Map<String, String> form = new HashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    String assertion = form.getOrDefault("assertion", "");
    String[] parts = assertion.split("\\.", -1);
    if (parts.length != 3) {
      return new Grant(contentType, form, null, null, false, assertion);
    }
    try {
      Base64.Decoder b64 = Base64.getUrlDecoder();
      JsonNode header = json.readTree(b64.decode(parts[0]));
      JsonNode claims = json.readTree(b64.decode(parts[1]));
      Signature rs256 = Signature.getInstance("SHA256withRSA");
      rs256.initVerify(publicKey);
      rs256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      boolean valid = rs256.verify(b64.decode(parts[2]));
      boolean unpadded = !assertion.contains("=");
      return new Grant(contentType, form, header, claims, valid && unpadded, assertion);
    } catch (GeneralSecurityException | java.io.IOException | IllegalArgumentException e) {
      return new Grant(contentType, form, null, null, false, assertion);
    }
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
