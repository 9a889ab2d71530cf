package io.streampipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** docs/configuration.md is what the key table generates; {@code -Dregenerate} rewrites it. */
class ConfigDocsTest {
  @Test
  void theConfigurationPageIsGeneratedFromTheKeyTable() throws IOException {
    String expected = ConfigDocs.render();
    if (System.getProperty("regenerate") != null) {
      Files.writeString(ConfigDocs.FILE, expected, StandardCharsets.UTF_8);
    }
    assertTrue(Files.exists(ConfigDocs.FILE), ConfigDocs.FILE + " is missing: run " + ConfigDocs.REGENERATE);
    String actual = Files.readString(ConfigDocs.FILE, StandardCharsets.UTF_8);
    assertEquals(expected, actual, ConfigDocs.FILE + " differs from what the key table (config/ConfigKey.java) "
        + "generates: edit the table, not the page, and run " + ConfigDocs.REGENERATE);
  }

  @Test
  void everyKeyIsDescribed() {
    for (ConfigKey key : ConfigKey.values()) {
      assertTrue(!key.description().isBlank() && !key.readBy().isEmpty(), key.name());
      assertTrue(key.defaultValue() != null ^ key.unsetMeans() != null,
          key + ": either a default or what unset means, not both");
      assertTrue(!key.description().contains("\n"), key + ": one line");
    }
  }

  @Test
  void everyRowOfTheTableIsReadByAReader() {
    Set<ConfigKey> read = EnumSet.noneOf(ConfigKey.class);
    read.addAll(ConfigLoader.keysRead(Map.of()));
    read.addAll(ConfigLoader.keysRead(Map.of("ROLES", "replay-dlq")));
    read.add(ConfigKey.CONFIG_FILE); // read by ConfigLoader.load, before there is anything to read from
    Set<ConfigKey> unread = EnumSet.complementOf(EnumSet.copyOf(read));
    assertEquals(Set.of(), unread, "keys in the table that no reader reads");
  }

  @Test
  void knownNamesAreTheTableItsFileFormsAndKafkaProperties() {
    assertTrue(ConfigKey.isKnown("POSTGRES_PASSWORD"));
    assertTrue(ConfigKey.isKnown("POSTGRES_PASSWORD_FILE"));
    assertTrue(ConfigKey.isKnown("KAFKA_PROPERTY_SECURITY_PROTOCOL"));
    assertTrue(ConfigKey.isKnown("CONFIG_FILE"));
    assertTrue(!ConfigKey.isKnown("POSTGRES_PASSWORD_TYPO"));
    assertTrue(!ConfigKey.isKnown("KAFKA_PROPERTY_"));
    assertEquals(ConfigKey.values().length, ConfigLoader.knownKeys().size());
  }
}
