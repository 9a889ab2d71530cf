package io.streampipeline.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class RateMeterTest {

  @Test
  void noRateBeforeTwoSamples() {
    RateMeter meter = new RateMeter(10_000);
    assertNull(meter.perSecond());
    meter.record(1000, 5);
    assertNull(meter.perSecond());
  }

  @Test
  void ratePerSecondOverTheSpan() {
    RateMeter meter = new RateMeter(10_000);
    for (int s = 0; s <= 30; s++) {
      // Steps of 500 every 5 s, like offsets committed once per flush: 100/s on average.
      meter.record(s * 1000L, (s / 5) * 500.0);
    }
    assertEquals(100.0, meter.perSecond(), 10.0);
  }

  @Test
  void oldSamplesLeaveTheSpan() {
    RateMeter meter = new RateMeter(10_000);
    meter.record(0, 0);
    meter.record(1000, 1_000_000);
    for (int s = 2; s <= 30; s++) {
      meter.record(s * 1000L, 1_000_000 + (s - 1) * 10.0);
    }
    assertEquals(10.0, meter.perSecond(), 1e-9, "the early burst is no longer in the last 10 s");
  }

  @Test
  void aTotalThatGoesDownStartsAfresh() {
    RateMeter meter = new RateMeter(10_000);
    meter.record(0, 1000);
    meter.record(1000, 2000);
    meter.record(2000, 10);
    assertNull(meter.perSecond());
    meter.record(3000, 30);
    assertEquals(20.0, meter.perSecond(), 1e-9);
  }
}
