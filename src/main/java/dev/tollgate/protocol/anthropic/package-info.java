/**
 * Anthropic's Messages API ({@code POST /v1/messages}) in both directions, through the canonical
 * model: {@link dev.tollgate.protocol.anthropic.AnthropicRequestDecoder},
 * {@link dev.tollgate.protocol.anthropic.AnthropicResponseEncoder},
 * {@link dev.tollgate.protocol.anthropic.AnthropicStreamEncoder} and
 * {@link dev.tollgate.protocol.anthropic.AnthropicErrors} serve Anthropic callers;
 * {@link dev.tollgate.protocol.anthropic.AnthropicProviderCodec} and
 * {@link dev.tollgate.protocol.anthropic.AnthropicKeyAuthorizer} call Anthropic as a provider.
 *
 * <p>Mapping decisions:
 * <ul>
 *   <li>An Anthropic user turn holding tool_result blocks becomes canonical TOOL messages (one per run
 *       of consecutive results) and USER messages, in the turn's order; on the way out TOOL messages
 *       become user turns again and consecutive turns of one role are merged.
 *   <li>{@code cache_control} is accepted and dropped: it changes what Anthropic bills, never what the
 *       model sees. Every other field the canonical model cannot hold is refused, naming it.
 *   <li>Top-level fields without canonical meaning ({@code thinking}, {@code service_tier}, ...) are
 *       kept as Anthropic extensions and sent on to Anthropic as they came; OpenAI extensions are
 *       dropped when they only concern OpenAI's platform ({@code store}, {@code metadata}, ...) and
 *       refused otherwise.
 *   <li>{@code output_config.format} (JSON outputs) is the canonical JSON-schema response format.
 * </ul>
 */
package dev.tollgate.protocol.anthropic;
