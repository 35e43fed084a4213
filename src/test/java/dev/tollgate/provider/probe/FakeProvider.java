package dev.tollgate.provider.probe;

import dev.tollgate.config.CloudSettings;
import dev.tollgate.config.MockSettings;
import dev.tollgate.config.ProviderConfig;
import dev.tollgate.config.ProviderType;
import dev.tollgate.config.Secret;
import dev.tollgate.config.Timeouts;
import dev.tollgate.config.UpstreamAddress;
import dev.tollgate.provider.ProviderHttpRequest;
import dev.tollgate.provider.bedrock.AwsCredentials;
import dev.tollgate.provider.bedrock.SigV4Authorizer;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One provider of each type on loopback that checks credentials the way the real one does (Bedrock:
 * it recomputes the SigV4 signature) and answers with the documented shapes: the model list, or the
 * provider's own authentication error. {@link Mode} makes it slow or answer garbage instead.
 */
public final class FakeProvider implements AutoCloseable {
  public static final String KEY = "sk-good-0123456789abcdef";
  public static final String WRONG_KEY = "sk-wrong-fedcba9876543210";
  public static final String AWS_ID = "AKIDEXAMPLEGOOD00001";
  public static final String AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  public static final String AWS_WRONG_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYWRONGXKEY";
  public static final String AWS_TOKEN = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN";
  public static final String REGION = "us-east-1";
  public static final String AZURE_VERSION = "2024-10-21";
  /** The time both the probe and the fake sign with. */
  public static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T02:00:00Z"), ZoneOffset.UTC);

  /** How to answer. */
  public enum Mode { NORMAL, SLOW, GARBAGE }

  /** A request as the fake saw it. */
  public record Received(String method, String uri, MultiMap headers, Buffer body) {}

  private final Vertx vertx = Vertx.vertx();
  private final ProviderType type;
  private final HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private volatile Mode mode = Mode.NORMAL;

  public FakeProvider(ProviderType type) {
    this.type = type;
    this.server = vertx.createHttpServer().requestHandler(this::handle);
    server.listen(0, "127.0.0.1").await();
  }

  public FakeProvider mode(Mode mode) {
    this.mode = mode;
    return this;
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort() + (type == ProviderType.OPENAI ? "/v1" : "");
  }

  /** A provider config pointing here, with the good credentials. */
  ProviderConfig config(String name) {
    return config(name, type, baseUrl(), false);
  }

  /** A provider config pointing here, with credentials this fake refuses. */
  ProviderConfig wrongKeyConfig(String name) {
    return config(name, type, baseUrl(), true);
  }

  static ProviderConfig config(String name, ProviderType type, String baseUrl, boolean wrong) {
    CloudSettings cloud = type == ProviderType.BEDROCK
        ? new CloudSettings(REGION, Optional.of(AWS_ID), Optional.of(new Secret(wrong ? AWS_WRONG_SECRET : AWS_SECRET)),
            Optional.of(new Secret(AWS_TOKEN)), 4096)
        : CloudSettings.NONE;
    Optional<Secret> key = type == ProviderType.BEDROCK || type == ProviderType.MOCK ? Optional.empty()
        : Optional.of(new Secret(wrong ? WRONG_KEY : KEY));
    return new ProviderConfig(name, type, URI.create(baseUrl), key, type == ProviderType.AZURE ? AZURE_VERSION : null,
        Map.of(), true, Timeouts.DEFAULTS, 4, MockSettings.DEFAULTS, cloud);
  }

