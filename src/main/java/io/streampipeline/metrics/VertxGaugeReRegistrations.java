package io.streampipeline.metrics;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops Micrometer's warning that a Vert.x gauge "has been already registered". Vert.x's Micrometer metrics register
 * the gauge of a socket or pool again for every connection and share one value per gauge id, so the second
 * connection of a kind (the second PostgreSQL connection of a start) always meets the gauge registered by the first:
 * the registration is meant to find it, and the figures are right (vert-x3/vertx-micrometer-metrics#259). The same
 * warning about one of this pipeline's own meters still shows.
 *
 * <p>Installed by logback.xml as a turbo filter, so it sees the message before any appender does.
 */
public final class VertxGaugeReRegistrations extends TurboFilter {
  private static final String LOGGER = "io.micrometer.core.instrument.MeterRegistry";
  private static final String VERTX_GAUGE = "This Gauge has been already registered (MeterId{name='vertx.";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
      Throwable t) {
    if (format != null && level == Level.WARN && LOGGER.equals(logger.getName()) && format.startsWith(VERTX_GAUGE)) {
      return FilterReply.DENY;
    }
    return FilterReply.NEUTRAL;
  }
}
