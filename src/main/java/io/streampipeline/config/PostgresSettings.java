package io.streampipeline.config;

/**
 * The PostgreSQL to use (host null: start the embedded database) and who to be there. TLS and the pool size are
 * in {@link ConnectionSettings}. Built by {@link PostgresReader}.
 */
public record PostgresSettings(String host, int port, String database, String user, Secret password) {
}
