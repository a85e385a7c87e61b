package io.zoobench.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A parallel loop over {@code 0..n-1} on a fixed number of daemon threads, handing out chunks
 * of indices. Results are written by index, so the outcome does not depend on scheduling; the
 * first failure (by index order of the chunks that failed) is rethrown as is.
 */
final class Parallel {
  private Parallel() {}

  static void forEach(int threads, int n, int chunk, IntConsumer body) {
    int workers = Math.min(threads, Math.max(1, (n + chunk - 1) / chunk));
    if (workers <= 1) {
      for (int i = 0; i < n; i++) {
        body.accept(i);
      }
      return;
    }
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
      Thread t = new Thread(r, "zoobench-eval");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        futures.add(pool.submit(() -> {
          int from;
          while ((from = next.getAndAdd(chunk)) < n) {
            int to = Math.min(n, from + chunk);
            for (int i = from; i < to; i++) {
              body.accept(i);
            }
          }
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("evaluation interrupted", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException re) {
        throw re;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(c);
    } finally {
      pool.shutdownNow();
    }
  }
}
