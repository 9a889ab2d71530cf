package io.streampipeline.dashboard;

import io.streampipeline.app.Endpoints;
import io.streampipeline.app.PipelineConfig;
import io.streampipeline.metrics.PipelineMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.Router;

/** HTTP on DASHBOARD_PORT. (First slice: the page and its data come with the dashboard issue.) */
public final class DashboardVerticle extends VerticleBase {
  private final PipelineConfig config;

  public DashboardVerticle(PipelineConfig config, Endpoints endpoints, PipelineMetrics metrics) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/health").handler(ctx -> ctx.json(new io.vertx.core.json.JsonObject().put("status", "UP")));
    return vertx.createHttpServer().requestHandler(router).listen(config.dashboardPort());
  }
}
