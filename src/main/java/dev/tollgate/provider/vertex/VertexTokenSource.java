package dev.tollgate.provider.vertex;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.config.Secret;
import dev.tollgate.config.UpstreamAddress;
import dev.tollgate.provider.UpstreamException;
import dev.tollgate.provider.UpstreamException.Kind;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * OAuth2 access tokens for a Google service account, by the JWT-bearer grant (RFC 7523): a JWT
 * signed RS256 with the account's key is exchanged at the key's {@code token_uri} for a bearer
 * token with the {@code cloud-platform} scope.
 *
 * <p>Caching: a token is used until 60 s before it expires (counted
 * from when its request was sent, so a slow answer errs early), then the next caller fetches a new
 * one. A failed fetch is not cached: it fails the callers waiting on it, and the next call tries again.
 *
 * <p>Concurrency: one instance serves every event loop of a provider. The state is an immutable
 * {@code Empty | Valid | Fetching} swapped by CAS. A caller that finds no usable token installs
 * {@code Fetching} and only then sends the request, so of callers racing on an expired token exactly
 * one wins the CAS and fetches; the losers re-read the state and wait on the winner's fetch (no
 * thundering herd). Each caller's future completes on the caller's own context, whichever event loop
 * ran the fetch. Fetches run on the context the source was created on, never on the caller's thread:
 * a request started from a thread with no Vert.x context (a test, a startup check) now and then
 * never saw its response body (observed in 2 of 40 runs of the refused-grant test; 0 of 100 since).
 * Signing (about a millisecond for a 2048-bit key) runs there too, once an hour.
 */
public final class VertexTokenSource implements AutoCloseable {
  static final String SCOPE = "https://www.googleapis.com/auth/cloud-platform";
  static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer";
  /** The longest assertion lifetime Google accepts. */
  static final long ASSERTION_SECONDS = 3600;
  static final long REFRESH_MARGIN_SECONDS = 60;
  private static final int MAX_DETAIL_CHARS = 200;
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private final String provider;
  private final ServiceAccountKey key;
  private final ObjectMapper json;
  private final Clock clock;
  private final HttpClient client;
  private final Context home;
  private final RequestOptions request;
  private final AtomicReference<State> state = new AtomicReference<>(new Empty());

  private sealed interface State permits Empty, Valid, Fetching {}

  private record Empty() implements State {}

  private record Valid(Secret token, Instant refreshAt) implements State {}

  private record Fetching(Future<Secret> token) implements State {}

  private record Fetched(Secret token, Instant refreshAt) {}

  /**
   * @param provider the configured provider name, carried by failures
   * @param timeout for connecting to the token endpoint and for each wait on its answer
   */
  public VertexTokenSource(Vertx vertx, String provider, ServiceAccountKey key, ObjectMapper json, Clock clock,
      Duration timeout) {
    this.provider = Objects.requireNonNull(provider, "provider");
    this.key = Objects.requireNonNull(key, "key");
    this.json = Objects.requireNonNull(json, "json");
    this.clock = Objects.requireNonNull(clock, "clock");
    UpstreamAddress address = UpstreamAddress.of(key.tokenUri())
        .orElseThrow(() -> new IllegalArgumentException("not an http(s) URL: " + key.tokenUri()));
    String query = key.tokenUri().getRawQuery();
    String path = address.basePath().isEmpty() ? "/" : address.basePath();
    this.request = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setHost(address.host())
        .setPort(address.port())
        .setSsl(address.tls())
        .setURI(query == null ? path : path + "?" + query)
        .setIdleTimeout(timeout.toMillis())
        .putHeader("content-type", "application/x-www-form-urlencoded")
        .putHeader("accept", "application/json");
    this.home = vertx.getOrCreateContext();
    this.client = vertx.httpClientBuilder()
        .with(new HttpClientOptions()
            .setConnectTimeout((int) timeout.toMillis())
            .setSsl(address.tls())
            .setVerifyHost(true)
            .setName("vertex-token-" + provider))
        .with(new PoolOptions().setHttp1MaxSize(2))
        .build();
  }

  /**
   * A bearer token valid for at least the refresh margin; completes on the caller's context. Fails
   * with {@link UpstreamException} (kind UNREACHABLE) when the token endpoint cannot be reached or
   * refuses the assertion; the message names the endpoint and its error, never the key or a token.
   */
  public Future<Secret> token() {
    Context caller = Vertx.currentContext();
    Future<Secret> shared = shared();
    if (shared.isComplete() || caller == null) {
      return shared;
    }
    Promise<Secret> mine = Promise.promise();
    shared.onComplete(ar -> {
      if (Vertx.currentContext() == caller) {
        mine.handle(ar);
      } else {
        caller.runOnContext(v -> mine.handle(ar));
      }
    });
    return mine.future();
  }

  private Future<Secret> shared() {
    while (true) {
      State current = state.get();
      Future<Secret> token = switch (current) {
        case Valid v when clock.instant().isBefore(v.refreshAt()) -> Future.succeededFuture(v.token());
        case Fetching f -> f.token();
        case Valid _, Empty _ -> startFetch(current);
      };
      if (token != null) {
        return token;
      }
      // Another caller swapped the state between our read and our CAS (it began a fetch, or one
      // just ended): read again and join whatever is there now.
    }
  }

