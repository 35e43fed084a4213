/**
 * Amazon Bedrock through its Converse and ConverseStream API: {@link
 * dev.tollgate.provider.bedrock.BedrockConverseCodec} translates, {@link
 * dev.tollgate.provider.bedrock.SigV4Authorizer} signs, {@link
 * dev.tollgate.provider.bedrock.EventStreamFrames} reads the binary event stream. Requests go out
 * through Tollgate's own Vert.x client; of the AWS SDK only the SigV4 signer is used.
 *
 * <p>How canonical requests map where Converse has no direct equivalent:
 * <ul>
 *   <li><b>top_k</b> goes in {@code additionalModelRequestFields}, whose shape is the model's own:
 *       {@code top_k} for Anthropic models, {@code inferenceConfig.topK} for Amazon Nova. The family
 *       is read from the model id (plain, cross-region profile such as {@code us.anthropic...}, or an
 *       ARN naming one); for any other model, including application inference profiles whose ARN
 *       does not name the model, top_k is refused.
 *   <li><b>tool_choice none</b>: Converse has auto, any and a named tool only. With no earlier tool
 *       turns the tools are left out, which is exact; once the conversation holds toolUse or
 *       toolResult blocks Converse insists on a toolConfig, so the request is refused.
 *   <li><b>parallel_tool_calls false</b> is refused (no Converse switch); true is the default.
 *   <li><b>response_format</b>: a JSON schema becomes {@code outputConfig.textFormat} (type
 *       {@code json_schema}, the schema as a JSON string); Converse always enforces it, which covers
 *       non-strict callers too. Schema-less JSON mode is refused.
 *   <li><b>Images</b> must be inline bytes: base64 parts and {@code data:} URLs are sent, other URLs
 *       refused. OpenAI's {@code detail} hint has no Converse equivalent and is not sent.
 *   <li><b>Tool results</b> carry {@code status: error} only for errors: success is Converse's
 *       default, and some models reject the field.
 *   <li><b>user</b> goes to {@code requestMetadata.user} (visible in invocation logs) when it fits
 *       Bedrock's character set, else it is refused.
 *   <li><b>Extensions</b>: Anthropic's {@code thinking} object is forwarded to Claude models through
 *       {@code additionalModelRequestFields}; platform-only fields ({@code store}, {@code metadata},
 *       {@code service_tier}, {@code stream_options}, {@code prompt_cache_key},
 *       {@code safety_identifier}) are dropped as they steer the caller's platform, not the answer;
 *       every other extension is refused by name.
 *   <li><b>Empty texts</b> (system or message) are left out, since Converse rejects blank text
 *       blocks; a message left with nothing is skipped and its neighbours merge.
 *   <li><b>candidates</b> above 1 are refused.
 * </ul>
 *
 * <p>Answers: Bedrock's {@code inputTokens} excludes prompt-cache reads and writes, so canonical
 * input is their sum. Converse answers carry no id, model or creation time, so those stay null/0
 * (the request id is in the {@code x-amzn-RequestId} response header). A ConverseStream ends with
 * {@link dev.tollgate.protocol.canonical.StreamEvent.End} only after messageStop, metadata and a
 * frame boundary; exception frames become Failures named by their {@code :exception-type}.
 */
package dev.tollgate.provider.bedrock;
