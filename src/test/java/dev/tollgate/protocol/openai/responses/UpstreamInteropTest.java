package dev.tollgate.protocol.openai.responses;

import static dev.tollgate.protocol.openai.responses.JsonTrees.JSON;
import static dev.tollgate.protocol.openai.responses.JsonTrees.assertJsonEquals;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocol.anthropic.AnthropicProviderCodec;
import dev.tollgate.protocol.canonical.ChatRequest;
import dev.tollgate.protocol.canonical.ChatResponse;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.StopReason;
import dev.tollgate.protocol.openai.translate.OpenAiChatEncoder;
import dev.tollgate.protocol.openai.translate.OpenAiFlavor;
import io.vertx.core.buffer.Buffer;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Decoded requests as the provider codecs send them on: the extensions the decoder keeps use the
 * chat-completions codec's names, so an OpenAI upstream receives them where chat completions has
 * them; and reasoning sent back from an earlier answer reaches Anthropic with its signature.
 */
class UpstreamInteropTest {

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

  /** A tool loop with thinking: Anthropic requires the signed thinking block back with the tool result. */
  @Test
  void anAnthropicAnswersReasoningGoesBackSignedInTheNextTurn() throws Exception {
    ResponsesRequestDecoder decoder = new ResponsesRequestDecoder(JSON);
    ResponsesRequest first = decoder.decode(Buffer.buffer("""
        {"model": "claude-sonnet-4-5", "input": "Weather in Paris?",
         "tools": [{"type": "function", "name": "get_weather", "parameters": {"type": "object"}}]}
        """));
    ChatResponse answer = new ChatResponse("msg_01", "claude-sonnet-4-5", 1L, List.of(new ChatResponse.Candidate(0,
        List.of(new Part.Reasoning("Look it up.", "EqQBCkYIBxgC", null),
            new Part.ToolCall("toolu_01", "get_weather", "{\"city\":\"Paris\"}")), StopReason.TOOL_CALLS)), null);
    ObjectNode response = new ResponsesResponseEncoder(JSON).encode(answer, first);

    ObjectNode next = JSON.createObjectNode();
    next.put("model", "claude-sonnet-4-5");
    next.set("tools", JSON.readTree("[{\"type\": \"function\", \"name\": \"get_weather\","
        + " \"parameters\": {\"type\": \"object\"}}]"));
    ArrayNode input = next.putArray("input");
    input.addObject().put("role", "user").put("content", "Weather in Paris?");
    response.get("output").forEach(input::add);
    input.addObject().put("type", "function_call_output").put("call_id", "toolu_01").put("output", "18C");
    ChatRequest chat = decoder.decode(next).chat();

    ObjectNode body = (ObjectNode) JSON.readTree(new AnthropicProviderCodec(JSON, 1024, Clock.systemUTC())
        .encode(chat, "claude-sonnet-4-5").body().getBytes());
    assertJsonEquals(body.get("messages"), """
        [{"role": "user", "content": "Weather in Paris?"},
         {"role": "assistant", "content": [
           {"type": "thinking", "thinking": "Look it up.", "signature": "EqQBCkYIBxgC"},
           {"type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": {"city": "Paris"}}]},
         {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_01", "content": "18C"}]}]
        """);
    assertThat(response.get("output").get(0).get("encrypted_content").asText()).startsWith(ReasoningToken.PREFIX);
  }
}
