package dev.tollgate.protocol.openai.translate;

import dev.tollgate.protocol.canonical.StreamDecoder;
import dev.tollgate.protocol.canonical.StreamEvent;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Stream helpers for tests: SSE text into data payloads, bytes into a decoder in given pieces. */
final class Sse {
  private Sse() {}

  /** Each event's data, in order; every event must be exactly one {@code data: } line. */
  static List<String> data(String sse) {
    if (!sse.endsWith("\n\n")) {
      throw new AssertionError("the stream does not end with a whole event: " + sse);
    }
    return Arrays.stream(sse.substring(0, sse.length() - 2).split("\n\n", -1))
        .map(event -> {
          if (!event.startsWith("data: ") || event.contains("\n")) {
            throw new AssertionError("not a single data line: " + event);
          }
          return event.substring("data: ".length());
        })
        .toList();
  }

  /** Feeds {@code bytes} cut at {@code cuts} (ascending offsets), then ends the stream. */
  static List<StreamEvent> decode(StreamDecoder decoder, byte[] bytes, int... cuts) {
    List<StreamEvent> out = new ArrayList<>();
    int from = 0;
    for (int cut : cuts) {
      out.addAll(decoder.feed(Buffer.buffer(Arrays.copyOfRange(bytes, from, cut))));
      from = cut;
    }
    out.addAll(decoder.feed(Buffer.buffer(Arrays.copyOfRange(bytes, from, bytes.length))));
    out.addAll(decoder.end());
    return out;
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
