package io.streampipeline.infra;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops the embedded broker's warning that its metadata log is empty on the first activation of its controller:
 * {@link EmbeddedKafka} has just formatted that log on a first start, so it is empty by design. Any other warning of
 * the controller still shows.
 *
 * <p>Installed by logback.xml as a turbo filter, so it sees the message before any appender does.
 */
public final class EmbeddedKafkaFirstStart extends TurboFilter {
  private static final String LOGGER = "org.apache.kafka.controller.QuorumController";
  private static final String EMPTY_METADATA_LOG = "Performing controller activation. The metadata log appears to be "
      + "empty.";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
      Throwable t) {
    if (format != null && level == Level.WARN && LOGGER.equals(logger.getName())
        && format.contains(EMPTY_METADATA_LOG)) {
      return FilterReply.DENY;
    }
    return FilterReply.NEUTRAL;
  }
}
