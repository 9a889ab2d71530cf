package io.streampipeline.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The embedded controller's first-activation warning is dropped; its other warnings show. */
class EmbeddedKafkaFirstStartTest {
  private static final String CONTROLLER = "org.apache.kafka.controller.QuorumController";

  private static List<String> logged(String logger, String message) {
    LoggerContext context = new LoggerContext();
    context.addTurboFilter(new EmbeddedKafkaFirstStart());
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.setContext(context);
    appender.start();
    Logger log = context.getLogger(logger);
    log.addAppender(appender);
    log.warn(message);
    return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  void anEmptyMetadataLogOnTheFirstActivationIsNotAWarning() {
    assertEquals(List.of(), logged(CONTROLLER, "[QuorumController id=1] Performing controller activation. The "
        + "metadata log appears to be empty. Appending 1 bootstrap record(s) in metadata transaction"));
  }

  @Test
  void theControllersOtherWarningsStillShow() {
    String other = "[QuorumController id=1] Renouncing the leadership due to a metadata log event";
    assertEquals(List.of(other), logged(CONTROLLER, other));
  }
}
