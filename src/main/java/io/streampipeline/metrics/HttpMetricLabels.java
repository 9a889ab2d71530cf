package io.streampipeline.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Keeps the labels of Vert.x's HTTP server meters to a fixed set, so requests with made-up methods or paths
 * cannot create new time series (each series costs memory here and in Prometheus for as long as it lives):
 * a method outside the standard ones becomes {@value #OTHER_METHOD}; a request no route matched gets the route
 * {@value #UNMATCHED_ROUTE} (matched routes are patterns from our own code, so they are few); a status code
 * outside 100-599 becomes {@value #OTHER_CODE}.
 */
public final class HttpMetricLabels {
  static final String OTHER_METHOD = "OTHER";
  static final String UNMATCHED_ROUTE = "UNMATCHED";
  static final String OTHER_CODE = "OTHER";
  private static final String PREFIX = "vertx.http.server";
  private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH",
      "TRACE", "CONNECT");

  private HttpMetricLabels() {
  }

  public static MeterFilter filter() {
    return new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        if (!id.getName().startsWith(PREFIX)) {
          return id;
        }
        List<Tag> tags = new ArrayList<>();
        for (Tag tag : id.getTagsAsIterable()) {
          tags.add(Tag.of(tag.getKey(), bounded(tag.getKey(), tag.getValue())));
        }
        return id.replaceTags(tags);
      }
    };
  }

  static String bounded(String label, String value) {
    return switch (label) {
      case "method" -> METHODS.contains(value) ? value : OTHER_METHOD;
      case "route" -> value == null || value.isEmpty() ? UNMATCHED_ROUTE : value;
      case "code" -> value != null && value.matches("[1-5][0-9][0-9]") ? value : OTHER_CODE;
      // The path label is off; should someone turn it on, it must not carry what clients typed.
      case "path" -> UNMATCHED_ROUTE;
      default -> value;
    };
  }
}
