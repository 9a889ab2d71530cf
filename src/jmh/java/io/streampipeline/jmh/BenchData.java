package io.streampipeline.jmh;

import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.generator.EventFactory;
import io.streampipeline.generator.GeneratedMessage;
import io.streampipeline.generator.GeneratedMessage.Kind;
import io.streampipeline.ingest.EventRules;
import java.util.ArrayList;
import java.util.List;

/** Seeded inputs shared by the benchmarks, made the way the bench role makes its replay. */
final class BenchData {
  static final long SEED = 20_260_101L;
  /** 2026-01-01T00:00:00Z: a fixed event-time origin, so every run sees the same bytes. */
  static final long T0 = 1_767_225_600_000L;
  static final long SESSION_TIMEOUT_MS = 1_800_000L;

  private BenchData() {
  }

  /** {@code n} messages of the realistic mix, event time rising evenly by {@code stepMs}. */
  static List<GeneratedMessage> messages(int n, int users, double errorRate, long stepMs) {
    EventFactory factory = new EventFactory(SEED, users, 500, SESSION_TIMEOUT_MS, errorRate);
    List<GeneratedMessage> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(factory.next(T0 + i * stepMs));
    }
    return out;
  }

  /** The stored form of {@code n} valid, non-bot events, all labelled as read from {@code partition}. */
  static EnrichedEvent[] enriched(int n, int users, long stepMs, int partition) {
    EventFactory factory = new EventFactory(SEED, users, 500, SESSION_TIMEOUT_MS, 0);
    EnrichedEvent[] out = new EnrichedEvent[n];
    long offset = 0;
    for (int filled = 0, i = 0; filled < n; i++) {
      GeneratedMessage m = factory.next(T0 + i * stepMs);
      if (m.kind() == Kind.VALID) {
        out[filled++] = EventRules.enrich(EventRules.normalize(m.event()), partition, offset++);
      }
    }
    return out;
  }
}
