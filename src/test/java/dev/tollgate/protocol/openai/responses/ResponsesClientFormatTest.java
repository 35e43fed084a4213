package dev.tollgate.protocol.openai.responses;

import static dev.tollgate.protocol.openai.responses.JsonTrees.JSON;
import static dev.tollgate.protocol.openai.responses.JsonTrees.assertJsonEquals;
import static dev.tollgate.protocol.openai.responses.JsonTrees.tree;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.protocol.canonical.ChatResponse;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.StopReason;
import dev.tollgate.protocol.canonical.StreamEncoder;
import dev.tollgate.protocol.canonical.StreamEvent;
import dev.tollgate.server.ApiError;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponsesClientFormatTest {
  private final ResponsesRequest request = new ResponsesRequestDecoder(JSON).decode(Buffer.buffer("""
      {"model": "m", "input": "x", "instructions": "Be brief.", "metadata": {"k": "v"}}
      """));
  private final ResponsesClientFormat format = new ResponsesClientFormat(JSON, request);

  @Test
  void answersAreResponseObjectsRepeatingTheRequest() {
    ChatResponse answer = new ChatResponse("a1", "m", 5L,
        List.of(new ChatResponse.Candidate(0, List.of(new Part.Text("hi")), StopReason.END)), null);
    var out = tree(format.answer(answer).toString());
    assertThat(out.get("object").asText()).isEqualTo("response");
    assertThat(out.get("instructions").asText()).isEqualTo("Be brief.");
    assertJsonEquals(out.get("metadata"), "{\"k\": \"v\"}");
  }

  @Test
  void errorsHaveOpenAisShape() {
    Buffer body = format.error(ApiError.invalidRequest("'store' must be false", "store"));
    assertJsonEquals(tree(body.toString()), """
        {"error": {"message": "'store' must be false", "type": "invalid_request_error", "param": "store",
                   "code": "invalid_request"}}
        """);
  }

  @Test
  void eachStreamGetsItsOwnEncoder() {
    StreamEncoder first = format.streamEncoder();
    StreamEncoder second = format.streamEncoder();
    assertThat(first).isNotSameAs(second);
    first.encode(new StreamEvent.Start("a", "m", 1L));
    assertThat(second.encode(new StreamEvent.Start("b", "m", 1L)).toString())
        .startsWith("event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,");
  }
}
