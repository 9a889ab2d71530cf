package io.streampipeline.config;

import java.nio.file.Path;

/**
 * Where the embedded Kafka and PostgreSQL keep their data and listen, when no address is configured. The data
 * directory sits between the two ports so that swapped ports do not compile. Built by {@link EmbeddedReader}.
 */
public record EmbeddedServers(int kafkaPort, Path dataDir, int postgresPort) {
}
