package dev.tollgate.protocol.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocol.canonical.ChatRequest;
import dev.tollgate.protocol.canonical.Message;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.ResponseFormat;
import dev.tollgate.protocol.canonical.Role;
import dev.tollgate.protocol.canonical.Tool;
import dev.tollgate.protocol.canonical.ToolChoice;
import dev.tollgate.protocol.canonical.TranslationException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Inbound Anthropic Messages requests to canonical requests, and every refusal naming its field. */
class AnthropicRequestDecoderTest {
  private final ObjectMapper json = new ObjectMapper();
  private final AnthropicRequestDecoder decoder = new AnthropicRequestDecoder(json);

  private ChatRequest decode(String body) {
    return decoder.decode(body.getBytes(StandardCharsets.UTF_8));
  }

  /** Single quotes stand for double quotes, to keep the fixtures readable. */
  private ChatRequest decodeQ(String body) {
    return decode(body.replace('\'', '"'));
  }

  @Test
  void decodesTheDocumentationsBasicRequest() {
    ChatRequest r = decodeQ("""
        {'model': 'claude-sonnet-4-5', 'max_tokens': 1024,
         'messages': [{'role': 'user', 'content': 'Hello, world'}]}""");
    assertThat(r.model()).isEqualTo("claude-sonnet-4-5");
    assertThat(r.maxTokens()).isEqualTo(1024);
    assertThat(r.messages()).containsExactly(Message.user("Hello, world"));
    assertThat(r.system()).isEmpty();
    assertThat(r.stop()).isEmpty();
    assertThat(r.tools()).isEmpty();
    assertThat(r.toolChoice()).isNull();
    assertThat(r.parallelToolCalls()).isNull();
    assertThat(r.responseFormat()).isNull();
    assertThat(r.candidates()).isEqualTo(1);
    assertThat(r.stream()).isFalse();
    assertThat(r.user()).isNull();
    assertThat(r.extensions().fields()).isEmpty();
    assertThat(r.temperature()).isNull();
    assertThat(r.topP()).isNull();
    assertThat(r.topK()).isNull();
  }

  @Test
  void decodesSamplingStopStreamAndUser() {
    ChatRequest r = decodeQ("""
        {'model': 'm', 'max_tokens': 5, 'temperature': 0.5, 'top_p': 0.9, 'top_k': 40,
         'stop_sequences': ['\\n\\nHuman:', 'END'], 'stream': true, 'metadata': {'user_id': 'u-42'},
         'messages': [{'role': 'user', 'content': 'hi'}]}""");
    assertThat(r.temperature()).isEqualTo(0.5);
    assertThat(r.topP()).isEqualTo(0.9);
    assertThat(r.topK()).isEqualTo(40);
    assertThat(r.stop()).containsExactly("\n\nHuman:", "END");
    assertThat(r.stream()).isTrue();
    assertThat(r.user()).isEqualTo("u-42");
  }

  @Test
  void systemIsAStringOrTextBlocksAndCacheControlIsDropped() {
    assertThat(decodeQ("{'model':'m','max_tokens':1,'system':'Be brief.','messages':[{'role':'user','content':'x'}]}")
        .system()).containsExactly(new Part.Text("Be brief."));
    assertThat(decodeQ("""
        {'model':'m','max_tokens':1,'messages':[{'role':'user','content':'x'}],
         'system':[{'type':'text','text':'One.'},
                   {'type':'text','text':'Two.','cache_control':{'type':'ephemeral'}}]}""")
        .system()).containsExactly(new Part.Text("One."), new Part.Text("Two."));
  }

  @Test
  void leadingSystemMessagesJoinTheSystemPrompt() {
    ChatRequest r = decodeQ("""
        {'model':'m','max_tokens':1,'system':'Top.','messages':[
          {'role':'system','content':'First.'},
          {'role':'system','content':[{'type':'text','text':'Second.'}]},
          {'role':'user','content':'x'}]}""");
    assertThat(r.system()).containsExactly(new Part.Text("Top."), new Part.Text("First."), new Part.Text("Second."));
    assertThat(r.messages()).containsExactly(Message.user("x"));
  }

