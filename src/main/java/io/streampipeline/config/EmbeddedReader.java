package io.streampipeline.config;

import java.nio.file.Path;

/** DATA_DIR, EMBEDDED_KAFKA_PORT and EMBEDDED_POSTGRES_PORT. */
final class EmbeddedReader {
  private EmbeddedReader() {
  }

  static EmbeddedServers read(ConfigSource in) {
    int kafkaPort = in.port(ConfigKey.EMBEDDED_KAFKA_PORT);
    int postgresPort = in.port(ConfigKey.EMBEDDED_POSTGRES_PORT);
    return new EmbeddedServers(kafkaPort, Path.of(in.text(ConfigKey.DATA_DIR)), postgresPort);
  }
}
