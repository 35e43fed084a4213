package dev.tollgate.provider.bedrock;

import dev.tollgate.config.UpstreamAddress;
import dev.tollgate.provider.ProviderHttpRequest;
import dev.tollgate.provider.RequestAuthorizer;
import dev.tollgate.provider.UpstreamException;
import io.vertx.core.Future;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * Signs Bedrock requests with AWS Signature Version 4, using the AWS SDK's own signer over the
 * method, host, base path plus path, query and the exact body bytes. Returns the headers the
 * signature adds: {@code Authorization}, {@code X-Amz-Date}, {@code x-amz-content-sha256} (the SDK
 * signer always adds the payload hash) and {@code X-Amz-Security-Token} for temporary credentials.
 * The signed {@code Host} is {@code host[:port]}, the port only when it is not the scheme's default,
 * which is what Vert.x's client sends.
 *
 * <p>The protocol headers ({@code Content-Type}, {@code Accept}) are deliberately left out of the
 * signature: SigV4 requires only {@code host} and the {@code x-amz-*} headers, and a transport that
 * sets or normalises those headers itself must not be able to invalidate the signature.
 *
 * <p>Signing is a few HMACs over bytes already in memory, so it runs on the caller's event loop and the
 * returned future is already complete. Thread-safe: the SDK signer is stateless.
 */
public final class SigV4Authorizer implements RequestAuthorizer {
  /** The signing name of Bedrock's runtime endpoint. */
  public static final String SERVICE = "bedrock";

  private final HttpSigner<AwsCredentialsIdentity> signer = AwsV4HttpSigner.create();
  private final String providerName;
  private final AwsCredentialsIdentity identity;
  private final String region;
  private final String service;
  private final UpstreamAddress address;
  private final Clock clock;

  /**
   * @param address the provider's base URL (scheme, port and path prefix the request goes to)
   * @param clock the time the signature states; AWS rejects one more than 5 minutes off
   */
  public SigV4Authorizer(String providerName, AwsCredentials credentials, String region, UpstreamAddress address,
      Clock clock) {
    this(providerName, credentials, region, SERVICE, address, clock);
  }

  /** For another AWS service's signing name; AWS's published test vectors use {@code service}. */
  SigV4Authorizer(String providerName, AwsCredentials credentials, String region, String service,
      UpstreamAddress address, Clock clock) {
    this.providerName = Objects.requireNonNull(providerName, "providerName");
    this.identity = credentials.sessionToken() == null
        ? AwsCredentialsIdentity.create(credentials.accessKeyId(), credentials.secretAccessKey().value())
        : AwsSessionCredentialsIdentity.create(credentials.accessKeyId(), credentials.secretAccessKey().value(),
            credentials.sessionToken().value());
    this.region = Objects.requireNonNull(region, "region");
    this.service = Objects.requireNonNull(service, "service");
    this.address = Objects.requireNonNull(address, "address");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public Future<Map<String, String>> authorize(String host, ProviderHttpRequest request) {
    try {
      SdkHttpRequest unsigned = sdkRequest(host, request);
      byte[] body = request.body() == null ? new byte[0] : request.body().getBytes();
      SignedRequest signed = signer.sign(r -> r
          .identity(identity)
          .request(unsigned)
          .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
          .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, service)
          .putProperty(AwsV4HttpSigner.REGION_NAME, region)
          .putProperty(HttpSigner.SIGNING_CLOCK, clock));
      Map<String, String> added = new LinkedHashMap<>();
      signed.request().forEachHeader((name, values) -> {
        if (!name.equalsIgnoreCase("Host")) {
          added.put(name, values.getFirst());
        }
      });
      return Future.succeededFuture(added);
    } catch (RuntimeException e) {
      return Future.failedFuture(new UpstreamException(UpstreamException.Kind.UNREACHABLE, providerName,
          "cannot sign the request: " + e.getMessage(), e));
    }
  }

  private SdkHttpRequest sdkRequest(String host, ProviderHttpRequest request) {
    String pathAndQuery = request.pathAndQuery();
    int q = pathAndQuery.indexOf('?');
    String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    SdkHttpRequest.Builder builder = SdkHttpRequest.builder()
        .method(SdkHttpMethod.fromValue(request.method()))
        .protocol(address.tls() ? "https" : "http")
        .host(host)
        .port(address.port())
        .encodedPath(address.basePath() + path);
    if (q >= 0) {
      // The SDK takes decoded parameters and encodes them itself for the canonical query.
      for (String pair : pathAndQuery.substring(q + 1).split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String name = decode(eq < 0 ? pair : pair.substring(0, eq));
        String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
        builder.appendRawQueryParameter(name, value);
      }
    }
    return builder.build();
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
