package dev.tollgate.access.jwt;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** An issuer's key endpoint on 127.0.0.1 whose published keys the test changes (rotation, outage). */
public final class JwksServer implements AutoCloseable {
  private final HttpServer server;
  private final AtomicReference<String> body = new AtomicReference<>("{\"keys\":[]}");
  private final AtomicInteger status = new AtomicInteger(200);
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicReference<CountDownLatch> hold = new AtomicReference<>(new CountDownLatch(0));

  public JwksServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/jwks", exchange -> {
      requests.incrementAndGet();
      try {
        hold.get().await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(status.get(), bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    });
    server.start();
  }

  /** Publishes the public parts of these keys, replacing what was there. */
  public void publish(JWK... keys) {
    body.set(new JWKSet(List.of(keys)).toPublicJWKSet().toString());
    status.set(200);
  }

  /** Answers nothing until {@code release} counts down. */
  public void holdResponsesUntil(CountDownLatch release) {
    hold.set(release);
  }

  public void failWith(int httpStatus) {
    status.set(httpStatus);
  }

  public int requests() {
    return requests.get();
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks");
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
