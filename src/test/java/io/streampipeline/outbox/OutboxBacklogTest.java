package io.streampipeline.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streampipeline.metrics.PipelineMetrics;
import io.streampipeline.outbox.OutboxStore.Backlog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The outbox backlog gauges: the store's figures per topic, NaN while it cannot be read, logged once per outage. */
class OutboxBacklogTest {
  private final FakeOutboxStore store = new FakeOutboxStore();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final OutboxBacklog backlog = new OutboxBacklog(store, new PipelineMetrics(registry), "agg", "dlq");
  private final Logger logger = (Logger) LoggerFactory.getLogger(OutboxBacklog.class);
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

  @BeforeEach
  void listen() {
    logged.start();
    logger.addAppender(logged);
  }

  @AfterEach
  void stopListening() {
    logger.detachAppender(logged);
  }

  private double gauge(String name, String topic) {
    return registry.find("stream_pipeline_" + name).tag("topic", topic).gauge().value();
  }

  @Test
  void reportsThePendingRowsAndTheOldestAgePerTopic() {
    store.backlog = new Backlog(3, 600, 2, 1200);
    backlog.read();
    assertEquals(3, gauge("outbox_pending", "agg"));
    assertEquals(600, gauge("outbox_oldest_seconds", "agg"));
    assertEquals(2, gauge("outbox_pending", "dlq"));
    assertEquals(1200, gauge("outbox_oldest_seconds", "dlq"));
  }

  @Test
  void showsNanWhileTheStoreCannotBeReadAndLogsItOncePerOutage() {
    store.backlog = new Backlog(3, 600, 2, 1200);
    backlog.read();
    store.failure = new IllegalStateException("PostgreSQL away");
    backlog.read();
    backlog.read();
    assertEquals(Double.NaN, gauge("outbox_pending", "agg"));
    assertEquals(Double.NaN, gauge("outbox_oldest_seconds", "dlq"));
    assertEquals(1, logged.list.stream().filter(e -> e.getLevel() == Level.WARN).count());

    store.failure = null;
    backlog.read();
    assertEquals(3, gauge("outbox_pending", "agg"));
    store.failure = new IllegalStateException("away again");
    backlog.read();
    assertEquals(2, logged.list.stream().filter(e -> e.getLevel() == Level.WARN).count(), "a new outage");
  }
}
