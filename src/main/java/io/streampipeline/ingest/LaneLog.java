package io.streampipeline.ingest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lane's log lines, with the lane named once (as Kafka's {@code LogContext} does): every message starts with
 * "lane N: ", lanes numbered from 0. The ingest classes of a lane share one, instead of repeating the prefix in
 * each message.
 */
public final class LaneLog {
  private final String name;
  private final String prefix;
  private final Logger log;

  private LaneLog(int lane, Logger log) {
    this.name = "lane " + lane;
    this.prefix = name + ": ";
    this.log = log;
  }

  /**
   * The lane's log lines, written by the logger of {@code owner}. The classes of one lane share the instance, so
   * its lines come from one logger whichever class writes them.
   */
  public static LaneLog of(int lane, Class<?> owner) {
    return new LaneLog(lane, LoggerFactory.getLogger(owner));
  }

  /** "lane N", for components that name their owner themselves. */
  public String name() {
    return name;
  }

  public void info(String format, Object... args) {
    if (log.isInfoEnabled()) {
      log.info(prefix + format, args);
    }
  }

  public void warn(String format, Object... args) {
    if (log.isWarnEnabled()) {
      log.warn(prefix + format, args);
    }
  }

  public void error(String format, Object... args) {
    if (log.isErrorEnabled()) {
      log.error(prefix + format, args);
    }
  }

  public void debug(String format, Object... args) {
    if (log.isDebugEnabled()) {
      log.debug(prefix + format, args);
    }
  }
}