  @Test
  void decodesImagesByBase64AndByUrl() {
    ChatRequest r = decodeQ("""
        {'model':'m','max_tokens':1,'messages':[{'role':'user','content':[
          {'type':'image','source':{'type':'base64','media_type':'image/jpeg','data':'/9j/4AAQ'}},
          {'type':'image','source':{'type':'url','url':'https://upload.wikimedia.org/a.jpg'}},
          {'type':'text','text':'What is in these images?'}]}]}""");
    assertThat(r.messages()).containsExactly(new Message(Role.USER, List.of(
        Part.Image.inline("image/jpeg", "/9j/4AAQ"),
        Part.Image.ofUrl("https://upload.wikimedia.org/a.jpg"),
        new Part.Text("What is in these images?"))));
  }

  @Test
  void decodesAToolLoopFromTheDocumentation() {
    ChatRequest r = decodeQ("""
        {'model':'m','max_tokens':1024,
         'tools':[{'name':'get_weather','description':'Get the current weather in a given location',
                   'input_schema':{'type':'object','properties':{'location':{'type':'string'}},'required':['location']}}],
         'tool_choice':{'type':'auto','disable_parallel_tool_use':true},
         'messages':[
          {'role':'user','content':'What is the weather like in San Francisco?'},
          {'role':'assistant','content':[
            {'type':'text','text':'I need to use get_weather.'},
            {'type':'tool_use','id':'toolu_01A09q90qw90lq917835lq9','name':'get_weather','input':{'location':'San Francisco, CA'}}]},
          {'role':'user','content':[
            {'type':'tool_result','tool_use_id':'toolu_01A09q90qw90lq917835lq9','content':'15 degrees'},
            {'type':'text','text':'And tomorrow?'}]}]}""");
    assertThat(r.tools()).containsExactly(new Tool("get_weather", "Get the current weather in a given location",
        "{\"type\":\"object\",\"properties\":{\"location\":{\"type\":\"string\"}},\"required\":[\"location\"]}"));
    assertThat(r.toolChoice()).isEqualTo(ToolChoice.AUTO);
    assertThat(r.parallelToolCalls()).isFalse();
    assertThat(r.messages()).containsExactly(
        Message.user("What is the weather like in San Francisco?"),
        new Message(Role.ASSISTANT, List.of(new Part.Text("I need to use get_weather."),
            new Part.ToolCall("toolu_01A09q90qw90lq917835lq9", "get_weather", "{\"location\":\"San Francisco, CA\"}"))),
        new Message(Role.TOOL, List.of(new Part.ToolResult("toolu_01A09q90qw90lq917835lq9",
            List.of(new Part.Text("15 degrees")), false))),
        Message.user("And tomorrow?"));
  }

  @Test
  void splitsAUserTurnIntoToolAndUserMessagesInOrder() {
    ChatRequest r = decodeQ("""
        {'model':'m','max_tokens':1,'messages':[{'role':'user','content':[
          {'type':'text','text':'before'},
          {'type':'tool_result','tool_use_id':'a','content':[{'type':'text','text':'A'},
             {'type':'image','source':{'type':'base64','media_type':'image/png','data':'iVBO'}}]},
          {'type':'tool_result','tool_use_id':'b','is_error':true},
          {'type':'text','text':'after'}]}]}""");
    assertThat(r.messages()).containsExactly(
        Message.user("before"),
        new Message(Role.TOOL, List.of(
            new Part.ToolResult("a", List.of(new Part.Text("A"), Part.Image.inline("image/png", "iVBO")), false),
            new Part.ToolResult("b", List.of(), true))),
        Message.user("after"));
  }

