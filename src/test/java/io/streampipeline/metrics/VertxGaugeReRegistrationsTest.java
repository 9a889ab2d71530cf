package io.streampipeline.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Micrometer's double-registration warning: dropped for Vert.x's own gauges only. */
class VertxGaugeReRegistrationsTest {

  private static List<String> logged(String logger, String... messages) {
    LoggerContext context = new LoggerContext();
    context.addTurboFilter(new VertxGaugeReRegistrations());
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.setContext(context);
    appender.start();
    Logger log = context.getLogger(logger);
    log.addAppender(appender);
    for (String message : messages) {
      log.warn(message);
    }
    return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  void aVertxGaugeRegisteredAgainIsNotAWarning() {
    assertEquals(List.of(), logged("io.micrometer.core.instrument.MeterRegistry",
        "This Gauge has been already registered (MeterId{name='vertx.net.client.active.connections', tags=[]}), "
            + "the registration will be ignored. Note that subsequent logs will be logged at debug level."));
  }

  @Test
  void anyOtherWarningStillShows() {
    String ours = "This Gauge has been already registered (MeterId{name='stream_pipeline_lag', tags=[]}), the "
        + "registration will be ignored.";
    assertEquals(List.of(ours), logged("io.micrometer.core.instrument.MeterRegistry", ours));
    String elsewhere = "This Gauge has been already registered (MeterId{name='vertx.x', tags=[]})";
    assertEquals(List.of(elsewhere), logged("some.other.Logger", elsewhere));
  }

  @Test
  void theInstalledLogConfigurationDropsItWhenMicrometerLogsIt() {
    // The installed logback.xml carries the filter: a Vert.x-style second registration logs nothing at WARN.
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.setContext(context);
    appender.start();
    Logger micrometer = context.getLogger("io.micrometer.core.instrument.MeterRegistry");
    micrometer.addAppender(appender);
    try {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      Gauge.builder("vertx.test.active.connections", () -> 1).register(registry);
      Gauge.builder("vertx.test.active.connections", () -> 1).register(registry);
      assertEquals(List.of(), appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
    } finally {
      micrometer.detachAppender(appender);
    }
  }
}
