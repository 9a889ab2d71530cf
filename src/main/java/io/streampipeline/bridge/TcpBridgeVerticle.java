package io.streampipeline.bridge;

import io.streampipeline.bus.Addresses;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.infra.Endpoints;
import io.streampipeline.window.WindowJson;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live feed for programs that are not browsers: the Vert.x TCP event-bus bridge on EVENTBUS_TCP_PORT
 * (frames of a 4-byte big-endian length and a UTF-8 JSON object), bound to DASHBOARD_HOST. Outbound only,
 * with the SockJS bridge's addresses ({@link Addresses#OUTBOUND}): clients may register for the live stats
 * and for every closed window; every send and publish from a client, and a registration for any other
 * address, is answered with an {@code err} frame {@code access_denied}. The closed windows come from
 * clickstream.aggregated ({@link AggregatedTail}), so this works whether the pipeline runs here or elsewhere;
 * they are published on the bus with EVENTBUS_TCP_PORT=0 too, for the SockJS bridge.
 */
public final class TcpBridgeVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(TcpBridgeVerticle.class);

  private final PipelineConfig config;
  private final Endpoints endpoints;
  private AggregatedTail tail;
  private TcpEventBusBridge bridge;

  public TcpBridgeVerticle(PipelineConfig config, Endpoints endpoints) {
    this.config = config;
    this.endpoints = endpoints;
  }

  /** No inbound permission at all: the bridge refuses every send and publish. */
  static BridgeOptions outboundOnly() {
    BridgeOptions options = new BridgeOptions();
    Addresses.OUTBOUND.forEach(address -> options.addOutboundPermitted(new PermittedOptions().setAddress(address)));
    return options;
  }

  @Override
  public Future<?> start() {
    tail = new AggregatedTail(vertx, endpoints, config.kafka().aggregatedTopic(),
        window -> vertx.eventBus().publish(Addresses.LIVE_WINDOWS, WindowJson.of(window)));
    PipelineConfig.LiveFeed feed = config.dashboard().liveFeed();
    if (!feed.enabled()) {
      return tail.start();
    }
    bridge = TcpEventBusBridge.create(vertx, outboundOnly());
    return tail.start()
        .compose(v -> bridge.listen(feed.tcpPort(), feed.host()))
        .onSuccess(b -> log.info("Live feed over TCP (Vert.x event-bus bridge) on {}:{}: register for '{}' "
            + "(closed windows) or '{}' (live stats); see examples/", feed.host(), feed.tcpPort(),
            Addresses.LIVE_WINDOWS, Addresses.DASHBOARD_STATS))
        .recover(err -> Future.failedFuture(new IllegalStateException("the live feed cannot listen on "
            + feed.host() + ":" + feed.tcpPort() + " (EVENTBUS_TCP_PORT, DASHBOARD_HOST; 0 turns it off): "
            + err.getMessage(), err)));
  }

  @Override
  public Future<?> stop() {
    Future<Void> closed = bridge == null ? Future.succeededFuture() : bridge.close();
    return closed.eventually(() -> tail.stop());
  }
}
