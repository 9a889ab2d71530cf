package io.streampipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages stand on floors, lowest first; a package may use only its own floor and those below it, so that
 * configuration is a leaf and the wiring (app) is the only thing that knows every part. A sub-package (window.state)
 * stands on its parent's floor. Read from the source tree: every import, and every fully qualified name in code.
 */
class PackageFloorsTest {
  /** Low to high. A new package gets its place here. */
  static final List<String> FLOORS = List.of("config", "infra", "event", "registry", "bus", "health", "metrics",
      "window", "sink", "outbox", "replay", "ingest", "dashboard", "bridge", "generator", "bench", "app");

  private static final String ROOT = "io.streampipeline";
  private static final Path SOURCES = Path.of("src/main/java/io/streampipeline");
  private static final Pattern REFERENCE = Pattern.compile("\\bio\\.streampipeline\\.([a-z][a-z0-9_]*)[.;]");

  @Test
  void noPackageUsesAHigherFloor() throws IOException {
    List<String> violations = new ArrayList<>();
    for (Path file : sources()) {
      String from = floorName(file);
      String[] lines = Files.readString(file).split("\n", -1);
      for (int i = 0; i < lines.length; i++) {
        Matcher m = REFERENCE.matcher(lines[i]);
        while (m.find()) {
          String to = m.group(1);
          if (!FLOORS.contains(to)) {
            violations.add(SOURCES.relativize(file) + ":" + (i + 1) + " uses " + ROOT + "." + to
                + ", which is on no floor (add it to PackageFloorsTest.FLOORS)");
          } else if (FLOORS.indexOf(to) > FLOORS.indexOf(from)) {
            violations.add(SOURCES.relativize(file) + ":" + (i + 1) + " (" + from + ") uses the higher floor " + to
                + ": " + lines[i].strip());
          }
        }
      }
    }
    assertEquals(List.of(), violations, "imports running up the floors " + FLOORS);
  }

  @Test
  void everyPackageHasAFloor() throws IOException {
    List<String> missing = sources().stream().map(PackageFloorsTest::floorName)
        .filter(name -> !FLOORS.contains(name)).distinct().toList();
    assertEquals(List.of(), missing, "packages without a place in PackageFloorsTest.FLOORS");
  }

  private static List<Path> sources() throws IOException {
    assertTrue(Files.isDirectory(SOURCES), SOURCES.toAbsolutePath() + " is not a directory");
    try (Stream<Path> files = Files.walk(SOURCES)) {
      return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
    }
  }

  /** The first package segment under io.streampipeline: window.state stands on window's floor. */
  private static String floorName(Path file) {
    return SOURCES.relativize(file).getName(0).toString();
  }
}
