package io.streampipeline.infra;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Chooses the log format (LOG_FORMAT) before anything important is logged: logback.xml routes the root logger
 * to the appender named by the system property {@value #FORMAT_PROPERTY}, so setting it and reloading the file
 * switches every logger, including those created earlier.
 */
public final class Logging {
  static final String FORMAT_PROPERTY = "stream.pipeline.log.format";

  private Logging() {
  }

  public static void configure(String format) {
    System.setProperty(FORMAT_PROPERTY, format);
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    URL file = Logging.class.getClassLoader().getResource("logback.xml");
    if (!(factory instanceof LoggerContext context) || file == null) {
      return;
    }
    context.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(file);
    } catch (JoranException e) {
      System.err.println("logging: " + file + " could not be read: " + e.getMessage());
    }
  }
}