  @Test
  void decodesThinkingAndRedactedThinking() {
    ChatRequest r = decodeQ("""
        {'model':'m','max_tokens':1,'thinking':{'type':'enabled','budget_tokens':10000},'messages':[
          {'role':'user','content':'q'},
          {'role':'assistant','content':[
            {'type':'thinking','thinking':'Let me analyze this step by step...','signature':'WaUjzkypQ2mUEVM36O2T'},
            {'type':'redacted_thinking','data':'EmwKAhgBEgy3va3pzix'},
            {'type':'text','text':'a'}]}]}""");
    assertThat(r.messages().get(1).parts()).containsExactly(
        new Part.Reasoning("Let me analyze this step by step...", "WaUjzkypQ2mUEVM36O2T", null),
        new Part.Reasoning("", null, "EmwKAhgBEgy3va3pzix"),
        new Part.Text("a"));
    assertThat(r.extensions().fields()).containsExactly(Map.entry("thinking", "{\"type\":\"enabled\",\"budget_tokens\":10000}"));
  }

  @Test
  void acceptsCacheControlOnBlocksAndTools() {
    ChatRequest r = decodeQ("""
        {'model':'m','max_tokens':1,
         'tools':[{'name':'t','input_schema':{'type':'object'},'cache_control':{'type':'ephemeral'}}],
         'messages':[{'role':'user','content':[
           {'type':'text','text':'long document','cache_control':{'type':'ephemeral','ttl':'1h'}},
           {'type':'tool_result','tool_use_id':'x','content':'r','cache_control':{'type':'ephemeral'}}]}]}""");
    assertThat(r.tools()).containsExactly(new Tool("t", null, "{\"type\":\"object\"}"));
    assertThat(r.messages()).containsExactly(Message.user("long document"),
        new Message(Role.TOOL, List.of(new Part.ToolResult("x", List.of(new Part.Text("r")), false))));
  }

  @Test
  void decodesABuffer() {
    assertThat(decoder.decode(io.vertx.core.buffer.Buffer.buffer(
        "{\"model\":\"m\",\"max_tokens\":3,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"))
        .maxTokens()).isEqualTo(3);
  }

  @Test
  void aDirectCallerIsTheDefault() {
    ChatRequest r = decodeQ("""
        {'model':'m','max_tokens':1,'messages':[{'role':'user','content':'q'},{'role':'assistant','content':[
          {'type':'tool_use','id':'toolu_1','name':'f','input':{},'caller':{'type':'direct'}}]}]}""");
    assertThat(r.messages().get(1).parts()).containsExactly(new Part.ToolCall("toolu_1", "f", "{}"));
  }

  @Test
  void mapsEveryToolChoice() {
    String tools = "'tools':[{'name':'t','input_schema':{'type':'object'}}],";
    assertThat(decodeQ("{'model':'m','max_tokens':1," + tools + "'tool_choice':{'type':'any'},"
        + "'messages':[{'role':'user','content':'x'}]}").toolChoice()).isEqualTo(ToolChoice.REQUIRED);
    assertThat(decodeQ("{'model':'m','max_tokens':1," + tools + "'tool_choice':{'type':'none'},"
        + "'messages':[{'role':'user','content':'x'}]}").toolChoice()).isEqualTo(ToolChoice.NONE);
    ChatRequest named = decodeQ("{'model':'m','max_tokens':1," + tools
        + "'tool_choice':{'type':'tool','name':'t','disable_parallel_tool_use':false},"
        + "'messages':[{'role':'user','content':'x'}]}");
    assertThat(named.toolChoice()).isEqualTo(new ToolChoice.Named("t"));
    assertThat(named.parallelToolCalls()).isTrue();
  }

