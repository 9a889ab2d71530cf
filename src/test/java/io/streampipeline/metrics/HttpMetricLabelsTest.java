package io.streampipeline.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class HttpMetricLabelsTest {

  @Test
  void madeUpMethodsRoutesAndCodesShareOneSeries() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    registry.config().meterFilter(HttpMetricLabels.filter());
    for (int i = 0; i < 500; i++) {
      Counter.builder("vertx.http.server.requests").tag("method", "M" + i).tag("route", "").tag("code", "404")
          .register(registry).increment();
    }
    Counter.builder("vertx.http.server.requests").tag("method", "GET").tag("route", "/api/stats").tag("code", "200")
        .register(registry).increment();
    assertEquals(2, registry.find("vertx.http.server.requests").counters().size());
    assertEquals(500.0, registry.get("vertx.http.server.requests").tag("method", "OTHER").tag("route", "UNMATCHED")
        .counter().count());
    assertEquals("GET", HttpMetricLabels.bounded("method", "GET"));
    assertEquals("OTHER", HttpMetricLabels.bounded("method", "get"));
    assertEquals("OTHER", HttpMetricLabels.bounded("code", "999"));
    assertEquals("something", HttpMetricLabels.bounded("other_label", "something"));
  }
}
