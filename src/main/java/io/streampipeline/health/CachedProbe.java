package io.streampipeline.health;

import io.vertx.core.Future;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A check that runs for real at most once per {@code maxAgeMs}: callers within that time get the last outcome,
 * and callers while a check is running share it. Probes from Kubernetes, compose and Prometheus can come from
 * several places at once; none of them should multiply the load on Kafka or PostgreSQL.
 * Used on one event loop only (the metrics server's).
 */
public final class CachedProbe<T> {
  private final Supplier<Future<T>> check;
  private final long maxAgeMs;
  private final LongSupplier clock;
  private Future<T> last;
  private long startedAt;

  public CachedProbe(Supplier<Future<T>> check, long maxAgeMs, LongSupplier clock) {
    this.check = check;
    this.maxAgeMs = maxAgeMs;
    this.clock = clock;
  }

  public Future<T> get() {
    long now = clock.getAsLong();
    if (last == null || (last.isComplete() && now - startedAt >= maxAgeMs)) {
      startedAt = now;
      last = check.get();
    }
    return last;
  }
}
