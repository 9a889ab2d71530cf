package io.streampipeline.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streampipeline.sink.SinkPolicy.Failure;
import io.streampipeline.sink.SinkPolicy.Retry;
import io.streampipeline.sink.SinkPolicy.WriteMode;
import org.junit.jupiter.api.Test;

class SinkPolicyTest {

  @Test
  void aRepeatedEventIdSwitchesToSkippingDuplicatesAtOnce() {
    assertEquals(new Retry(WriteMode.SKIP_DUPLICATES, 0, 0),
        SinkPolicy.afterFailure(Failure.DUPLICATE_KEY, WriteMode.PLAIN, 0));
  }

  @Test
  void badRowsAreIsolatedOnceAndThenItIsAnOutage() {
    assertEquals(new Retry(WriteMode.ISOLATE_BAD_ROWS, 0, 0),
        SinkPolicy.afterFailure(Failure.BAD_DATA, WriteMode.PLAIN, 0));
    assertEquals(new Retry(WriteMode.ISOLATE_BAD_ROWS, 0, 0),
        SinkPolicy.afterFailure(Failure.DUPLICATE_KEY, WriteMode.SKIP_DUPLICATES, 0));
    assertEquals(new Retry(WriteMode.ISOLATE_BAD_ROWS, 100, 1),
        SinkPolicy.afterFailure(Failure.BAD_DATA, WriteMode.ISOLATE_BAD_ROWS, 0));
  }

  @Test
  void anOutageBacksOffExponentiallyUpToTenSecondsAndKeepsTheMode() {
    assertEquals(new Retry(WriteMode.SKIP_DUPLICATES, 100, 1),
        SinkPolicy.afterFailure(Failure.UNAVAILABLE, WriteMode.SKIP_DUPLICATES, 0));
    assertEquals(new Retry(WriteMode.PLAIN, 800, 4), SinkPolicy.afterFailure(Failure.UNAVAILABLE, WriteMode.PLAIN, 3));
    assertEquals(10_000, SinkPolicy.afterFailure(Failure.UNAVAILABLE, WriteMode.PLAIN, 40).delayMs());
  }

  @Test
  void aRefusalIsRetriedAtOnceForWhatIsLeft() {
    assertEquals(new Retry(WriteMode.PLAIN, 0, 2), SinkPolicy.afterFailure(Failure.FENCED, WriteMode.PLAIN, 2));
  }
}
