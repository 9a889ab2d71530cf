package io.streampipeline.config;

/** POSTGRES_HOST, _PORT, _DATABASE, _USER and _PASSWORD. */
final class PostgresReader {
  private PostgresReader() {
  }

  static PostgresSettings read(ConfigSource in) {
    String host = in.optional(ConfigKey.POSTGRES_HOST);
    int port = in.port(ConfigKey.POSTGRES_PORT);
    String database = in.text(ConfigKey.POSTGRES_DATABASE);
    String user = in.text(ConfigKey.POSTGRES_USER);
    Secret password = Secret.of(in.text(ConfigKey.POSTGRES_PASSWORD));
    return new PostgresSettings(host, port, database, user, password);
  }
}
