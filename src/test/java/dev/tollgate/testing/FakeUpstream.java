package dev.tollgate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scriptable OpenAI-compatible provider on loopback, the only fake in the test suite. Each request
 * takes the next queued {@link Behavior} (or the default) and may misbehave: error statuses with
 * {@code Retry-After}, slow first bytes, streams cut mid-answer, streams that never end, malformed
 * SSE. It records what it received and notices when the gateway cancels a call.
 */
public final class FakeUpstream implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How to answer one request. */
  @FunctionalInterface
  public interface Behavior {
    void respond(Received request, HttpServerResponse response, Vertx vertx);
  }

  /** A request as the upstream saw it. */
  public record Received(String method, String uri, MultiMap headers, JsonNode body) {}

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final ConcurrentLinkedQueue<Behavior> script = new ConcurrentLinkedQueue<>();
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger cancellations = new AtomicInteger();
  private final AtomicInteger burstWritten = new AtomicInteger();
  private volatile Behavior fallback = json(200, chatCompletion("fake answer", 10, 5));

  private FakeUpstream() {
    server = vertx.createHttpServer().requestHandler(this::handle);
    server.listen(0, "127.0.0.1").await();
  }

  public static FakeUpstream start() {
    return new FakeUpstream();
  }

  public int port() {
    return server.actualPort();
  }

  /** The base URL to configure as the provider's {@code base_url}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port() + "/v1";
  }

  /** Answers the next request(s) in order, then falls back to the default. */
  public FakeUpstream enqueue(Behavior... behaviors) {
    Collections.addAll(script, behaviors);
    return this;
  }

  public FakeUpstream byDefault(Behavior behavior) {
    this.fallback = behavior;
    return this;
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  public Received last() {
    return received.getLast();
  }

  /** Calls whose connection the gateway closed before the answer ended. */
  public int cancellations() {
    return cancellations.get();
  }

  private void handle(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      JsonNode json;
      try {
        json = body.length() == 0 ? null : JSON.readTree(body.getBytes());
      } catch (IOException e) {
        json = null;
      }
      Received r = new Received(request.method().name(), request.uri(), MultiMap.caseInsensitiveMultiMap()
          .addAll(request.headers()), json);
      received.add(r);
      HttpServerResponse response = request.response();
      response.closeHandler(v -> {
        if (!response.ended()) {
          cancellations.incrementAndGet();
        }
      });
      Behavior next = script.poll();
      (next != null ? next : fallback).respond(r, response, vertx);
    });
  }

  // ---- behaviours ----------------------------------------------------------------------------

  public static Behavior json(int status, String body, String... headers) {
    return (req, res, vertx) -> {
      res.setStatusCode(status).putHeader("content-type", "application/json");
      for (int i = 0; i + 1 < headers.length; i += 2) {
        res.putHeader(headers[i], headers[i + 1]);
      }
      res.end(body);
    };
  }

  public static Behavior text(int status, String contentType, String body) {
    return (req, res, vertx) -> res.setStatusCode(status).putHeader("content-type", contentType).end(body);
  }

  /** Raw bytes (binary streams such as AWS event-stream), chunked. */
  public static Behavior bytes(int status, String contentType, byte[] body) {
    return (req, res, vertx) -> res.setStatusCode(status).putHeader("content-type", contentType).setChunked(true)
        .end(io.vertx.core.buffer.Buffer.buffer(body));
  }

  /** Headers at once, then the answer after {@code delay}. */
  public static Behavior delayed(Duration delay, Behavior then) {
    return (req, res, vertx) -> vertx.setTimer(delay.toMillis(), id -> {
      if (!res.closed()) {
        then.respond(req, res, vertx);
      }
    });
  }

  /** An SSE answer: each event written after {@code gap}. */
  public static Behavior sse(Duration gap, List<String> events) {
    return (req, res, vertx) -> {
      res.setStatusCode(200).putHeader("content-type", "text/event-stream").setChunked(true);
      writeEvents(res, vertx, events, 0, gap, () -> res.end());
    };
  }

  /** SSE events, then the connection is reset without an end. */
  public static Behavior sseThenReset(List<String> events) {
    return (req, res, vertx) -> {
      res.setStatusCode(200).putHeader("content-type", "text/event-stream").setChunked(true);
      writeEvents(res, vertx, events, 0, Duration.ofMillis(5), () -> vertx.setTimer(20, id -> res.reset()));
    };
  }

  /** SSE events, then silence with the connection held open forever. */
  public static Behavior sseThenHang(List<String> events) {
    return (req, res, vertx) -> {
      res.setStatusCode(200).putHeader("content-type", "text/event-stream").setChunked(true);
      writeEvents(res, vertx, events, 0, Duration.ofMillis(5), () -> {});
    };
  }

  /** An SSE stream that writes an event every {@code gap} until the connection closes. */
  public static Behavior endlessSse(Duration gap) {
    return (req, res, vertx) -> {
      res.setStatusCode(200).putHeader("content-type", "text/event-stream").setChunked(true);
      AtomicInteger n = new AtomicInteger();
      vertx.setPeriodic(gap.toMillis(), id -> {
        if (res.closed() || res.ended()) {
          vertx.cancelTimer(id);
          return;
        }
        res.write(chunk("tick " + n.incrementAndGet() + " "));
      });
    };
  }

  /**
   * Writes all events as fast as the gateway takes them, waiting for drain when its write queue is
   * full; {@link #burstWritten()} tells how far it got.
   */
  public Behavior burst(java.util.function.IntFunction<String> event, int count) {
    return (req, res, vertx) -> {
      res.setStatusCode(200).putHeader("content-type", "text/event-stream").setChunked(true);
      burst(res, event, count, 0);
    };
  }

  private void burst(HttpServerResponse res, java.util.function.IntFunction<String> event, int count, int from) {
    // A few events per event-loop turn, so the connection's writability is current when checked.
    int end = Math.min(count, from + 16);
    for (int i = from; i < end; i++) {
      if (res.closed()) {
        return;
      }
      res.write(event.apply(i));
      burstWritten.set(i + 1);
    }
    if (end == count) {
      res.end();
    } else if (res.writeQueueFull()) {
      res.drainHandler(v -> burst(res, event, count, end));
    } else {
      vertx.runOnContext(v -> burst(res, event, count, end));
    }
  }

  /** Events of the last burst handed to the connection so far. */
  public int burstWritten() {
    return burstWritten.get();
  }

  /** Never answers at all (not even headers). */
  public static Behavior silent() {
    return (req, res, vertx) -> {};
  }

  /** Resets the connection without any answer. */
  public static Behavior reset() {
    return (req, res, vertx) -> res.reset();
  }

  private static void writeEvents(HttpServerResponse res, Vertx vertx, List<String> events, int i, Duration gap,
      Runnable after) {
    if (res.closed()) {
      return;
    }
    if (i == events.size()) {
      after.run();
      return;
    }
    res.write(events.get(i));
    vertx.setTimer(Math.max(1, gap.toMillis()), id -> writeEvents(res, vertx, events, i + 1, gap, after));
  }

  // ---- canned OpenAI bodies ------------------------------------------------------------------

  public static String chatCompletion(String content, long prompt, long completion) {
    return """
        {"id":"chatcmpl-fake","object":"chat.completion","created":1700000000,"model":"upstream-model",\
        "choices":[{"index":0,"message":{"role":"assistant","content":%s,"refusal":null},"logprobs":null,\
        "finish_reason":"stop"}],"usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d,\
        "prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}"""
        .formatted(quote(content), prompt, completion, prompt + completion);
  }

  /** A {@code data:} event carrying one content delta. */
  public static String chunk(String content) {
    return "data: {\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
        + "\"model\":\"upstream-model\",\"choices\":[{\"index\":0,\"delta\":{\"content\":" + quote(content)
        + "},\"finish_reason\":null}]}\n\n";
  }

  public static String finishChunk() {
    return "data: {\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
        + "\"model\":\"upstream-model\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n";
  }

  public static String usageChunk(long prompt, long completion, long cached, long reasoning) {
    return "data: {\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
        + "\"model\":\"upstream-model\",\"choices\":[],\"usage\":{\"prompt_tokens\":" + prompt
        + ",\"completion_tokens\":" + completion + ",\"total_tokens\":" + (prompt + completion)
        + ",\"prompt_tokens_details\":{\"cached_tokens\":" + cached + "},"
        + "\"completion_tokens_details\":{\"reasoning_tokens\":" + reasoning + "}}}\n\n";
  }

  public static final String DONE = "data: [DONE]\n\n";

  /** A complete, well-formed stream: the words as deltas, a finish chunk, a usage chunk, [DONE]. */
  public static List<String> stream(List<String> words, long prompt, long completion) {
    List<String> events = new ArrayList<>();
    words.forEach(w -> events.add(chunk(w)));
    events.add(finishChunk());
    events.add(usageChunk(prompt, completion, 0, 0));
    events.add(DONE);
    return events;
  }

  static String quote(String s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A loopback port with nothing listening on it. */
  public static int closedPort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Map<String, String> headersOf(Received r) {
    Map<String, String> m = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    r.headers().forEach(e -> m.put(e.getKey(), e.getValue()));
    return m;
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
