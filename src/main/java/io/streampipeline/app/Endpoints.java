package io.streampipeline.app;

import io.vertx.pgclient.PgConnectOptions;

/** Where Kafka and PostgreSQL are, once the embedded ones (if any) have started. */
public record Endpoints(String kafkaBootstrapServers, String pgHost, int pgPort, String pgDatabase, String pgUser,
    String pgPassword) {

  public PgConnectOptions pgConnectOptions() {
    return new PgConnectOptions()
        .setHost(pgHost)
        .setPort(pgPort)
        .setDatabase(pgDatabase)
        .setUser(pgUser)
        .setPassword(pgPassword)
        .setCachePreparedStatements(true)
        .setPipeliningLimit(256)
        .setReconnectAttempts(0);
  }

  /** The same database for JDBC: schema migrations (Flyway) run over JDBC at start-up. */
  public String jdbcUrl() {
    return "jdbc:postgresql://" + pgHost + ":" + pgPort + "/" + pgDatabase + "?ApplicationName=stream-pipeline";
  }
}
