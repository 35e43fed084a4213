package dev.tollgate.admin;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams a file download of lines (an export) with flat memory: lines gather into 64 KiB chunks and each
 * chunk's write is waited for, however large the export. Runs on a virtual thread (admin routes do).
 */
final class Download {
  private static final Logger log = LoggerFactory.getLogger(Download.class);
  private static final int CHUNK_BYTES = 64 * 1024;

  private Download() {}

  /**
   * Sends {@code contentType} as attachment {@code filename}: what {@code producer} hands its sink, each
   * line ending in a newline. A failure before the first byte is thrown (the caller answers with an
   * error); after it, the only honest signal left is a broken connection.
   */
  static void send(AdminCall call, String contentType, String filename, Consumer<Consumer<String>> producer) {
    HttpServerResponse response = call.context().response();
    response.setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, contentType)
        .putHeader("Content-Disposition", "attachment; filename=\"" + filename + "\"");
    try {
      StringBuilder chunk = new StringBuilder(CHUNK_BYTES + 1024);
      producer.accept(line -> {
        chunk.append(line);
        if (!line.endsWith("\n")) {
          chunk.append('\n');
        }
        if (chunk.length() >= CHUNK_BYTES) {
          response.write(chunk.toString()).toCompletionStage().toCompletableFuture().join();
          chunk.setLength(0);
        }
      });
      response.end(chunk.toString()).toCompletionStage().toCompletableFuture().join();
    } catch (RuntimeException e) {
      if (!response.headWritten()) {
        throw e;
      }
      log.atError().setCause(e).addKeyValue("request_id", call.requestId()).log("{} export failed mid-stream",
          filename);
      response.reset();
    }
  }
}
