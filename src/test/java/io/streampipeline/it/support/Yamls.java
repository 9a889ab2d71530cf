package io.streampipeline.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/** Reading rendered manifests and compose files as plain maps and lists. */
public final class Yamls {
  private Yamls() {
  }

  @SuppressWarnings("unchecked")
  public static Map<String, Object> map(Object o) {
    return o == null ? Map.of() : (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  public static List<Object> list(Object o) {
    return o == null ? List.of() : (List<Object>) o;
  }

  public static List<String> strings(Object o) {
    return list(o).stream().map(String::valueOf).toList();
  }

  public static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Map<String, Object> load(Path file) {
    return map(new Yaml().load(read(file)));
  }

  public static List<Map<String, Object>> loadAll(String text) {
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object doc : new Yaml().loadAll(text)) {
      if (doc != null) {
        docs.add(map(doc));
      }
    }
    return docs;
  }

  public static String name(Map<String, Object> object) {
    return String.valueOf(map(object.get("metadata")).get("name"));
  }
}