  @Test
  void keepsUnknownTopLevelFieldsAsJsonText() {
    ChatRequest r = decodeQ("""
        {'model':'m','max_tokens':1,'service_tier':'auto','container':null,'mcp_servers':[{'url':'x'}],
         'messages':[{'role':'user','content':'x'}]}""");
    assertThat(r.extensions().fields()).containsOnly(Map.entry("service_tier", "\"auto\""),
        Map.entry("container", "null"), Map.entry("mcp_servers", "[{\"url\":\"x\"}]"));
  }

  @Test
  void mapsJsonOutputsToAStrictSchemaAndKeepsTheRestOfOutputConfig() {
    ChatRequest r = decodeQ("""
        {'model':'m','max_tokens':1,'messages':[{'role':'user','content':'x'}],
         'output_config':{'effort':'high','format':{'type':'json_schema','schema':{'type':'object',
           'properties':{'name':{'type':'string'}},'required':['name'],'additionalProperties':false}}}}""");
    assertThat(r.responseFormat()).isEqualTo(new ResponseFormat.JsonSchema("response",
        "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}},\"required\":[\"name\"],"
            + "\"additionalProperties\":false}", true));
    assertThat(r.extensions().fields()).containsExactly(Map.entry("output_config", "{\"effort\":\"high\"}"));
    ChatRequest effortOnly = decodeQ("""
        {'model':'m','max_tokens':1,'messages':[{'role':'user','content':'x'}],'output_config':{'effort':'low'}}""");
    assertThat(effortOnly.responseFormat()).isNull();
    assertThat(effortOnly.extensions().fields()).containsExactly(Map.entry("output_config", "{\"effort\":\"low\"}"));
  }

