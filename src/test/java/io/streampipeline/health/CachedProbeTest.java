package io.streampipeline.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CachedProbeTest {
  private final AtomicLong now = new AtomicLong(10_000);
  private final AtomicInteger runs = new AtomicInteger();

  @Test
  void runsAtMostOncePerMaxAge() {
    CachedProbe<Integer> probe = new CachedProbe<>(() -> Future.succeededFuture(runs.incrementAndGet()), 1000,
        now::get);
    assertEquals(1, probe.get().result());
    now.addAndGet(999);
    assertEquals(1, probe.get().result());
    assertEquals(1, runs.get());
    now.addAndGet(1);
    assertEquals(2, probe.get().result());
    assertEquals(2, runs.get());
  }

  @Test
  void callersWhileACheckRunsShareItEvenPastMaxAge() {
    Promise<Integer> pending = Promise.promise();
    CachedProbe<Integer> probe = new CachedProbe<>(() -> {
      runs.incrementAndGet();
      return pending.future();
    }, 1000, now::get);
    Future<Integer> first = probe.get();
    now.addAndGet(5000);
    assertSame(first, probe.get());
    assertEquals(1, runs.get());
    pending.complete(7);
    Future<Integer> next = probe.get();
    assertEquals(2, runs.get(), "a completed, stale outcome is checked again");
    assertSame(pending.future(), next);
  }
}
