package dev.tollgate.provider;

import dev.tollgate.protocol.canonical.ChatRequest;
import dev.tollgate.provider.UpstreamException.Kind;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpMethod;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A provider with its own wire format (Anthropic, Gemini, Bedrock): each request is encoded by the
 * provider's codec, given credentials by its authorizer (a key header, a SigV4 signature), and sent
 * over the provider's pooled connections. One per provider per event loop, like {@link HttpUpstream}.
 */
public final class CodecUpstream implements AutoCloseable {
  private final String provider;
  private final String host;
  private final ProviderCodec codec;
  private final RequestAuthorizer authorizer;
  private final Sender sender;
  private final Runnable onClose;

  /** How an encoded, authorized request reaches the provider. */
  @FunctionalInterface
  public interface Sender {
    UpstreamCall send(ProviderHttpRequest request, Map<String, String> headers, String requestId);
  }

  public CodecUpstream(HttpUpstream http, ProviderCodec codec, RequestAuthorizer authorizer) {
    this(http.providerName(), http.host(), codec, authorizer,
        (wire, headers, requestId) -> http.exchange(HttpMethod.valueOf(wire.method()), wire.pathAndQuery(), headers,
            wire.body(), requestId),
        http::close);
  }

  /** @param onClose releases what {@code sender} holds (its connection pool) */
  public CodecUpstream(String provider, String host, ProviderCodec codec, RequestAuthorizer authorizer, Sender sender,
      Runnable onClose) {
    this.provider = provider;
    this.host = host;
    this.codec = codec;
    this.authorizer = authorizer;
    this.sender = sender;
    this.onClose = onClose;
  }

  public ProviderCodec codec() {
    return codec;
  }

  public String providerName() {
    return provider;
  }

  /**
   * Starts a call for {@code request} to {@code upstreamModel}. Throws the codec's
   * {@code TranslationException} before anything is sent when the provider cannot express the request.
   */
  public UpstreamCall open(ChatRequest request, String upstreamModel, String requestId) {
    return open(request, upstreamModel, requestId, Map.of());
  }

  /** As {@link #open(ChatRequest, String, String)}, with protocol headers the caller's request carried. */
  public UpstreamCall open(ChatRequest request, String upstreamModel, String requestId,
      Map<String, String> passHeaders) {
    ProviderHttpRequest wire = codec.withCallerHeaders(codec.encode(request, upstreamModel), passHeaders);
    DeferredCall call = new DeferredCall();
    authorizer.authorize(host, wire).onComplete(ar -> {
      if (ar.failed()) {
        call.promise.tryFail(ar.cause() instanceof UpstreamException u ? u
            : new UpstreamException(Kind.UNREACHABLE, provider, "no credentials: " + ar.cause().getMessage(),
                ar.cause()));
        return;
      }
      if (call.aborted) {
        return;
      }
      Map<String, String> headers = new LinkedHashMap<>(wire.headers());
      headers.putAll(ar.result());
      call.attach(sender.send(wire, headers, requestId));
    });
    return call;
  }

  @Override
  public void close() {
    onClose.run();
  }

  /** A call whose HTTP exchange starts once credentials are ready (at once for keys and signatures). */
  private final class DeferredCall implements UpstreamCall {
    final Promise<UpstreamResponse> promise = Promise.promise();
    UpstreamCall inner;
    boolean aborted;

    void attach(UpstreamCall exchange) {
      inner = exchange;
      exchange.response().onComplete(promise::handle);
    }

    @Override
    public Future<UpstreamResponse> response() {
      return promise.future();
    }

    @Override
    public void abort() {
      aborted = true;
      if (inner != null) {
        inner.abort();
      } else {
        promise.tryFail(new UpstreamException(Kind.CANCELLED, provider, "cancelled by the gateway", null));
      }
    }

    @Override
    public boolean reached() {
      return inner != null && inner.reached();
    }
  }
}
