package io.streampipeline.it;

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
final class ReadmeDeploy {
  private static final String SECTION = "## Deploy: secured Kafka and PostgreSQL";
  private static final Pattern SETTING = Pattern.compile("(?m)(?:^|\\s)([A-Z][A-Z0-9_]+)=(\\S+)");

  private ReadmeDeploy() {
  }

  /** KEY=value pairs of the section's shell block whose settings start with {@code prefix}. */
  static Map<String, String> block(String prefix) {
    String readme;
    try {
      readme = Files.readString(Path.of("docs/operations.md"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int start = readme.indexOf(SECTION);
    assertTrue(start >= 0, "docs/operations.md has the section " + SECTION);
    int end = readme.indexOf("\n## ", start + SECTION.length());
    String section = readme.substring(start, end < 0 ? readme.length() : end);
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
  static void assertSameSettings(Map<String, String> readme, Map<String, String> test, Set<String> sameValue) {
    assertEquals(readme.keySet(), Set.copyOf(test.keySet().stream().filter(readme::containsKey).toList()),
        "the test sets every key docs/operations.md shows: " + readme.keySet() + " vs " + test.keySet());
    for (String key : sameValue) {
      assertEquals(readme.get(key), test.get(key), key + " as docs/operations.md shows it");
    }
  }
}