  /** Installs a fetch in place of {@code seen} and starts it; null when another caller got there first. */
  private Future<Secret> startFetch(State seen) {
    Promise<Secret> promise = Promise.promise();
    Fetching fetching = new Fetching(promise.future());
    if (!state.compareAndSet(seen, fetching)) {
      return null;
    }
    // The request goes out only after the CAS: a side effect inside a retried update would send twice.
    home.runOnContext(v -> {
      Future<Fetched> fetched;
      try {
        fetched = fetch();
      } catch (RuntimeException e) {
        // Were this to escape, the state would stay Fetching and every later caller would wait forever.
        fetched = Future.failedFuture(failure("the token request could not be made: " + describe(e), e));
      }
      fetched.onComplete(ar -> {
        // Settle the state before waking the waiters, so a waiter that asks again finds the token.
        state.compareAndSet(fetching, ar.succeeded() ? new Valid(ar.result().token(), ar.result().refreshAt())
            : new Empty());
        promise.handle(ar.map(Fetched::token));
      });
    });
    return promise.future();
  }

  private Future<Fetched> fetch() {
    Instant issued = clock.instant();
    String form;
    try {
      form = "grant_type=" + URLEncoder.encode(GRANT_TYPE, StandardCharsets.UTF_8)
          + "&assertion=" + URLEncoder.encode(assertion(issued), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      return Future.failedFuture(failure("the service-account key cannot sign (" + e.getClass().getSimpleName()
          + ")", null));
    }
    return client.request(request)
        .compose(req -> req.send(Buffer.buffer(form)))
        .compose(resp -> resp.body().map(body -> answer(resp.statusCode(), body, issued)))
        .recover(e -> Future.failedFuture(e instanceof UpstreamException u ? u
            : failure("token request to " + key.tokenUri() + " failed: " + describe(e), e)));
  }

  /** The signed assertion: RS256, {@code kid} naming the key, the claims Google documents for the grant. */
  String assertion(Instant issued) throws GeneralSecurityException {
    ObjectNode header = json.createObjectNode()
        .put("alg", "RS256")
        .put("typ", "JWT")
        .put("kid", key.privateKeyId());
    long iat = issued.getEpochSecond();
    ObjectNode claims = json.createObjectNode()
        .put("iss", key.clientEmail())
        .put("scope", SCOPE)
        .put("aud", key.tokenUri().toString())
        .put("iat", iat)
        .put("exp", iat + ASSERTION_SECONDS);
    String signingInput = BASE64URL.encodeToString(bytes(header)) + "." + BASE64URL.encodeToString(bytes(claims));
    Signature rs256 = Signature.getInstance("SHA256withRSA");
    rs256.initSign(key.privateKey());
    rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
    return signingInput + "." + BASE64URL.encodeToString(rs256.sign());
  }

  private Fetched answer(int status, Buffer body, Instant issued) {
    JsonNode root;
    try {
      root = json.readTree(body.getBytes());
    } catch (IOException e) {
      // Not JSON (a proxy's HTML page): the status decides, with no OAuth error to quote.
      root = null;
    }
    if (status != 200) {
      throw failure("token endpoint " + key.tokenUri() + " answered HTTP " + status + oauthError(root), null);
    }
    if (root == null || !root.path("access_token").isTextual() || root.get("access_token").textValue().isEmpty()) {
      throw failure("token endpoint " + key.tokenUri() + " answered without an access_token", null);
    }
    JsonNode expiresIn = root.get("expires_in");
    if (expiresIn == null || !expiresIn.canConvertToLong() || expiresIn.asLong() <= 0) {
      throw failure("token endpoint " + key.tokenUri() + " answered without a positive expires_in", null);
    }
    JsonNode type = root.get("token_type");
    if (type != null && !type.asText().equalsIgnoreCase("Bearer")) {
      throw failure("token endpoint " + key.tokenUri() + " answered token_type '" + clip(type.asText())
          + "', expected Bearer", null);
    }
    return new Fetched(new Secret(root.get("access_token").textValue()),
        issued.plusSeconds(expiresIn.asLong() - REFRESH_MARGIN_SECONDS));
  }

  /** OAuth's {@code error} and {@code error_description} (RFC 6749 5.2): codes and prose, no secrets. */
  private static String oauthError(JsonNode root) {
    if (root == null || !root.path("error").isTextual()) {
      return "";
    }
    String description = root.path("error_description").isTextual()
        ? ": " + root.get("error_description").textValue() : "";
    return " (" + clip(root.get("error").textValue() + description) + ")";
  }

  private UpstreamException failure(String detail, Throwable cause) {
    return new UpstreamException(Kind.UNREACHABLE, provider, detail, cause);
  }

  private static String describe(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : clip(e.getMessage());
  }

  private static String clip(String text) {
    return text.length() > MAX_DETAIL_CHARS ? text.substring(0, MAX_DETAIL_CHARS) + "..." : text;
  }

  private byte[] bytes(JsonNode node) {
    try {
      return json.writeValueAsBytes(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree could not be written", e);
    }
  }

  /** Closes the connection pool to the token endpoint; waiting callers fail. */
  @Override
  public void close() {
    client.close();
  }

  @Override
  public String toString() {
    return "VertexTokenSource[" + provider + ", " + key.clientEmail() + "]";
  }
}
