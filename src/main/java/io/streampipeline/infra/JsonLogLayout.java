package io.streampipeline.infra;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * LOG_FORMAT=json: one JSON object per line with {@code timestamp} (ISO-8601 in UTC, date included),
 * {@code level}, {@code logger}, {@code thread}, {@code message}, {@code lane} when the line comes from a lane's
 * verticle (its deployment config names it), every MDC entry (e.g. {@code partition}) and {@code exception}
 * (the stack trace as text) when there is one.
 */
public final class JsonLogLayout extends LayoutBase<ILoggingEvent> {
  /** The deployment-config key of a lane's verticles. */
  public static final String LANE = "lane";
  private static final JsonFactory JSON = new JsonFactory();

  @Override
  public String doLayout(ILoggingEvent event) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("timestamp", DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(event.getTimeStamp())));
      json.writeStringField("level", event.getLevel().toString());
      json.writeStringField("logger", event.getLoggerName());
      json.writeStringField("thread", event.getThreadName());
      json.writeStringField("message", event.getFormattedMessage());
      Integer lane = currentLane();
      if (lane != null) {
        json.writeNumberField(LANE, lane);
      }
      Map<String, String> mdc = event.getMDCPropertyMap();
      if (mdc != null) {
        for (Map.Entry<String, String> entry : mdc.entrySet()) {
          if (!LANE.equals(entry.getKey()) || lane == null) {
            json.writeStringField(entry.getKey(), entry.getValue());
          }
        }
      }
      IThrowableProxy thrown = event.getThrowableProxy();
      if (thrown != null) {
        json.writeStringField("exception", ThrowableProxyUtil.asString(thrown));
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.append(CoreConstants.LINE_SEPARATOR).toString();
  }

  /** The lane of the verticle on whose context this line is logged, if any. */
  private static Integer currentLane() {
    Context context = Vertx.currentContext();
    if (context == null) {
      return null;
    }
    // Lane verticles are deployed with setInstances, so they share one deployment config: each instance names
    // its lane in its own context's data instead (see Application#deployLanes).
    Object lane = context.get(LANE);
    return lane instanceof Number n ? n.intValue() : null;
  }
}
