/**
 * The OpenAI chat wire format to and from the canonical model, both ways: requests from OpenAI
 * callers ({@link dev.tollgate.protocol.openai.translate.OpenAiChatDecoder}) and to OpenAI-format
 * providers ({@link dev.tollgate.protocol.openai.translate.OpenAiProviderCodec}), answers and streams
 * in both directions. Used only when the caller's format and the provider's differ; OpenAI to
 * OpenAI-compatible stays pass-through.
 *
 * <p>Conventions of this package:
 * <ul>
 *   <li>Extensions hold the caller's top-level fields verbatim as JSON text, plus one nested one
 *       under a path key: {@code response_format.json_schema.description} (a tool's {@code strict}
 *       is {@code Tool.strict}). The encoder writes them back and refuses any
 *       other nested key, or one that would overwrite a field it maps.
 *   <li>Decode then encode is JSON-equal in a normal form: defaults left out ({@code n} 1,
 *       {@code stream} false), stop sequences as an array, a lone text part as a string,
 *       {@code developer} as {@code system}, the output cap under the provider flavor's field, and
 *       streams asking for usage.
 *   <li>Errors name the field: the caller's JSON path on decode, the canonical path on encode
 *       ({@code messages[2].parts[1]}).
 * </ul>
 */
package dev.tollgate.protocol.openai.translate;
