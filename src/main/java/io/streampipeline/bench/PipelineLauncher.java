package io.streampipeline.bench;

import io.streampipeline.config.PipelineConfig;

/**
 * How the bench makes the pipeline it measures. The wiring lives on the floor above the bench (app); Main hands it
 * in, so the bench drives the very pipeline a process runs without importing that floor.
 */
public interface PipelineLauncher {
  BenchedPipeline create(PipelineConfig config);

  /** The main class a separate pipeline JVM starts with; it runs {@link PipelineChild#run} when it finds
   * {@value PipelineChild#REPORT_ENV} set. */
  String childMainClass();
}