  private void handle(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      received.add(new Received(request.method().name(), request.uri(),
          MultiMap.caseInsensitiveMultiMap().addAll(request.headers()), body));
      HttpServerResponse response = request.response();
      switch (mode) {
        case SLOW -> vertx.setTimer(5_000, id -> {
          if (!response.closed()) {
            answer(request, body, response);
          }
        });
        case GARBAGE -> response.setStatusCode(200).putHeader("content-type", "text/html")
            .end("<html><body>Welcome to the hotel Wi-Fi</body></html>");
        case NORMAL -> answer(request, body, response);
      }
    });
  }

  private void answer(HttpServerRequest request, Buffer body, HttpServerResponse response) {
    MultiMap h = request.headers();
    switch (type) {
      case OPENAI -> {
        if (!request.uri().equals("/v1/models")) {
          notFound(response);
        } else if (!("Bearer " + KEY).equals(h.get("authorization"))) {
          // Real OpenAI masks the middle of the key; a proxy in front of it may echo the whole thing.
          json(response, 401, """
              {"error": {"message": "Incorrect API key provided: %s. You can find your API key at \
              https://platform.openai.com/account/api-keys.", "type": "invalid_request_error", "param": null, \
              "code": "invalid_api_key"}}""".formatted(bearer(h.get("authorization"))));
        } else {
          json(response, 200, """
              {"object": "list", "data": [
                {"id": "gpt-4o-mini", "object": "model", "created": 1721172741, "owned_by": "system"},
                {"id": "text-embedding-3-small", "object": "model", "created": 1705948997, "owned_by": "system"}]}""");
        }
      }
      case AZURE -> {
        if (!request.uri().equals("/openai/models?api-version=" + AZURE_VERSION)) {
          notFound(response);
        } else if (!KEY.equals(h.get("api-key"))) {
          json(response, 401, """
              {"error": {"code": "401", "message": "Access denied due to invalid subscription key or wrong API \
              endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API \
              endpoint for your resource."}}""");
        } else {
          json(response, 200, """
              {"data": [{"status": "succeeded", "model": "gpt-4o", "capabilities": {"chat_completion": true,
                "completion": false, "embeddings": false, "fine_tune": false, "inference": true},
                "lifecycle_status": "generally-available", "id": "gpt-4o-2024-08-06", "created_at": 1723075200,
                "object": "model"}], "object": "list"}""");
        }
      }
      case ANTHROPIC -> {
        if (!request.uri().equals("/v1/models?limit=1") || !"2023-06-01".equals(h.get("anthropic-version"))) {
          notFound(response);
        } else if (!KEY.equals(h.get("x-api-key"))) {
          json(response, 401, """
              {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}, \
              "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy"}""");
        } else {
          json(response, 200, """
              {"data": [{"type": "model", "id": "claude-sonnet-4-20250514", "display_name": "Claude Sonnet 4",
                "created_at": "2025-05-22T00:00:00Z"}], "has_more": true,
               "first_id": "claude-sonnet-4-20250514", "last_id": "claude-sonnet-4-20250514"}""");
        }
      }
      case GEMINI -> {
        if (!request.uri().equals("/v1beta/models?pageSize=1")) {
          notFound(response);
        } else if (!KEY.equals(h.get("x-goog-api-key"))) {
          json(response, 400, """
              {"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.",
                "status": "INVALID_ARGUMENT", "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID", "domain": "googleapis.com",
                "metadata": {"service": "generativelanguage.googleapis.com"}}]}}""");
        } else {
          json(response, 200, """
              {"models": [{"name": "models/gemini-2.0-flash", "version": "2.0", "displayName": "Gemini 2.0 Flash",
                "inputTokenLimit": 1048576, "outputTokenLimit": 8192,
                "supportedGenerationMethods": ["generateContent", "countTokens"]}],
               "nextPageToken": "Chltb2RlbHMvZ2VtaW5pLTIuMC1mbGFzaA=="}""");
        }
      }
      case BEDROCK -> bedrock(request, body, response);
      case MOCK -> throw new IllegalStateException("the mock is never called over HTTP");
    }
  }

  private void bedrock(HttpServerRequest request, Buffer body, HttpServerResponse response) {
    MultiMap h = request.headers();
    String authorization = h.get("authorization");
    if (!request.method().name().equals("POST") || !request.uri().startsWith("/model/")) {
      notFound(response);
    } else if (authorization == null || !authorization.startsWith("AWS4-HMAC-SHA256 Credential=" + AWS_ID + "/")) {
      awsError(response, 403, "UnrecognizedClientException", "The security token included in the request is invalid.");
    } else if (!authorization.equals(expectedSignature(request, body))) {
      // AWS quotes its canonical request; this fake quotes the refused header, to test scrubbing.
      awsError(response, 403, "InvalidSignatureException", "The request signature we calculated does not match "
          + "the signature you provided. Got: " + authorization);
    } else if (!request.uri().equals("/model/" + ProbeRequests.BEDROCK_PROBE_MODEL + "/converse")) {
      awsError(response, 400, "ValidationException", "unexpected path " + request.uri());
    } else {
      awsError(response, 400, "ValidationException", "The provided model identifier is invalid.");
    }
  }

  /** What the Authorization header must be for this request signed with the good credentials. */
  private String expectedSignature(HttpServerRequest request, Buffer body) {
    SigV4Authorizer signer = new SigV4Authorizer("fake", new AwsCredentials(AWS_ID, new Secret(AWS_SECRET),
        new Secret(AWS_TOKEN)), REGION, UpstreamAddress.of(URI.create(baseUrl())).orElseThrow(), CLOCK);
    return signer.authorize("127.0.0.1", new ProviderHttpRequest(request.method().name(), request.uri(), Map.of(),
        body)).result().get("Authorization");
  }

  private static String bearer(String header) {
    return header == null ? "" : header.substring(header.indexOf(' ') + 1);
  }

  private static void notFound(HttpServerResponse response) {
    json(response, 404, "{\"error\": {\"message\": \"not found\", \"type\": \"invalid_request_error\"}}");
  }

  private static void awsError(HttpServerResponse response, int status, String type, String message) {
    response.putHeader("x-amzn-ErrorType", type + ":http://internal.amazon.com/coral/com.amazon.coral.service/");
    response.putHeader("x-amzn-RequestId", "6f1c5c1e-9a2e-4d3b-8f55-1b2c3d4e5f60");
    json(response, status, "{\"message\": " + com.fasterxml.jackson.databind.node.TextNode.valueOf(message) + "}");
  }

  private static void json(HttpServerResponse response, int status, String body) {
    response.setStatusCode(status).putHeader("content-type", "application/json").end(body);
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
