package dev.tollgate.server;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;

/**
 * Bridges between event loops and blocking work: runs blocking code on virtual threads and brings
 * results back to the calling Vert.x context, so handlers never block and never change threads.
 */
public final class Async {
  private final ExecutorService blocking;

  public Async(ExecutorService blocking) {
    this.blocking = blocking;
  }

  /** Runs {@code task} on a virtual thread; the future completes on {@code context}. */
  public <T> Future<T> blocking(Context context, Callable<T> task) {
    return on(context, CompletableFuture.supplyAsync(() -> {
      try {
        return task.call();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new CompletionException(e);
      }
    }, blocking));
  }

  /**
   * A Vert.x future for {@code stage} whose callbacks run on {@code context}; when the stage is
   * already complete (a cache hit) it completes at once without a hop.
   */
  public static <T> Future<T> on(Context context, CompletionStage<T> stage) {
    CompletableFuture<T> cf = stage.toCompletableFuture();
    if (cf.isDone()) {
      try {
        return Future.succeededFuture(cf.join());
      } catch (CompletionException e) {
        return Future.failedFuture(unwrap(e));
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    }
    Promise<T> promise = Promise.promise();
    cf.whenComplete((value, failure) -> context.runOnContext(v -> {
      if (failure != null) {
        promise.fail(unwrap(failure));
      } else {
        promise.complete(value);
      }
    }));
    return promise.future();
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }
}
