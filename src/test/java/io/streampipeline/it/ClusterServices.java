package io.streampipeline.it;

import io.streampipeline.infra.EmbeddedKafka;
import io.streampipeline.infra.EmbeddedPostgres;
import io.streampipeline.infra.Ports;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * The Kafka and PostgreSQL that the manifests name ("kafka", "postgres"), on the ports they name, listening on
 * the pod network's service address: a single-node KRaft broker in this JVM with a listener for each port the
 * deployments use (9092 in the Kubernetes ConfigMap, 29092 in Compose), and an embedded PostgreSQL with the
 * database and user "pipeline", forwarded from the service address's port 5432.
 */
final class ClusterServices implements AutoCloseable {
  static final int KAFKA_PORT = 9092;
  static final int KAFKA_COMPOSE_PORT = 29092;
  static final int POSTGRES_PORT = 5432;
  /** The Secret's password: the embedded server's user "pipeline" has it. */
  static final String POSTGRES_PASSWORD = EmbeddedPostgres.NAME;

  private final KafkaRaftServer kafka;
  private final EmbeddedPostgres postgres;
  private final TcpForwarder postgresForwarder;
  private final String address;
  private final Path dir;

  private ClusterServices(KafkaRaftServer kafka, EmbeddedPostgres postgres, TcpForwarder postgresForwarder,
      String address, Path dir) {
    this.kafka = kafka;
    this.postgres = postgres;
    this.postgresForwarder = postgresForwarder;
    this.address = address;
    this.dir = dir;
  }

  static ClusterServices start(String address) {
    try {
      Path dir = Files.createTempDirectory("cluster-services");
      Path logDir = dir.resolve("kafka");
      Files.createDirectories(logDir);
      int controller = Ports.free();
      Properties p = new Properties();
      p.put("process.roles", "broker,controller");
      p.put("node.id", "1");
      p.put("controller.quorum.voters", "1@127.0.0.1:" + controller);
      String listeners = "PLAINTEXT://" + address + ":" + KAFKA_PORT + ",COMPOSE://" + address + ":"
          + KAFKA_COMPOSE_PORT;
      p.put("listeners", listeners + ",CONTROLLER://127.0.0.1:" + controller);
      p.put("advertised.listeners", listeners);
      p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,COMPOSE:PLAINTEXT,CONTROLLER:PLAINTEXT");
      p.put("controller.listener.names", "CONTROLLER");
      p.put("inter.broker.listener.name", "PLAINTEXT");
      EmbeddedKafka.singleNode(p, logDir);
      Path propsFile = logDir.resolve("server.properties");
      try (OutputStream out = Files.newOutputStream(propsFile)) {
        p.store(out, "the manifests' kafka");
      }
      ByteArrayOutputStream formatLog = new ByteArrayOutputStream();
      int rc = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c",
          propsFile.toString()}, new PrintStream(formatLog, true, StandardCharsets.UTF_8));
      if (rc != 0) {
        throw new IllegalStateException("formatting the broker's storage failed: " + formatLog);
      }
      KafkaRaftServer kafka = new KafkaRaftServer(new KafkaConfig(p), Time.SYSTEM);
      kafka.startup();
      // On loopback (a free port: 5432 may be another program's there), reached on the service address.
      EmbeddedPostgres postgres = EmbeddedPostgres.start(dir.resolve("postgres"), Ports.free());
      TcpForwarder forwarder = TcpForwarder.start(address, POSTGRES_PORT, "127.0.0.1", postgres.port());
      return new ClusterServices(kafka, postgres, forwarder, address, dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String bootstrapServers() {
    return address + ":" + KAFKA_PORT;
  }

  /** /etc/hosts lines of a pod: the names the manifests give Kafka and PostgreSQL. */
  String hostsLines() {
    return address + "\tkafka postgres\n";
  }

  @Override
  public void close() {
    postgresForwarder.close();
    postgres.close();
    kafka.shutdown();
    kafka.awaitShutdown();
    TempDirs.delete(dir);
  }
}
