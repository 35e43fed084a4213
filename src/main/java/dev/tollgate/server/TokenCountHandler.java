package dev.tollgate.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocol.canonical.ChatRequest;
import dev.tollgate.protocol.canonical.Message;
import dev.tollgate.protocol.canonical.Part;
import dev.tollgate.protocol.canonical.Tool;
import dev.tollgate.protocol.canonical.TranslationException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /v1/messages/count_tokens}: Anthropic's token counting, answered locally with the
 * gateway's tokenizer (an estimate for Claude models, whose tokenizer is not public), for any model
 * the caller's key may use. Nothing is sent upstream or billed.
 */
public final class TokenCountHandler {
  /** What an image costs at most in Anthropic's accounting (about 1.15 megapixels / 750). */
  private static final long IMAGE_TOKENS = 1_600;
  /** Per message and per tool, for the structure around the text. */
  private static final long OVERHEAD = 4;

  private final DataPlane plane;

  public TokenCountHandler(DataPlane plane) {
    this.plane = plane;
  }

  public void handle(RoutingContext ctx) {
    Async.on(ctx.vertx().getOrCreateContext(), plane.authenticator().authenticate(Credentials.presented(ctx.request())))
        .compose(caller -> {
          ObjectNode body = plane.decoder().parseObject(ctx.body().buffer());
          if (!body.has("max_tokens")) {
            body.put("max_tokens", 1); // count_tokens takes none; the Messages decoder requires one
          }
          ChatRequest chat;
          try {
            chat = plane.anthropicDecoder().decode(body);
          } catch (TranslationException e) {
            throw ApiError.invalidRequest(e.getMessage(), e.field()).exception();
          }
          if (plane.catalog().find(chat.model()).isEmpty()) {
            throw ApiError.unknownModel(chat.model()).exception();
          }
          if (!caller.mayUse(chat.model())) {
            throw ApiError.modelNotAllowed(chat.model()).exception();
          }
          String tokenizerModel = plane.catalog().find(chat.model()).orElseThrow().deployments().getFirst()
              .upstreamModel();
          return plane.async().blocking(ctx.vertx().getOrCreateContext(), () -> count(tokenizerModel, chat));
        })
        .onSuccess(tokens -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end("{\"input_tokens\":" + tokens + "}"))
        .onFailure(failure -> ErrorResponder.send(ctx, ErrorResponder.toApiError(ctx, failure)));
  }

  private long count(String model, ChatRequest chat) {
    long total = 0;
    for (Part.Text t : chat.system()) {
      total += plane.tokens().count(model, t.text());
    }
    for (Message m : chat.messages()) {
      total += OVERHEAD;
      for (Part p : m.parts()) {
        total += count(model, p);
      }
    }
    for (Tool tool : chat.tools()) {
      total += OVERHEAD + plane.tokens().count(model, tool.name())
          + plane.tokens().count(model, tool.description() == null ? "" : tool.description())
          + plane.tokens().count(model, tool.parametersJson() == null ? "" : tool.parametersJson());
    }
    return total;
  }

  private long count(String model, Part part) {
    return switch (part) {
      case Part.Text t -> plane.tokens().count(model, t.text());
      case Part.Image i -> IMAGE_TOKENS;
      case Part.ToolCall c -> plane.tokens().count(model, c.name()) + plane.tokens().count(model, c.argumentsJson());
      case Part.ToolResult r -> r.content().stream().mapToLong(p -> count(model, p)).sum();
      case Part.Reasoning r -> plane.tokens().count(model, r.text() == null ? "" : r.text());
    };
  }
}
