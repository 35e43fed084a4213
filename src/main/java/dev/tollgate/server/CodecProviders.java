package dev.tollgate.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.config.CloudSettings;
import dev.tollgate.config.ProviderConfig;
import dev.tollgate.config.UpstreamAddress;
import dev.tollgate.protocol.anthropic.AnthropicKeyAuthorizer;
import dev.tollgate.protocol.anthropic.AnthropicProviderCodec;
import dev.tollgate.provider.CodecUpstream;
import dev.tollgate.provider.HttpUpstream;
import dev.tollgate.provider.bedrock.AwsCredentials;
import dev.tollgate.provider.bedrock.BedrockConverseCodec;
import dev.tollgate.provider.bedrock.SigV4Authorizer;
import dev.tollgate.provider.gemini.GeminiCodec;
import dev.tollgate.provider.gemini.GeminiKeyAuthorizer;
import dev.tollgate.provider.gemini.GeminiPaths;
import io.vertx.core.Vertx;
import java.time.Clock;

/** Builds the codec, authorizer and connection pool of each provider with its own wire format. */
public final class CodecProviders {
  private final ObjectMapper json;
  private final Clock clock;

  public CodecProviders(ObjectMapper json, Clock clock) {
    this.json = json;
    this.clock = clock;
  }

  /** The upstream for {@code p} on the calling event loop; {@code p} was validated by the config loader. */
  public CodecUpstream create(Vertx vertx, ProviderConfig p) {
    HttpUpstream http = new HttpUpstream(vertx, p);
    CloudSettings cloud = p.cloud();
    return switch (p.type()) {
      case ANTHROPIC -> new CodecUpstream(http, new AnthropicProviderCodec(json, cloud.defaultMaxTokens(), clock),
          new AnthropicKeyAuthorizer(p.name(), p.apiKey().orElseThrow()));
      case GEMINI -> new CodecUpstream(http, new GeminiCodec(json, new GeminiPaths.GoogleAi()),
          new GeminiKeyAuthorizer(p.name(), p.apiKey().orElseThrow()));
      case BEDROCK -> new CodecUpstream(http, new BedrockConverseCodec(json),
          new SigV4Authorizer(p.name(), new AwsCredentials(cloud.awsAccessKeyId().orElseThrow(),
              cloud.awsSecretAccessKey().orElseThrow(), cloud.awsSessionToken().orElse(null)), cloud.region(),
              UpstreamAddress.of(p.baseUrl()).orElseThrow(), clock));
      case OPENAI, AZURE, MOCK -> throw new IllegalArgumentException(p.type() + " speaks OpenAI: no codec needed");
    };
  }
}
