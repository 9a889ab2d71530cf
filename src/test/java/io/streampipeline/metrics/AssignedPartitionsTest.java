package io.streampipeline.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class AssignedPartitionsTest {
  private static double assigned(SimpleMeterRegistry registry) {
    return registry.get("stream_pipeline_assigned_partitions").gauge().value();
  }

  @Test
  void aProcessWithoutLanesReportsZeroAssignedPartitions() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new PipelineMetrics(registry);
    assertEquals(0, assigned(registry));
  }

  @Test
  void revokedPartitionsStopCountingWhileTheirLagSeriesStaysAtZero() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PipelineMetrics metrics = new PipelineMetrics(registry);
    metrics.consumerLag(0, 12);
    metrics.consumerLag(1, 0);
    metrics.consumerLag(1, 3);
    assertEquals(2, assigned(registry));

    metrics.partitionRevoked(0);
    metrics.partitionRevoked(1);
    assertEquals(0, assigned(registry));
    assertEquals(0, registry.get("stream_pipeline_consumer_lag").tag("partition", "0").gauge().value());
  }
}
