package io.streampipeline.config;

/**
 * How this process talks to a Confluent-compatible Schema Registry (SCHEMA_REGISTRY_*), and which wire format
 * the closed windows and the generator's events use. {@code url} null means no registry: messages starting with
 * 0x00 are then schemaless bodies, and both wire formats must be {@code single-object}.
 *
 * @param url SCHEMA_REGISTRY_URL without a trailing slash, or null
 * @param basicAuthUserInfo SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO ({@code user:password}), or null; a secret
 * @param rootCertPath SCHEMA_REGISTRY_SSL_ROOT_CERT: PEM file of the CA(s) to trust for an https URL, or null
 *     for the JVM's default trust store
 */
public record SchemaRegistrySettings(String url, String basicAuthUserInfo, String rootCertPath,
    WireFormat aggregatedWireFormat, WireFormat producerWireFormat) {

  public static final SchemaRegistrySettings NONE =
      new SchemaRegistrySettings(null, null, null, WireFormat.SINGLE_OBJECT, WireFormat.SINGLE_OBJECT);

  /** How Avro records are framed on a topic we write. */
  public enum WireFormat {
    /** Avro single-object encoding: 0xC3 0x01, the 8-byte schema fingerprint, the body. */
    SINGLE_OBJECT,
    /** Schema Registry framing: 0x00, the 4-byte big-endian schema id, the body. */
    REGISTRY;
  }

  public boolean enabled() {
    return url != null;
  }

  /** The user info is a password: never printed. */
  @Override
  public String toString() {
    return "SchemaRegistrySettings[url=" + url + ", basicAuth=" + (basicAuthUserInfo == null ? "none" : "<hidden>")
        + ", rootCert=" + rootCertPath + ", aggregatedWireFormat=" + ConfigName.of(aggregatedWireFormat)
        + ", producerWireFormat=" + ConfigName.of(producerWireFormat) + "]";
  }
}
