package io.streampipeline.health;

import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * /health/live: every Vert.x event loop runs a no-op task within {@value #TIMEOUT_MS} ms. It asks nothing of
 * Kafka or PostgreSQL, so an outage of either never restarts the process; a blocked or dead event loop does.
 */
public final class Liveness {
  static final long TIMEOUT_MS = 5_000;
  private final Vertx vertx;

  public Liveness(Vertx vertx) {
    this.vertx = vertx;
  }

  public Future<ProbeReport> check() {
    List<Future<Void>> answers = new ArrayList<>();
    for (EventExecutor loop : ((VertxInternal) vertx).eventLoopGroup()) {
      Promise<Void> answered = Promise.promise();
      loop.execute(answered::tryComplete);
      answers.add(answered.future());
    }
    int loops = answers.size();
    return Future.all(answers).timeout(TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .map(v -> ProbeReport.of(Map.of("event_loops", "UP: " + loops + " answered")))
        .recover(e -> {
          long silent = answers.stream().filter(f -> !f.isComplete()).count();
          return Future.succeededFuture(ProbeReport.of(Map.of("event_loops",
              "DOWN: " + silent + " of " + loops + " event loops did not answer within " + TIMEOUT_MS + " ms")));
        });
  }
}
