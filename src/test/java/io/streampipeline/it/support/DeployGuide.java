package io.streampipeline.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The settings the section "Deploy: secured Kafka and PostgreSQL" of docs/operations.md shows, so tests can run exactly those. */
public final class DeployGuide {
  private static final String SECTION = "## Deploy: secured Kafka and PostgreSQL";
  private static final Pattern SETTING = Pattern.compile("(?m)(?:^|\\s)([A-Z][A-Z0-9_]+)=(\\S+)");

  private DeployGuide() {
  }

  /** KEY=value pairs of the section's shell block whose settings start with {@code prefix}. */
  public static Map<String, String> block(String prefix) {
    String guide;
    try {
      guide = Files.readString(Path.of("docs/operations.md"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int start = guide.indexOf(SECTION);
    assertTrue(start >= 0, "docs/operations.md has the section " + SECTION);
    int end = guide.indexOf("\n## ", start + SECTION.length());
    String section = guide.substring(start, end < 0 ? guide.length() : end);
    for (String block : section.split("```bash")) {
      int close = block.indexOf("```");
      if (close < 0) {
        continue;
      }
      Map<String, String> settings = new LinkedHashMap<>();
      Matcher m = SETTING.matcher(block.substring(0, close));
      while (m.find()) {
        settings.put(m.group(1), m.group(2));
      }
      if (!settings.isEmpty() && settings.keySet().iterator().next().startsWith(prefix)) {
        return settings;
      }
    }
    throw new AssertionError("the deploy section of docs/operations.md has no block of " + prefix + "* settings");
  }

  /**
   * The test sets every key the guide shows, and the same value for those that are not addresses or files (the
   * test's servers and files are its own).
   */
  public static void assertSameSettings(Map<String, String> guide, Map<String, String> test, Set<String> sameValue) {
    assertEquals(guide.keySet(), Set.copyOf(test.keySet().stream().filter(guide::containsKey).toList()),
        "the test sets every key docs/operations.md shows: " + guide.keySet() + " vs " + test.keySet());
    for (String key : sameValue) {
      assertEquals(guide.get(key), test.get(key), key + " as docs/operations.md shows it");
    }
  }
}
