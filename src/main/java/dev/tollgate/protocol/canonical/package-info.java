/**
 * The provider-neutral model of a chat exchange, used only when the caller's protocol and the
 * provider's differ (pass-through needs none of it).
 *
 * <p>Conventions every codec follows:
 * <ul>
 *   <li>System instructions live in {@link ChatRequest#system()}, never as messages; a codec whose
 *       wire format puts them among the messages (OpenAI) hoists them on decode.
 *   <li>{@link Usage#input()} counts every prompt token, cached ones included (OpenAI's convention);
 *       {@link Usage#cacheRead()} and {@link Usage#cacheWrite()} are parts of it. Codecs for
 *       providers that report them separately (Anthropic) add them up on decode and split them on
 *       encode. {@link Usage#reasoning()} is part of {@link Usage#output()}.
 *   <li>Tool-call arguments and tool parameter schemas are kept as JSON text exactly as received.
 *   <li>What the target format cannot express is refused with a {@link TranslationException} naming
 *       the field, never silently dropped.
 * </ul>
 */
package dev.tollgate.protocol.canonical;
