package dev.tollgate.protocol.openai.responses;

import static dev.tollgate.protocol.openai.responses.JsonTrees.JSON;
import static dev.tollgate.protocol.openai.responses.JsonTrees.assertJsonEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocol.canonical.ChatRequest;
import dev.tollgate.protocol.openai.translate.OpenAiChatEncoder;
import dev.tollgate.protocol.openai.translate.OpenAiFlavor;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/**
 * The extensions the decoder keeps use the chat-completions codec's names, so an OpenAI upstream
 * receives them where chat completions has them.
 */
class ChatUpstreamInteropTest {

  @Test
  void aResponsesRequestBecomesTheEquivalentChatCompletionsRequest() {
    ChatRequest chat = new ResponsesRequestDecoder(JSON).decode(Buffer.buffer("""
        {"model": "gpt-5", "instructions": "Be brief.", "input": "Weather in Paris?",
         "tools": [{"type": "function", "name": "get_weather", "parameters": {"type": "object"}, "strict": true},
                   {"type": "function", "name": "get_time", "parameters": {"type": "object"}, "strict": false}],
         "tool_choice": "auto", "max_output_tokens": 200, "reasoning": {"effort": "low", "summary": "auto"},
         "text": {"format": {"type": "json_schema", "name": "w", "description": "Weather", "strict": true,
                             "schema": {"type": "object"}}, "verbosity": "low"},
         "metadata": {"team": "a"}, "service_tier": "flex", "prompt_cache_key": "k1", "safety_identifier": "u1"}
        """)).chat();
    ObjectNode body = new OpenAiChatEncoder(JSON, OpenAiFlavor.OPENAI).encode(chat);
    assertJsonEquals(body, """
        {"model": "gpt-5",
         "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Weather in Paris?"}],
         "max_completion_tokens": 200,
         "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"},
                                                     "strict": true}},
                   {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object"}}}],
         "tool_choice": "auto",
         "response_format": {"type": "json_schema", "json_schema": {"name": "w", "description": "Weather",
                                                                    "schema": {"type": "object"}, "strict": true}},
         "user": "u1",
         "reasoning_effort": "low", "verbosity": "low", "metadata": {"team": "a"}, "service_tier": "flex",
         "prompt_cache_key": "k1"}
        """);
  }
}
