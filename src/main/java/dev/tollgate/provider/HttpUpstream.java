package dev.tollgate.provider;

import dev.tollgate.config.ProviderConfig;
import dev.tollgate.config.UpstreamAddress;
import dev.tollgate.config.ProviderType;
import dev.tollgate.config.Secret;
import dev.tollgate.provider.UpstreamException.Kind;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An OpenAI-compatible provider over HTTP: OpenAI itself, Groq, Mistral, Together, vLLM, Ollama ...
 * ({@code openai}) or Azure OpenAI ({@code azure}: deployment URLs, {@code api-version},
 * {@code api-key} header). Owns a connection pool bound to the event loop that created it, so a
 * proxied call never changes threads.
 */
public final class HttpUpstream implements Upstream {
  private final ProviderConfig config;
  private final HttpClient client;
  private final String host;
  private final int port;
  private final boolean ssl;
  private final String basePath;
  private final Map<String, String> authHeaders;

  public HttpUpstream(Vertx vertx, ProviderConfig config) {
    this.config = config;
    UpstreamAddress address = UpstreamAddress.of(config.baseUrl())
        .orElseThrow(() -> new IllegalArgumentException("not an http(s) URL: " + config.baseUrl()));
    this.ssl = address.tls();
    this.host = address.host();
    this.port = address.port();
    this.basePath = address.basePath();
    this.authHeaders = authHeaders(config);
    HttpClientOptions options = new HttpClientOptions()
        .setConnectTimeout((int) config.timeouts().connect().toMillis())
        .setKeepAlive(true)
        .setTcpNoDelay(true)
        .setSsl(ssl)
        .setVerifyHost(true)
        .setDecompressionSupported(false)
        .setName("upstream-" + config.name());
    this.client = vertx.httpClientBuilder()
        .with(options)
        .with(new PoolOptions().setHttp1MaxSize(config.maxConnections()))
        .build();
  }

  private static Map<String, String> authHeaders(ProviderConfig config) {
    if (config.apiKey().isEmpty()) {
      return Map.of();
    }
    Secret key = config.apiKey().get();
    return config.type() == ProviderType.AZURE
        ? Map.of("api-key", key.value())
        : Map.of("Authorization", "Bearer " + key.value());
  }

  @Override
  public String providerName() {
    return config.name();
  }

  /** The path of a pass-through request under the base URL. */
  String uri(UpstreamRequest request) {
    if (config.type() == ProviderType.AZURE) {
      // A path segment: percent-encoded, spaces as %20 (URLEncoder's '+' is a literal plus in a path).
      return "/openai/deployments/" + URLEncoder.encode(request.upstreamModel(), StandardCharsets.UTF_8)
          .replace("+", "%20")
          + request.endpoint().path() + "?api-version="
          + URLEncoder.encode(config.apiVersion(), StandardCharsets.UTF_8);
    }
    return request.endpoint().path();
  }

  @Override
  public UpstreamCall open(UpstreamRequest request) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("content-type", "application/json");
    headers.put("accept", request.stream() ? "text/event-stream" : "application/json");
    headers.putAll(authHeaders);
    return exchange(HttpMethod.POST, uri(request), headers, request.body(), request.requestId());
  }

  /** A Responses API call ({@code POST /responses}) passed through with this provider's credentials. */
  public UpstreamCall openResponses(Buffer body, boolean stream, String requestId) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("content-type", "application/json");
    headers.put("accept", stream ? "text/event-stream" : "application/json");
    headers.putAll(authHeaders);
    return exchange(HttpMethod.POST, "/responses", headers, body, requestId);
  }

  /**
   * Sends a request of any shape to this provider: {@code pathAndQuery} goes after the base URL's
   * path; {@code headers} (protocol and credentials) are sent with the provider's configured extra
   * headers and our request id. Must be invoked on the event loop that owns this instance.
   */
  public UpstreamCall exchange(HttpMethod method, String pathAndQuery, Map<String, String> headers, Buffer body,
      String requestId) {
    RequestOptions options = new RequestOptions()
        .setMethod(method)
        .setHost(host)
        .setPort(port)
        .setSsl(ssl)
        .setURI(basePath + pathAndQuery);
    Call call = new Call();
    client.request(options).onComplete(ar -> {
      if (ar.failed()) {
        call.promise.tryFail(new UpstreamException(Kind.UNREACHABLE, config.name(),
            "cannot connect: " + ar.cause().getMessage(), ar.cause()));
        return;
      }
      HttpClientRequest req = ar.result();
      // Failures after the response arrived (or our own reset when the client left) reach the response's
      // reader; without a handler here Vert.x would also log each one as an unhandled error.
      req.exceptionHandler(e -> call.promise.tryFail(new UpstreamException(Kind.PROTOCOL, config.name(),
          "connection failed: " + e.getMessage(), e)));
      if (call.aborted) {
        req.reset();
        return;
      }
      call.request = req;
      call.reached = true;
      MultiMap out = req.headers();
      out.set("x-request-id", requestId);
      config.headers().forEach(out::set);
      headers.forEach(out::set);
      req.send(body).onComplete(sent -> {
        if (sent.succeeded()) {
          var resp = sent.result();
          call.promise.tryComplete(new UpstreamResponse(resp.statusCode(), resp.headers(), resp));
        } else {
          call.promise.tryFail(new UpstreamException(Kind.PROTOCOL, config.name(),
              "connection failed before the response: " + sent.cause().getMessage(), sent.cause()));
        }
      });
    });
    return call;
  }

  /** The base URL's host, for request signing. */
  public String host() {
    return host;
  }

  @Override
  public void close() {
    client.close();
  }

  /** State of one call; confined to the event loop. */
  private final class Call implements UpstreamCall {
    final Promise<UpstreamResponse> promise = Promise.promise();
    HttpClientRequest request;
    boolean aborted;
    boolean reached;

    @Override
    public Future<UpstreamResponse> response() {
      return promise.future();
    }

    @Override
    public void abort() {
      if (aborted) {
        return;
      }
      aborted = true;
      if (request != null) {
        request.reset();
      }
      promise.tryFail(new UpstreamException(Kind.CANCELLED, config.name(), "cancelled by the gateway", null));
    }

    @Override
    public boolean reached() {
      return reached;
    }
  }
}
