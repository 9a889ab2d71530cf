package io.streampipeline.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** What the bench accepts as an exact replay by another system's job. */
class AlternativeRunTest {
  private static final Preload.Result SENT = new Preload.Result(1000, 950, 30, 15, 5, 40, 0, 0, 1);

  private static JsonObject report(long read, long stored) {
    return new JsonObject().put("records_read", read).put("events_stored", stored);
  }

  @Test
  void everyRecordReadAndEveryValidEventCountedOnce() {
    assertTrue(AlternativeRun.exact(report(1000, 950), 950, 1000, SENT), "stored and committed");
    assertTrue(AlternativeRun.exact(report(1000, 950), 0, 1000, SENT), "a job that writes no database");
    assertTrue(AlternativeRun.exact(report(1000, 950), 950, -1, SENT), "a job that commits no positions to Kafka");
  }

  @Test
  void aMissedDoubledOrUncommittedRecordFails() {
    assertFalse(AlternativeRun.exact(report(999, 950), 950, 1000, SENT), "a record not read");
    assertFalse(AlternativeRun.exact(report(2000, 1900), 950, 1000, SENT), "read twice");
    assertFalse(AlternativeRun.exact(report(1000, 951), 950, 1000, SENT), "an event counted twice");
    assertFalse(AlternativeRun.exact(report(1000, 950), 949, 1000, SENT), "an event not stored");
    assertFalse(AlternativeRun.exact(report(1000, 950), 951, 1000, SENT), "an event stored twice");
    assertFalse(AlternativeRun.exact(report(1000, 950), 950, 990, SENT), "positions short of the end");
    assertFalse(AlternativeRun.exact(new JsonObject(), 950, 1000, SENT), "no figures in the report");
  }
}
