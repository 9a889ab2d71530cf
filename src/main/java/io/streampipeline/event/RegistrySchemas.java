package io.streampipeline.event;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;

/**
 * What this process learnt from the Schema Registry about the writer schemas of one kind of record: per
 * registry id, the parsed writer schema if it can be read with our reader schema, or why not. Shared by the
 * lanes of a process and safe for concurrent use; a schema id never changes its schema in a registry, so
 * answers are kept for the life of the process, except "no such id", which is asked again after
 * {@link #RECHECK_UNKNOWN_MS} (the producer may register it meanwhile). No Vert.x types: the decoders read it
 * synchronously; whoever talks to the registry fills it in beforehand.
 */
public final class RegistrySchemas {
  public static final long RECHECK_UNKNOWN_MS = 30_000;

  /** What is known about one schema id. */
  public sealed interface Entry permits Usable, Unusable {
  }

  /**
   * A writer schema that resolves against the reader.
   *
   * @param sameAsReader the writer is the reader schema itself (canonical form), so no resolution is needed
   */
  public record Usable(Schema writer, boolean sameAsReader) implements Entry {
  }

  /**
   * An id that cannot be decoded with: its messages go to the DLQ with {@code reason}.
   *
   * @param recheckAfterMs when to ask the registry again ({@code Long.MAX_VALUE}: never)
   */
  public record Unusable(String reason, long recheckAfterMs) implements Entry {
  }

  private final Schema reader;
  private final String readerName;
  private final long readerFingerprint;
  private final Map<Integer, Entry> entries = new ConcurrentHashMap<>();

  /**
   * @param reader the schema our code reads records as
   * @param readerName how reasons name the reader, e.g. "ClickstreamEvent v1"
   */
  public RegistrySchemas(Schema reader, String readerName) {
    this.reader = reader;
    this.readerName = readerName;
    this.readerFingerprint = SchemaNormalization.parsingFingerprint64(reader);
  }

  public Schema reader() {
    return reader;
  }

  /** Null when the id was never looked up. */
  public Entry get(int id) {
    return entries.get(id);
  }

  /** True when the registry must be asked about this id before a message that names it can be decoded. */
  public boolean needsLookup(int id, long nowMs) {
    Entry entry = entries.get(id);
    return entry == null || (entry instanceof Unusable unusable && nowMs >= unusable.recheckAfterMs());
  }

  /** The registry answered with the schema text (and its type; null means Avro, as the registries say it). */
  public Entry found(int id, String schemaType, String schemaText) {
    Entry entry = resolve(id, schemaType, schemaText);
    entries.put(id, entry);
    return entry;
  }

  /** The registry said it has no schema with this id. */
  public Entry notFound(int id, String registryMessage, long nowMs) {
    Entry entry = new Unusable("unknown schema registry id " + id
        + (registryMessage == null || registryMessage.isBlank() ? "" : " (registry: " + registryMessage + ")"),
        nowMs + RECHECK_UNKNOWN_MS);
    entries.put(id, entry);
    return entry;
  }

  private Entry resolve(int id, String schemaType, String schemaText) {
    if (schemaType != null && !schemaType.equalsIgnoreCase("AVRO")) {
      return new Unusable("schema registry id " + id + " is a " + schemaType + " schema, not Avro", Long.MAX_VALUE);
    }
    Schema writer;
    try {
      writer = new Schema.Parser().parse(schemaText);
    } catch (RuntimeException e) {
      return new Unusable("schema registry id " + id + " is not a parsable Avro schema: " + firstLine(e),
          Long.MAX_VALUE);
    }
    if (SchemaNormalization.parsingFingerprint64(writer) == readerFingerprint) {
      return new Usable(writer, true);
    }
    SchemaCompatibility.SchemaPairCompatibility compatibility =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      return new Unusable("schema registry id " + id + " cannot be read as " + readerName + ": "
          + compatibility.getResult().getIncompatibilities().stream().findFirst()
              .map(i -> i.getType() + " at " + i.getLocation() + " (" + i.getMessage() + ")").orElse("incompatible"),
          Long.MAX_VALUE);
    }
    return new Usable(writer, false);
  }

  private static String firstLine(RuntimeException e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
