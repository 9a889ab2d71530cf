package io.streampipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streampipeline.bus.DeadLetter;
import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.EnrichedEvent;
import io.streampipeline.metrics.PipelineMetrics;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A replayed message that is still bad carries the id of its first dead letter; others carry none. */
class ReplayLinkTest {
  private final RecordProcessor processor = new RecordProcessor("clickstream.events",
      new PipelineMetrics(new SimpleMeterRegistry()));

  @Test
  void undecodableAndInvalidReplaysAreLinked() {
    List<DeadLetter> dlq = new ArrayList<>();
    List<EnrichedEvent> stored = new ArrayList<>();
    processor.process(new byte[] {(byte) 0xff, 1, 2}, 0, 7, 0L, 99L, stored, dlq);
    ClickstreamEvent b = RecordProcessorTest.base();
    byte[] invalid = new ClickstreamCodec().encode(new ClickstreamEvent(b.eventId(), b.eventType(), b.timestamp(),
        "", b.sessionId(), b.productId(), b.productCategory(), b.priceCents(), b.quantity(), b.searchQuery(),
        b.pageUrl(), b.referrer(), b.userAgent(), b.ipAddress(), b.geoCountry(), b.geoCity()));
    processor.process(invalid, 0, 8, 0L, 100L, stored, dlq);
    processor.process(new byte[] {(byte) 0xff, 1, 2}, 0, 9, 0L, stored, dlq);
    assertEquals(0, stored.size());
    assertEquals(3, dlq.size());
    assertEquals(99L, dlq.get(0).replayOf());
    assertEquals(100L, dlq.get(1).replayOf());
    assertNull(dlq.get(2).replayOf());
  }

  /** A valid replayed event keeps the link, so that a row PostgreSQL refuses again is linked too. */
  @Test
  void storedReplaysCarryTheLink() {
    List<EnrichedEvent> stored = new ArrayList<>();
    byte[] valid = new ClickstreamCodec().encode(RecordProcessorTest.base());
    processor.process(valid, 1, 5, 0L, 77L, stored, new ArrayList<>());
    processor.process(valid, 1, 6, 0L, stored, new ArrayList<>());
    assertEquals(77L, stored.get(0).replayOf());
    assertNull(stored.get(1).replayOf());
    assertEquals(5, stored.get(0).offset());
  }
}
