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
  private final HttpUpstream http;
  private final ProviderCodec codec;
  private final RequestAuthorizer authorizer;

  public CodecUpstream(HttpUpstream http, ProviderCodec codec, RequestAuthorizer authorizer) {
    this.http = http;
    this.codec = codec;
    this.authorizer = authorizer;
  }

  public ProviderCodec codec() {
    return codec;
  }

  public String providerName() {
    return http.providerName();
  }

  /**
   * Starts a call for {@code request} to {@code upstreamModel}. Throws the codec's
   * {@code TranslationException} before anything is sent when the provider cannot express the request.
   */
  public UpstreamCall open(ChatRequest request, String upstreamModel, String requestId) {
    ProviderHttpRequest wire = codec.encode(request, upstreamModel);
    DeferredCall call = new DeferredCall();
    authorizer.authorize(http.host(), wire).onComplete(ar -> {
      if (ar.failed()) {
        call.promise.tryFail(ar.cause() instanceof UpstreamException u ? u
            : new UpstreamException(Kind.UNREACHABLE, http.providerName(), "no credentials: " + ar.cause().getMessage(),
                ar.cause()));
        return;
      }
      if (call.aborted) {
        return;
      }
      Map<String, String> headers = new LinkedHashMap<>(wire.headers());
      headers.putAll(ar.result());
      call.attach(http.exchange(HttpMethod.valueOf(wire.method()), wire.pathAndQuery(), headers, wire.body(),
          requestId));
    });
    return call;
  }

  @Override
  public void close() {
    http.close();
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
        promise.tryFail(new UpstreamException(Kind.CANCELLED, http.providerName(), "cancelled by the gateway", null));
      }
    }

    @Override
    public boolean reached() {
      return inner != null && inner.reached();
    }
  }
}
