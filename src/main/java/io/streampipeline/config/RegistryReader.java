package io.streampipeline.config;

import java.nio.file.Path;
import java.util.Locale;

/** SCHEMA_REGISTRY_URL, its credentials and CA, and the two wire formats. */
final class RegistryReader {
  private RegistryReader() {
  }

  static SchemaRegistrySettings read(ConfigSource in) {
    String url = in.optional(ConfigKey.SCHEMA_REGISTRY_URL);
    if (url != null) {
      String lower = url.toLowerCase(Locale.ROOT);
      if (!(lower.startsWith("http://") || lower.startsWith("https://")) || lower.contains("@")) {
        throw new ConfigException("SCHEMA_REGISTRY_URL", url, "is not an http:// or https:// URL without user info "
            + "(credentials go in SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO)");
      }
      while (url.endsWith("/")) {
        url = url.substring(0, url.length() - 1);
      }
    }
    // Like every key, it may come from SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO_FILE (a mounted secret).
    String userInfo = in.optional(ConfigKey.SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO);
    if (userInfo != null && userInfo.indexOf(':') < 1) {
      throw new ConfigException("SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO", "<hidden>", "is not user:password");
    }
    Path rootCert = in.readableFile(ConfigKey.SCHEMA_REGISTRY_SSL_ROOT_CERT);
    SchemaRegistrySettings.WireFormat aggregated = wireFormat(in, ConfigKey.AGGREGATED_WIRE_FORMAT, url);
    SchemaRegistrySettings.WireFormat producer = wireFormat(in, ConfigKey.PRODUCER_WIRE_FORMAT, url);
    return new SchemaRegistrySettings(url, userInfo, rootCert == null ? null : rootCert.toString(), aggregated,
        producer);
  }

  private static SchemaRegistrySettings.WireFormat wireFormat(ConfigSource in, ConfigKey key, String registryUrl) {
    SchemaRegistrySettings.WireFormat format = in.named(key, SchemaRegistrySettings.WireFormat.class);
    if (format == SchemaRegistrySettings.WireFormat.REGISTRY && registryUrl == null) {
      throw new ConfigException(key.name(), in.text(key), "needs SCHEMA_REGISTRY_URL");
    }
    return format;
  }
}
