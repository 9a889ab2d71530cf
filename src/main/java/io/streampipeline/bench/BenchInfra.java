package io.streampipeline.bench;

import io.streampipeline.config.ConnectionSettings;
import io.streampipeline.config.KafkaClientProperties;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.config.Secret;
import io.streampipeline.infra.EmbeddedKafka;
import io.streampipeline.infra.EmbeddedPostgres;
import io.streampipeline.infra.Endpoints;
import io.streampipeline.infra.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka and PostgreSQL for one bench run. With an address unset, the embedded server starts in the bench's own
 * data directory (wiped first, so every run starts empty; ./data is never touched) on a free port unless
 * EMBEDDED_*_PORT is given. Every run gets a fresh database either way. Blocking: bench thread only.
 */
final class BenchInfra implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BenchInfra.class);

  private final Path dataDir;
  private boolean removeDataOnClose;
  private EmbeddedKafka kafka;
  private EmbeddedPostgres postgres;
  private int embeddedPgPort;
  final String bootstrapServers;
  final String pgHost;
  final int pgPort;
  final String pgUser;
  final String pgPassword;
  /** How the bench's clients reach the servers: the configuration's Kafka settings and PostgreSQL TLS. */
  final Endpoints endpoints;
  /** The database the bench connects to for CREATE DATABASE. */
  private final String adminDatabase;

  private BenchInfra(Path dataDir, EmbeddedKafka kafka, String bootstrapServers, EmbeddedPostgres postgres,
      String pgHost, int pgPort, String pgUser, String pgPassword, String adminDatabase, Endpoints endpoints) {
    this.dataDir = dataDir;
    this.kafka = kafka;
    this.bootstrapServers = bootstrapServers;
    this.postgres = postgres;
    this.embeddedPgPort = pgPort;
    this.pgHost = pgHost;
    this.pgPort = pgPort;
    this.pgUser = pgUser;
    this.endpoints = endpoints;
    this.pgPassword = pgPassword;
    this.adminDatabase = adminDatabase;
  }

  static BenchInfra start(PipelineConfig config, BenchOptions options) {
    Path dataDir = options.outDir().resolve("data").toAbsolutePath().normalize();
    wipe(dataDir);
    EmbeddedKafka kafka = null;
    ConnectionSettings c = config.connections();
    String bootstrap = config.kafka().bootstrapServers();
    if (bootstrap == null) {
      int port = options.explicitKafkaPort() ? config.embedded().kafkaPort() : Ports.free();
      kafka = EmbeddedKafka.start(dataDir.resolve("kafka"), port, benchBroker());
      bootstrap = kafka.bootstrapServers();
      log.info("bench: embedded Kafka on {} (data in {})", bootstrap, dataDir.resolve("kafka"));
    }
    if (config.postgres().host() != null) {
      return new BenchInfra(dataDir, kafka, bootstrap, null, config.postgres().host(), config.postgres().port(),
          config.postgres().user(), config.postgres().password().reveal(), config.postgres().database(),
          new Endpoints(bootstrap, kafka == null ? c.kafkaProperties() : KafkaClientProperties.none(),
              config.postgres().host(), config.postgres().port(), config.postgres().database(),
              config.postgres().user(), config.postgres().password(), c.postgresSslMode(false), c.postgresSslRootCert()));
    }
    int port = options.explicitPostgresPort() ? config.embedded().postgresPort() : Ports.free();
    EmbeddedPostgres postgres = EmbeddedPostgres.start(dataDir.resolve("postgres"), port);
    log.info("bench: embedded PostgreSQL on 127.0.0.1:{} (psql -h 127.0.0.1 -p {} -U pipeline)", port, port);
    return new BenchInfra(dataDir, kafka, bootstrap, postgres, "127.0.0.1", port, EmbeddedPostgres.NAME,
        EmbeddedPostgres.NAME, EmbeddedPostgres.NAME,
        new Endpoints(bootstrap, kafka == null ? c.kafkaProperties() : KafkaClientProperties.none(), "127.0.0.1",
            port, EmbeddedPostgres.NAME, EmbeddedPostgres.NAME, Secret.of(EmbeddedPostgres.NAME),
            c.postgresSslMode(true), c.postgresSslRootCert()));
  }

  /** The embedded server's postmaster, for CPU accounting; -1 for an external server. */
  long postmasterPid() {
    return postgres == null ? -1 : CpuAccount.postmasterPid(dataDir.resolve("postgres"));
  }

  boolean embeddedPostgres() {
    return postgres != null;
  }

  /**
   * Turns on track_commit_timestamp, so the latency phases can read each row's exact commit time. It needs a
   * server restart, which the bench can do only for its embedded server; elsewhere it reports the setting.
   */
  boolean enableCommitTimestamps() {
    if (postgres != null && !"on".equals(setting("track_commit_timestamp"))) {
      execute(adminDatabase, "ALTER SYSTEM SET track_commit_timestamp = on");
      restartPostgres();
    }
    return "on".equals(setting("track_commit_timestamp"));
  }

  /**
   * For {@code --alternative}: a job writing through XA sinks prepares its transactions (two-phase commit), which
   * PostgreSQL refuses while max_prepared_transactions is 0, its default. A server setting: embedded server only.
   */
  void allowPreparedTransactions() {
    if (postgres != null && "0".equals(setting("max_prepared_transactions"))) {
      execute(adminDatabase, "ALTER SYSTEM SET max_prepared_transactions = 64");
      restartPostgres();
    }
  }

  private void restartPostgres() {
    postgres.close();
    postgres = EmbeddedPostgres.start(dataDir.resolve("postgres"), embeddedPgPort);
  }

  String setting(String name) {
    try (Connection c = connect(adminDatabase); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT current_setting('" + name + "')")) {
      rs.next();
      return rs.getString(1);
    } catch (SQLException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  String createDatabase(String name) {
    execute(adminDatabase, "CREATE DATABASE " + name);
    return name;
  }

  Connection connect(String database) throws SQLException {
    Endpoints db = endpoints.withDatabase(database);
    return DriverManager.getConnection(db.jdbcUrl(), db.jdbcProperties());
  }

  /** The pipeline's schema, by the same migrations a pipeline start runs. */
  void migrate(String database) {
    io.streampipeline.infra.Schema.migrate(io.streampipeline.infra.Schema.Target.of(endpoints.withDatabase(database)));
  }

  void execute(String database, String sql) {
    try (Connection c = connect(database); Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /**
   * Kafka's own default delay before a new consumer group's first assignment, in place of the embedded broker's
   * none: the lanes of a run join within milliseconds of each other, and with no delay the first to join takes
   * every partition, then gives some up in a rebalance a moment later, inside the timed replay. A production
   * broker waits, and so the bench measures lanes that start together.
   */
  private static Properties benchBroker() {
    Properties p = new Properties();
    p.put("group.initial.rebalance.delay.ms", "3000");
    return p;
  }

  /** After a verified run: its broker's and database's files (gigabytes for a long replay) are of no more use. */
  void removeDataOnClose() {
    removeDataOnClose = true;
  }

  @Override
  public void close() {
    if (kafka != null) {
      kafka.close();
      kafka = null;
    }
    if (postgres != null) {
      postgres.close();
      postgres = null;
    }
    if (removeDataOnClose) {
      wipe(dataDir);
      log.info("bench: removed {} (the run was verified)", dataDir);
    }
  }


  static void wipe(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot empty the bench data directory " + dir, e);
    }
  }
}
