package io.streampipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.config.SchemaRegistrySettings.WireFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaRegistryConfigTest {

  @Test
  void withoutAUrlThereIsNoRegistryAndBothFormatsAreSingleObject() {
    SchemaRegistrySettings r = ConfigLoader.fromMap(Map.of()).schemaRegistry();
    assertFalse(r.enabled());
    assertNull(r.url());
    assertEquals(WireFormat.SINGLE_OBJECT, r.aggregatedWireFormat());
    assertEquals(WireFormat.SINGLE_OBJECT, r.producerWireFormat());
  }

  @Test
  void aRegistryWithCredentialsAndBothFormats() {
    SchemaRegistrySettings r = ConfigLoader.fromMap(Map.of("SCHEMA_REGISTRY_URL", "https://registry.example/apis/ccompat/v7/",
        "SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO", "svc:s3cr3t", "AGGREGATED_WIRE_FORMAT", "registry",
        "PRODUCER_WIRE_FORMAT", "Registry")).schemaRegistry();
    assertEquals("https://registry.example/apis/ccompat/v7", r.url());
    assertEquals("svc:s3cr3t", r.basicAuthUserInfo());
    assertEquals(WireFormat.REGISTRY, r.aggregatedWireFormat());
    assertEquals(WireFormat.REGISTRY, r.producerWireFormat());
    assertFalse(r.toString().contains("s3cr3t"), r.toString());
    assertFalse(ConfigLoader.fromMap(Map.of("SCHEMA_REGISTRY_URL", "http://r:8081",
        "SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO", "svc:s3cr3t")).toString().contains("s3cr3t"));
  }

  @Test
  void theCredentialsCanComeFromAFile(@TempDir Path dir) throws Exception {
    Path secret = dir.resolve("user-info");
    Files.writeString(secret, "svc:from-file\n");
    SchemaRegistrySettings r = ConfigLoader.fromMap(Map.of("SCHEMA_REGISTRY_URL", "http://r:8081",
        "SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO_FILE", secret.toString())).schemaRegistry();
    assertEquals("svc:from-file", r.basicAuthUserInfo());
  }

  @Test
  void badValuesNameTheirKeyAndNeverShowTheSecret(@TempDir Path dir) {
    assertEquals("Invalid configuration: SCHEMA_REGISTRY_URL='registry:8081' is not an http:// or https:// URL "
        + "without user info (credentials go in SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO)", message(Map.of(
            "SCHEMA_REGISTRY_URL", "registry:8081")));
    assertTrue(message(Map.of("SCHEMA_REGISTRY_URL", "http://svc:pw@r:8081")).startsWith(
        "Invalid configuration: SCHEMA_REGISTRY_URL="));
    assertEquals("Invalid configuration: SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO='<hidden>' is not user:password",
        message(Map.of("SCHEMA_REGISTRY_URL", "http://r:8081", "SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO", "justapassword")));
    assertEquals("Invalid configuration: PRODUCER_WIRE_FORMAT='registry' needs SCHEMA_REGISTRY_URL",
        message(Map.of("PRODUCER_WIRE_FORMAT", "registry")));
    assertEquals("Invalid configuration: AGGREGATED_WIRE_FORMAT='registry' needs SCHEMA_REGISTRY_URL",
        message(Map.of("AGGREGATED_WIRE_FORMAT", "registry")));
    assertEquals("Invalid configuration: AGGREGATED_WIRE_FORMAT='confluent' must be one of single-object, registry",
        message(Map.of("SCHEMA_REGISTRY_URL", "http://r:8081", "AGGREGATED_WIRE_FORMAT", "confluent")));
    String missing = dir.resolve("no-such-ca.pem").toString();
    assertEquals("Invalid configuration: SCHEMA_REGISTRY_SSL_ROOT_CERT='" + missing + "' does not exist",
        message(Map.of("SCHEMA_REGISTRY_URL", "https://r:8081", "SCHEMA_REGISTRY_SSL_ROOT_CERT", missing)));
  }

  private static String message(Map<String, String> values) {
    return assertThrows(ConfigException.class, () -> ConfigLoader.fromMap(values)).getMessage();
  }
}
