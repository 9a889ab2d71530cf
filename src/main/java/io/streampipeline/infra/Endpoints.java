package io.streampipeline.infra;

import io.streampipeline.config.KafkaClientProperties;
import io.streampipeline.config.PostgresSslMode;
import io.streampipeline.config.Secret;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * Where Kafka and PostgreSQL are, once the embedded ones (if any) have started, and how to reach them: the extra
 * Kafka client settings and PostgreSQL's TLS mode. Every PostgreSQL connection of the process, reactive pool or
 * JDBC, is made from {@link #pgConnectOptions()} or {@link #jdbcProperties()}, so they all honour the same TLS
 * settings and name themselves {@value #APPLICATION_NAME} in pg_stat_activity.
 */
public record Endpoints(String kafkaBootstrapServers, KafkaClientProperties kafkaProperties, String pgHost,
    int pgPort, String pgDatabase, String pgUser, Secret pgPassword, PostgresSslMode pgSslMode, Path pgSslRootCert) {

  public static final String APPLICATION_NAME = "stream-pipeline";

  /** Plain Kafka and PostgreSQL without TLS (tests against the embedded servers). */
  public Endpoints(String kafkaBootstrapServers, String pgHost, int pgPort, String pgDatabase, String pgUser,
      String pgPassword) {
    this(kafkaBootstrapServers, KafkaClientProperties.none(), pgHost, pgPort, pgDatabase, pgUser,
        Secret.of(pgPassword), PostgresSslMode.DISABLE, null);
  }

  public PgConnectOptions pgConnectOptions() {
    PgConnectOptions options = new PgConnectOptions()
        .setHost(pgHost)
        .setPort(pgPort)
        .setDatabase(pgDatabase)
        .setUser(pgUser)
        .setPassword(pgPassword == null ? null : pgPassword.reveal())
        .setCachePreparedStatements(true)
        .setPipeliningLimit(256)
        .setReconnectAttempts(0)
        .setProperties(Map.of("application_name", APPLICATION_NAME))
        .setSslMode(SslMode.valueOf(pgSslMode.name()));
    if (pgSslMode != PostgresSslMode.DISABLE) {
      options.setSslOptions(sslOptions());
    }
    return options;
  }

  /**
   * Like libpq: prefer and require encrypt without checking the certificate unless a CA is given (then require
   * checks it like verify-ca); verify-ca checks the chain; verify-full also checks that the certificate names
   * the host.
   */
  private ClientSSLOptions sslOptions() {
    ClientSSLOptions ssl = new ClientSSLOptions();
    if (pgSslRootCert != null && pgSslMode != PostgresSslMode.PREFER) {
      ssl.setTrustOptions(new PemTrustOptions().addCertPath(pgSslRootCert.toAbsolutePath().toString()));
    } else {
      ssl.setTrustAll(true);
    }
    ssl.setHostnameVerificationAlgorithm(pgSslMode == PostgresSslMode.VERIFY_FULL ? "HTTPS" : "");
    return ssl;
  }

  /** A JDBC URL for the database (credentials and TLS in {@link #jdbcProperties()}). */
  public String jdbcUrl() {
    String host = pgHost.contains(":") && !pgHost.startsWith("[") ? "[" + pgHost + "]" : pgHost;
    return "jdbc:postgresql://" + host + ":" + pgPort + "/" + pgDatabase;
  }

  /** The PostgreSQL JDBC driver's settings for the same connection as {@link #pgConnectOptions()}. */
  public Properties jdbcProperties() {
    Properties p = new Properties();
    p.setProperty("user", pgUser);
    if (pgPassword != null) {
      p.setProperty("password", pgPassword.reveal());
    }
    p.setProperty("ApplicationName", APPLICATION_NAME);
    p.setProperty("sslmode", pgSslMode.libpqName());
    if (pgSslRootCert != null) {
      p.setProperty("sslrootcert", pgSslRootCert.toAbsolutePath().toString());
    }
    return p;
  }

  /** Endpoints for another database on the same server (tests, the bench). */
  public Endpoints withDatabase(String database) {
    return new Endpoints(kafkaBootstrapServers, kafkaProperties, pgHost, pgPort, database, pgUser, pgPassword,
        pgSslMode, pgSslRootCert);
  }
}
