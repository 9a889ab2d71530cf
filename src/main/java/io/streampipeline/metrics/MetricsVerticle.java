package io.streampipeline.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Serves the Prometheus text format on METRICS_PORT at /metrics. */
public final class MetricsVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(MetricsVerticle.class);
  private final PrometheusMeterRegistry registry;
  private final int port;
  private HttpServer server;

  public MetricsVerticle(PrometheusMeterRegistry registry, int port) {
    this.registry = registry;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    return vertx.createHttpServer().requestHandler(router).listen(port, "0.0.0.0")
        .onSuccess(s -> {
          server = s;
          log.info("Prometheus metrics at http://localhost:{}/metrics", s.actualPort());
        });
  }

  public int actualPort() {
    return server.actualPort();
  }
}