  static Stream<Arguments> refusals() {
    String ok = "'messages':[{'role':'user','content':'x'}]";
    return Stream.of(
        Arguments.of("", "body", "the body is empty"),
        Arguments.of("{'model':", "body", "not valid JSON"),
        Arguments.of("[1]", "body", "expected an object, got an array"),
        Arguments.of("{'model':'a','model':'b','max_tokens':1," + ok + "}", "body", "Duplicate field 'model'"),
        Arguments.of("{'model':'m','max_tokens':1," + ok + "} {}", "body", "unexpected content"),
        Arguments.of("{'max_tokens':1," + ok + "}", "model", "required field is missing"),
        Arguments.of("{'model':7,'max_tokens':1," + ok + "}", "model", "expected a string, got an integer"),
        Arguments.of("{'model':'m'," + ok + "}", "max_tokens", "required field is missing"),
        Arguments.of("{'model':'m','max_tokens':null," + ok + "}", "max_tokens", "required field is missing"),
        Arguments.of("{'model':'m','max_tokens':'10'," + ok + "}", "max_tokens", "expected an integer, got a string"),
        Arguments.of("{'model':'m','max_tokens':1.5," + ok + "}", "max_tokens", "expected an integer, got a number"),
        Arguments.of("{'model':'m','max_tokens':0," + ok + "}", "max_tokens", "at least 1"),
        Arguments.of("{'model':'m','max_tokens':99999999999," + ok + "}", "max_tokens", "out of range"),
        Arguments.of("{'model':' ','max_tokens':1," + ok + "}", "model", "must not be empty"),
        Arguments.of("{'model':'m','max_tokens':1}", "messages", "required field is missing"),
        Arguments.of("{'model':'m','max_tokens':1,'messages':{}}", "messages", "expected an array, got an object"),
        Arguments.of("{'model':'m','max_tokens':1,'messages':[]}", "messages", "at least one message"),
        Arguments.of("{'model':'m','max_tokens':1,'messages':['hi']}", "messages[0]",
            "expected an object, got a string"),
        Arguments.of("{'model':'m','max_tokens':1,'messages':[{'role':'tool','content':'x'}]}",
            "messages[0].role", "unknown role 'tool'"),
        Arguments.of("{'model':'m','max_tokens':1,'messages':[{'role':'system','content':'x'}]}",
            "messages", "at least one user or assistant message"),
        Arguments.of("{'model':'m','max_tokens':1,'messages':[{'role':'user','content':'x'},"
            + "{'role':'system','content':'now be formal'}]}", "messages[1].role", "after the conversation began"),
        Arguments.of("{'model':'m','max_tokens':1,'messages':[{'role':'system','content':[{'type':'image'}]},"
            + "{'role':'user','content':'x'}]}", "messages[0].content[0].type", "not allowed in system"),
        Arguments.of("{'model':'m','max_tokens':1,'messages':[{'role':'user'}]}", "messages[0].content",
            "required field is missing"),
        Arguments.of("{'model':'m','max_tokens':1,'messages':[{'role':'user','content':5}]}", "messages[0].content",
            "expected a string or an array of content blocks, got an integer"),
        Arguments.of("{'model':'m','max_tokens':1,'messages':[{'role':'user','content':'x','name':'n'}]}",
            "messages[0].name", "not supported"),
        Arguments.of("{'model':'m','max_tokens':1,'messages':[{'role':'user','content':'x'},"
            + "{'role':'user','content':[{'type':'foo'}]}]}", "messages[1].content[0].type", "unknown block type 'foo'"),
        Arguments.of("{'model':'m','max_tokens':1,'messages':[{'role':'user','content':[{'type':'document',"
            + "'source':{}}]}]}", "messages[0].content[0].type", "block type 'document' is not supported"),
        Arguments.of("{'model':'m','max_tokens':1,'messages':[{'role':'user','content':[{'text':'x'}]}]}",
            "messages[0].content[0].type", "required field is missing"),
        Arguments.of("{'model':'m','max_tokens':1,'messages':[{'role':'user','content':[{'type':'text','text':3}]}]}",
            "messages[0].content[0].text", "expected a string, got an integer"),
        Arguments.of("{'model':'m','max_tokens':1,'messages':[{'role':'user','content':[{'type':'text','text':'x',"
            + "'citations':[{}]}]}]}", "messages[0].content[0].citations", "not supported"),
        Arguments.of("{'model':'m','max_tokens':1,'messages':[{'role':'user','content':[{'type':'image',"
            + "'source':{'type':'file','file_id':'f'}}]}]}", "messages[0].content[0].source.type", "'file'"),
        Arguments.of("{'model':'m','max_tokens':1,'messages':[{'role':'user','content':[{'type':'image',"
            + "'source':{'type':'base64','data':'x'}}]}]}", "messages[0].content[0].source.media_type",
            "required field is missing"),
        Arguments.of("{'model':'m','max_tokens':1,'messages':[{'role':'user','content':[{'type':'tool_use',"
            + "'id':'a','name':'n','input':{}}]}]}", "messages[0].content[0].type", "not allowed in a user turn"),
        Arguments.of("{'model':'m','max_tokens':1,'messages':[{'role':'assistant','content':[{'type':'tool_result',"
            + "'tool_use_id':'a'}]}]}", "messages[0].content[0].type", "not allowed in an assistant turn"),
        Arguments.of("{'model':'m','max_tokens':1,'messages':[{'role':'assistant','content':[{'type':'tool_use',"
            + "'id':'a','name':'n','input':'{}'}]}]}", "messages[0].content[0].input", "expected an object, got a string"),
        Arguments.of("{'model':'m','max_tokens':1,'messages':[{'role':'assistant','content':[{'type':'tool_use',"
            + "'id':'a','name':'n','input':{},'caller':{'type':'code_execution_20250825','tool_id':'srvtoolu_1'}}]}]}",
            "messages[0].content[0].caller.type", "'code_execution_20250825' are not supported"),
        Arguments.of("{'model':'m','max_tokens':1,'messages':[{'role':'assistant','content':[{'type':'tool_use',"
            + "'id':'a','name':'n','input':{},'toolset_name':'x'}]}]}", "messages[0].content[0].toolset_name",
            "not supported"),
        Arguments.of("{'model':'m','max_tokens':1,'messages':[{'role':'user','content':[{'type':'image',"
            + "'source':{'type':'url','url':'u'},'transformations':{}}]}]}", "messages[0].content[0].transformations",
            "not supported"),
        Arguments.of("{'model':'m','max_tokens':1,'messages':[{'role':'user','content':[{'type':'tool_result',"
            + "'tool_use_id':'a','content':7}]}]}", "messages[0].content[0].content",
            "expected a string or an array of blocks, got an integer"),
        Arguments.of("{'model':'m','max_tokens':1,'messages':[{'role':'user','content':[{'type':'tool_result',"
            + "'tool_use_id':'a','is_error':'yes'}]}]}", "messages[0].content[0].is_error",
            "expected a boolean, got a string"),
        Arguments.of("{'model':'m','max_tokens':1,'system':7," + ok + "}", "system",
            "expected a string or an array of text blocks, got an integer"),
        Arguments.of("{'model':'m','max_tokens':1,'system':[{'type':'image','source':{}}]," + ok + "}",
            "system[0].type", "not allowed in system"),
        Arguments.of("{'model':'m','max_tokens':1,'temperature':'hot'," + ok + "}", "temperature",
            "expected a number, got a string"),
        Arguments.of("{'model':'m','max_tokens':1,'stream':'yes'," + ok + "}", "stream",
            "expected a boolean, got a string"),
        Arguments.of("{'model':'m','max_tokens':1,'stop_sequences':'END'," + ok + "}", "stop_sequences",
            "expected an array, got a string"),
        Arguments.of("{'model':'m','max_tokens':1,'stop_sequences':[1]," + ok + "}", "stop_sequences[0]",
            "expected a string, got an integer"),
        Arguments.of("{'model':'m','max_tokens':1,'tools':[{'name':'t'}]," + ok + "}", "tools[0].input_schema",
            "required field is missing"),
        Arguments.of("{'model':'m','max_tokens':1,'tools':[{'type':'web_search_20250305','name':'web_search'}],"
            + ok + "}", "tools[0].type", "'web_search_20250305' is not supported"),
        Arguments.of("{'model':'m','max_tokens':1,'tool_choice':{'type':'maybe'}," + ok + "}", "tool_choice.type",
            "unknown tool choice 'maybe'"),
        Arguments.of("{'model':'m','max_tokens':1,'tool_choice':{'type':'tool'}," + ok + "}", "tool_choice.name",
            "required field is missing"),
        Arguments.of("{'model':'m','max_tokens':1,'tool_choice':'auto'," + ok + "}", "tool_choice",
            "expected an object, got a string"),
        Arguments.of("{'model':'m','max_tokens':1,'metadata':{'user_id':1}," + ok + "}", "metadata.user_id",
            "expected a string, got an integer"),
        Arguments.of("{'model':'m','max_tokens':1,'metadata':{'team':'x'}," + ok + "}", "metadata.team",
            "not supported"),
        Arguments.of("{'model':'m','max_tokens':1,'output_config':{'format':{'type':'json_object'}}," + ok + "}",
            "output_config.format.type", "unknown format type 'json_object'"),
        Arguments.of("{'model':'m','max_tokens':1,'output_config':{'format':{'type':'json_schema'}}," + ok + "}",
            "output_config.format.schema", "required field is missing"),
        Arguments.of("{'model':'m','max_tokens':1,'output_config':[]," + ok + "}", "output_config",
            "expected an object, got an array"));
  }

  @ParameterizedTest(name = "{1}: {2}")
  @MethodSource("refusals")
  void refusesNamingTheField(String body, String field, String message) {
    assertThatThrownBy(() -> decodeQ(body))
        .isInstanceOfSatisfying(TranslationException.class, e -> {
          assertThat(e.field()).isEqualTo(field);
          assertThat(e.getMessage()).contains(message);
        });
  }
}
