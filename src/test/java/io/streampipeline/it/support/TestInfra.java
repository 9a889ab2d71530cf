package io.streampipeline.it.support;

import io.streampipeline.infra.EmbeddedKafka;
import io.streampipeline.infra.EmbeddedPostgres;
import io.streampipeline.infra.Ports;
import io.streampipeline.infra.Schema;
import io.vertx.pgclient.PgConnectOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The one place that decides where the integration tests' Kafka and PostgreSQL come from, once per test
 * JVM: addresses in the environment (TEST_KAFKA_BOOTSTRAP_SERVERS, TEST_POSTGRES_HOST/PORT/USER/PASSWORD),
 * else Testcontainers when a Docker engine answers, else an in-process KRaft broker and an embedded
 * PostgreSQL. All three are real servers; the same tests run on each. Tests isolate themselves with their
 * own database and topic names.
 */
public final class TestInfra {
  private static TestInfra instance;

  public final String source;
  public final String bootstrapServers;
  public final String pgHost;
  public final int pgPort;
  public final String pgUser;
  public final String pgPassword;
  private final Path pgDataDir;
  private EmbeddedPostgres embeddedPostgres;

  private TestInfra(String source, String bootstrapServers, String pgHost, int pgPort, String pgUser,
      String pgPassword, EmbeddedPostgres embeddedPostgres, Path pgDataDir) {
    this.source = source;
    this.bootstrapServers = bootstrapServers;
    this.pgHost = pgHost;
    this.pgPort = pgPort;
    this.pgUser = pgUser;
    this.pgPassword = pgPassword;
    this.embeddedPostgres = embeddedPostgres;
    this.pgDataDir = pgDataDir;
  }

  public static synchronized TestInfra get() {
    if (instance == null) {
      instance = create();
      System.out.println("[TestInfra] Kafka and PostgreSQL from " + instance.source + ": " + instance.bootstrapServers
          + ", " + instance.pgHost + ":" + instance.pgPort);
    }
    return instance;
  }

  private static TestInfra create() {
    Map<String, String> env = System.getenv();
    if (env.get("TEST_KAFKA_BOOTSTRAP_SERVERS") != null && env.get("TEST_POSTGRES_HOST") != null) {
      return new TestInfra("environment", env.get("TEST_KAFKA_BOOTSTRAP_SERVERS"), env.get("TEST_POSTGRES_HOST"),
          Integer.parseInt(env.getOrDefault("TEST_POSTGRES_PORT", "5432")),
          env.getOrDefault("TEST_POSTGRES_USER", "postgres"), env.getOrDefault("TEST_POSTGRES_PASSWORD", "postgres"),
          null, null);
    }
    if (dockerAvailable()) {
      KafkaContainer kafka = new KafkaContainer("apache/kafka:3.9.1");
      PostgreSQLContainer<?> postgres = new PostgreSQLContainer<>("postgres:16-alpine");
      kafka.start();
      postgres.start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        kafka.stop();
        postgres.stop();
      }));
      return new TestInfra("testcontainers", kafka.getBootstrapServers(), postgres.getHost(),
          postgres.getFirstMappedPort(), postgres.getUsername(), postgres.getPassword(), null, null);
    }
    try {
      Path root = Files.createTempDirectory("stream-pipeline-it");
      EmbeddedKafka kafka = EmbeddedKafka.start(root.resolve("kafka"), Ports.free());
      Path pgData = root.resolve("postgres");
      EmbeddedPostgres postgres = EmbeddedPostgres.start(pgData, Ports.free());
      TestInfra infra = new TestInfra("embedded (in-process KRaft broker, embedded PostgreSQL)",
          kafka.bootstrapServers(), "127.0.0.1", postgres.port(), EmbeddedPostgres.NAME, EmbeddedPostgres.NAME,
          postgres, pgData);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        kafka.close();
        infra.closePostgres();
        TempDirs.delete(root);
      }));
      return infra;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | Error e) {
      return false;
    }
  }

  /** A fresh database for one test, migrated to the pipeline's schema (the pipeline finds it current). */
  public String createDatabase() {
    String name = createEmptyDatabase();
    io.streampipeline.infra.Schema.migrate(new io.streampipeline.infra.Schema.Target(jdbcUrl(name), pgUser,
        pgPassword));
    return name;
  }

  /** A fresh database without any table, dropped when the test (or test class) that made it ends. */
  public String createEmptyDatabase() {
    String name = "it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    sql("postgres", "CREATE DATABASE " + name);
    TestDatabases.made(name);
    return name;
  }

  /** Drops a test's database, ending whatever connection a stopped pipeline left behind. */
  public void dropDatabase(String name) {
    sql("postgres", "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }

  public static synchronized TestInfra ifStarted() {
    return instance;
  }

  /** For tests that talk to a database through the Vert.x client, as the sink does. */
  public PgConnectOptions pgConnectOptions(String database) {
    return new PgConnectOptions().setHost(pgHost).setPort(pgPort).setDatabase(database)
        .setUser(pgUser).setPassword(pgPassword);
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + pgHost + ":" + pgPort + "/" + database;
  }

  public Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(database), pgUser, pgPassword);
  }

  public void sql(String database, String statement) {
    try (Connection conn = connect(database); Statement st = conn.createStatement()) {
      st.execute(statement);
    } catch (SQLException e) {
      throw new IllegalStateException(statement + ": " + e.getMessage(), e);
    }
  }

  /** Refuses new connections to the database and ends the open ones: PostgreSQL is "down" for the pipeline. */
  public void cutOff(String database) {
    sql("postgres", "ALTER DATABASE " + database + " ALLOW_CONNECTIONS false");
    sql("postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database + "'");
  }

  public void reconnect(String database) {
    sql("postgres", "ALTER DATABASE " + database + " ALLOW_CONNECTIONS true");
  }

  /** Stops and starts the server itself where this process owns it; elsewhere ends every connection. */
  public void restartPostgres() {
    if (embeddedPostgres == null) {
      sql("postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()");
      return;
    }
    closePostgres();
    embeddedPostgres = EmbeddedPostgres.start(pgDataDir, pgPort);
  }

  private synchronized void closePostgres() {
    if (embeddedPostgres != null) {
      embeddedPostgres.close();
      embeddedPostgres = null;
    }
  }

  /** Configuration keys for a pipeline that uses this infrastructure, its own database and topics. */
  public Map<String, String> pipelineConfig(String database, String name) {
    String id = name.toLowerCase(Locale.ROOT) + "-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> config = new HashMap<>();
    config.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
    config.put("KAFKA_CLICKSTREAM_TOPIC", id + ".events");
    config.put("KAFKA_AGGREGATED_TOPIC", id + ".aggregated");
    config.put("KAFKA_DLQ_TOPIC", id + ".dlq");
    config.put("KAFKA_CONSUMER_GROUP", id + "-group");
    config.put("POSTGRES_HOST", pgHost);
    config.put("POSTGRES_PORT", String.valueOf(pgPort));
    config.put("POSTGRES_DATABASE", database);
    config.put("POSTGRES_USER", pgUser);
    config.put("POSTGRES_PASSWORD", pgPassword);
    config.put("DASHBOARD_PORT", String.valueOf(Ports.free()));
    config.put("METRICS_PORT", String.valueOf(Ports.free()));
    config.put("EVENTBUS_TCP_PORT", String.valueOf(Ports.free()));
    config.put("ROLES", "pipeline");
    config.put("SINK_FLUSH_INTERVAL_SECONDS", "0.5");
    config.put("WINDOW_IDLE_SECONDS", "2");
    return config;
  }
}
