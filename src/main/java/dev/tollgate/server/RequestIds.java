package dev.tollgate.server;

import dev.tollgate.store.IdGenerator;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.regex.Pattern;

/**
 * Gives every request an id: the caller's {@code x-request-id} when it is sane (1-128 of
 * {@code [A-Za-z0-9._:-]}), else a new UUIDv7. The id goes on the response at once, so every answer
 * carries it, errors included, and it is sent upstream.
 */
public final class RequestIds implements Handler<RoutingContext> {
  public static final String HEADER = "x-request-id";
  private static final String KEY = "tollgate.requestId";
  private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:\\-]{1,128}");

  private final IdGenerator ids;

  public RequestIds(IdGenerator ids) {
    this.ids = ids;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String given = ctx.request().getHeader(HEADER);
    String id = given != null && SANE.matcher(given).matches() ? given : ids.next();
    ctx.put(KEY, id);
    ctx.response().putHeader(HEADER, id);
    ctx.next();
  }

  /** The id of a request that passed through this handler. */
  public static String of(RoutingContext ctx) {
    String id = ctx.get(KEY);
    return id == null ? "unknown" : id;
  }
}
