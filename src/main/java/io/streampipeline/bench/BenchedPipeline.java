package io.streampipeline.bench;

import io.streampipeline.metrics.PipelineMetrics;
import io.vertx.core.Vertx;

/** The pipeline the bench measures, as the process runs it (the app's wiring, made by a {@link PipelineLauncher}). */
public interface BenchedPipeline {
  /** Starts everything and blocks until deployed. */
  BenchedPipeline start();

  void stop();

  /** Null until started. */
  PipelineMetrics metrics();

  Vertx vertx();
}
