/**
 * OpenAI's Responses API ({@code POST /v1/responses}) as a caller's format, served from any provider
 * through the canonical model: requests are decoded into a {@link
 * dev.tollgate.protocol.canonical.ChatRequest}, answers and streams are written as {@code response}
 * objects and Responses server-sent events. Tollgate keeps no conversation state, so the API's
 * stateful features ({@code previous_response_id}, {@code store: true}, {@code conversation},
 * background responses) are refused rather than emulated.
 */
package dev.tollgate.protocol.openai.responses;
