package io.streampipeline.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.RegistrySchemas;
import org.junit.jupiter.api.Test;

class RegistrySchemasTest {
  private static final String V1 = ClickstreamCodec.V1.toString();
  private final RegistrySchemas schemas = new RegistrySchemas(ClickstreamCodec.V1, "ClickstreamEvent v1");

  @Test
  void anIdNeverSeenMustBeLookedUp() {
    assertTrue(schemas.needsLookup(5, 0));
    assertNull(schemas.get(5));
  }

  @Test
  void theReaderSchemaItselfNeedsNoResolution() {
    // A registry may hand the schema back pretty-printed or with other whitespace: the canonical form decides.
    RegistrySchemas.Entry entry = schemas.found(1, null, ClickstreamCodec.V1.toString(true));
    RegistrySchemas.Usable usable = assertInstanceOf(RegistrySchemas.Usable.class, entry);
    assertTrue(usable.sameAsReader());
    assertSame(entry, schemas.get(1));
    assertFalse(schemas.needsLookup(1, Long.MAX_VALUE), "a known schema is kept for the life of the process");
    assertInstanceOf(RegistrySchemas.Usable.class, schemas.found(2, "AVRO", V1));
  }

  @Test
  void aNewerWriterWithAnAddedDefaultedFieldIsUsable() {
    String newer = V1.substring(0, V1.lastIndexOf(']'))
        + ",{\"name\":\"campaign\",\"type\":\"string\",\"default\":\"none\"}]}";
    RegistrySchemas.Usable usable = assertInstanceOf(RegistrySchemas.Usable.class, schemas.found(3, null, newer));
    assertFalse(usable.sameAsReader());
    assertEquals("none", usable.writer().getField("campaign").defaultVal());
  }

  @Test
  void anIncompatibleWriterIsUnusableForGood() {
    String incompatible = V1.replaceFirst("\"name\":\"event_id\",\"type\":\"string\"", "\"name\":\"event_id\",\"type\":\"int\"");
    RegistrySchemas.Unusable unusable = assertInstanceOf(RegistrySchemas.Unusable.class,
        schemas.found(4, null, incompatible));
    assertTrue(unusable.reason().startsWith("schema registry id 4 cannot be read as ClickstreamEvent v1: "),
        unusable.reason());
    assertTrue(unusable.reason().contains("TYPE_MISMATCH at /fields/0/type"), unusable.reason());
    assertFalse(schemas.needsLookup(4, Long.MAX_VALUE - 1));
  }

  @Test
  void otherSchemaTypesAndGarbageAreUnusable() {
    assertEquals("schema registry id 6 is a PROTOBUF schema, not Avro",
        ((RegistrySchemas.Unusable) schemas.found(6, "PROTOBUF", "syntax = \"proto3\";")).reason());
    RegistrySchemas.Entry garbage = schemas.found(7, null, "{not json");
    assertTrue(((RegistrySchemas.Unusable) garbage).reason().startsWith("schema registry id 7 is not a parsable"));
  }

  @Test
  void anUnknownIdIsAskedAgainAfterAWhile() {
    long now = 1_000_000;
    RegistrySchemas.Unusable unusable = assertInstanceOf(RegistrySchemas.Unusable.class,
        schemas.notFound(8, "Schema 8 not found", now));
    assertEquals("unknown schema registry id 8 (registry: Schema 8 not found)", unusable.reason());
    assertFalse(schemas.needsLookup(8, now + RegistrySchemas.RECHECK_UNKNOWN_MS - 1));
    assertTrue(schemas.needsLookup(8, now + RegistrySchemas.RECHECK_UNKNOWN_MS));
    // Registered meanwhile: from then on it is known.
    schemas.found(8, null, V1);
    assertFalse(schemas.needsLookup(8, Long.MAX_VALUE));
  }
}
