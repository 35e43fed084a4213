package dev.tollgate.provider.probe;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.config.ProviderConfig;
import dev.tollgate.config.ProviderType;
import dev.tollgate.provider.HttpUpstream;
import dev.tollgate.provider.vertex.VertexTokenSource;
import dev.tollgate.provider.vertex.VertexAuthorizer;
import dev.tollgate.provider.RequestAuthorizer;
import dev.tollgate.provider.ProviderHttpRequest;
import dev.tollgate.provider.UpstreamCall;
import dev.tollgate.provider.UpstreamException;
import dev.tollgate.provider.UpstreamResponse;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.streams.ReadStream;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Checks one provider's reachability and credentials with the cheapest call it offers (see
 * {@link ProbeRequests}), on a Vert.x event loop, within a timeout that covers connecting, signing
 * and reading the whole answer. The mock provider is always up. Each probe opens its own connection
 * pool and closes it when done, so it never disturbs the gateway's pooled connections.
 *
 * <p>The returned future always succeeds: every failure is a {@link ProbeResult}. Details pass through
 * a {@link SecretScrubber}, so keys, tokens and signatures never appear in them. Thread-safe: immutable;
 * each probe's state is confined to the event loop it runs on.
 */
public final class ProviderProbe {
  /** Longest answer read; model lists are long, and the probe only needs their shape. */
  private static final int MAX_BODY_BYTES = 256 * 1024;
  private static final String REQUEST_ID = "tollgate-doctor";
  /** A detail is one table cell or one JSON string, not a log. */
  private static final int MAX_DETAIL_CHARS = 300;

  private final ProbeRequests requests;
  private final ProbeAnswers answers;
  private final Duration timeout;
  private final ObjectMapper json;
  private final Clock clock;

  /**
   * @param clock the time SigV4 signatures state
   * @param timeout the whole probe, first connect to last byte
   */
  public ProviderProbe(ObjectMapper json, Clock clock, Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
    }
    this.json = json;
    this.clock = clock;
    this.requests = new ProbeRequests(json, clock);
    this.answers = new ProbeAnswers(json);
    this.timeout = timeout;
  }

  public Duration timeout() {
    return timeout;
  }

  /** Probes {@code p} on an event loop of {@code vertx} (the caller's, when called on one). */
  public Future<ProbeResult> probe(Vertx vertx, ProviderConfig p) {
    Objects.requireNonNull(p, "p");
    if (p.type() == ProviderType.MOCK) {
      return Future.succeededFuture(new ProbeResult(p.name(), p.type(), ProbeStatus.UP, 0, "built-in mock"));
    }
    Promise<ProbeResult> promise = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> new Attempt(vertx, p, promise).start());
    return promise.future();
  }

  /** One probe in flight; confined to its event loop. */
  private final class Attempt {
    private final Vertx vertx;
    private final ProviderConfig p;
    private final Promise<ProbeResult> promise;
    private final SecretScrubber scrubber;
    private final long started = System.nanoTime();
    private HttpUpstream http;
    private VertexTokenSource tokens;
    private UpstreamCall call;
    private long timer = -1;

    Attempt(Vertx vertx, ProviderConfig p, Promise<ProbeResult> promise) {
      this.vertx = vertx;
      this.p = p;
      this.promise = promise;
      this.scrubber = SecretScrubber.of(p);
    }

    void start() {
      try {
        Optional<String> missing = requests.missingCredentials(p);
        if (missing.isPresent()) {
          finish(ProbeStatus.AUTH_FAILED, missing.get());
          return;
        }
        ProviderHttpRequest wire = requests.request(p);
        http = new HttpUpstream(vertx, p);
        timer = vertx.setTimer(timeout.toMillis(), id -> {
          timer = -1;
          if (finish(ProbeStatus.TIMEOUT, "no complete answer within " + timeout.toMillis() + " ms") && call != null) {
            call.abort();
          }
        });
        RequestAuthorizer authorizer;
        if (p.type() == ProviderType.VERTEX) {
          tokens = new VertexTokenSource(vertx, p.name(), requests.vertexKey(p), json, clock, timeout);
          authorizer = new VertexAuthorizer(tokens);
        } else {
          authorizer = requests.authorizer(p);
        }
        authorizer.authorize(http.host(), wire).onComplete(auth -> {
          if (promise.future().isComplete()) {
            return;
          }
          if (auth.failed()) {
            finish(ProbeStatus.AUTH_FAILED, "cannot authorize the request: " + auth.cause().getMessage());
            return;
          }
          Map<String, String> headers = new LinkedHashMap<>(wire.headers());
          headers.putAll(auth.result());
          call = http.exchange(HttpMethod.valueOf(wire.method()), wire.pathAndQuery(), headers, wire.body(),
              REQUEST_ID);
          call.response().compose(this::classify).onComplete(ar -> {
            if (ar.succeeded()) {
              finish(ar.result().status(), ar.result().detail());
            } else {
              failed(ar.cause());
            }
          });
        });
      } catch (RuntimeException e) {
        // A config the loader accepted but this probe cannot use (a base URL that is not http(s)).
        finish(ProbeStatus.DOWN, "cannot probe: " + e.getMessage());
      }
    }

    private Future<ProbeAnswers.Verdict> classify(UpstreamResponse response) {
      return read(response.body())
          .map(body -> answers.classify(p.type(), response.status(), response.headers(), body));
    }

    private void failed(Throwable cause) {
      if (cause instanceof UpstreamException u) {
        switch (u.kind()) {
          case UNREACHABLE -> finish(ProbeStatus.UNREACHABLE, u.getMessage());
          case TIMEOUT -> finish(ProbeStatus.TIMEOUT, u.getMessage());
          case PROTOCOL -> finish(ProbeStatus.DOWN, u.getMessage());
          case CANCELLED -> { } // Our own abort after the timeout: already reported.
        }
        return;
      }
      finish(ProbeStatus.DOWN, "the answer broke off: " + cause.getMessage());
    }

    /** Reports once: the timer and the answer race, and whichever comes second is ignored. */
    private boolean finish(ProbeStatus status, String detail) {
      long latency = status == ProbeStatus.TIMEOUT ? timeout.toMillis()
          : (System.nanoTime() - started) / 1_000_000;
      String shown = scrubber.clean(detail, MAX_DETAIL_CHARS);
      if (!promise.tryComplete(new ProbeResult(p.name(), p.type(), status, latency, shown))) {
        return false;
      }
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
      if (tokens != null) {
        VertexTokenSource t = tokens;
        vertx.runOnContext(v -> t.close());
      }
      if (http != null) {
        // After the abort (if any) has been issued on this loop, so the reset reaches the connection first.
        vertx.runOnContext(v -> http.close());
      }
      return true;
    }
  }

  /** The body, up to {@link #MAX_BODY_BYTES}; the rest is read and dropped so the stream can end. */
  private static Future<Buffer> read(ReadStream<Buffer> stream) {
    Promise<Buffer> done = Promise.promise();
    Buffer body = Buffer.buffer();
    stream.exceptionHandler(done::tryFail);
    stream.endHandler(v -> done.tryComplete(body));
    stream.handler(chunk -> {
      int room = MAX_BODY_BYTES - body.length();
      if (room > 0) {
        body.appendBuffer(chunk, 0, Math.min(room, chunk.length()));
      }
    });
    stream.resume();
    return done.future();
  }
}
