package io.streampipeline.it.support;

import io.streampipeline.infra.EmbeddedPostgres;
import io.streampipeline.infra.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;

/**
 * The Kafka and PostgreSQL that the manifests name, on the ports they name, listening on the pod network's
 * service address: a single-node KRaft broker in this JVM with a listener for each port the deployments use
 * (9092 in the Kubernetes ConfigMap, 29092 in Compose, and a SASL_SSL one with a SCRAM user for the secured
 * deployment), and an embedded PostgreSQL with TLS and the database and user "pipeline", forwarded from the
 * service address's port 5432. Both present a certificate, signed by a CA of the test's, for every name pods use.
 */
public final class ClusterServices implements AutoCloseable {
  public static final int KAFKA_PORT = 9092;
  public static final int KAFKA_COMPOSE_PORT = 29092;
  public static final int POSTGRES_PORT = 5432;
  /** The Secret's password: the embedded server's user "pipeline" has it. */
  public static final String POSTGRES_PASSWORD = EmbeddedPostgres.NAME;
  public static final String KAFKA_USER = "pipeline";
  public static final String KAFKA_PASSWORD = "kafka-scram-" + Uuid.randomUuid();

  private final KafkaRaftServer kafka;
  private final EmbeddedPostgres postgres;
  private final TcpForwarder postgresForwarder;
  private final String address;
  private final Path dir;
  private final TestCertificates certificates;

  private ClusterServices(KafkaRaftServer kafka, EmbeddedPostgres postgres, TcpForwarder postgresForwarder,
      String address, Path dir, TestCertificates certificates) {
    this.certificates = certificates;
    this.kafka = kafka;
    this.postgres = postgres;
    this.postgresForwarder = postgresForwarder;
    this.address = address;
    this.dir = dir;
  }

  /**
   * @param securedListener {@code host:port} the SASL_SSL listener advertises (the port is the one it listens on)
   * @param hostNames       every name the pods give Kafka and PostgreSQL, for the certificate
   */
  public static ClusterServices start(String address, String securedListener, List<String> hostNames) {
    try {
      Path dir = Files.createTempDirectory("cluster-services");
      TestCertificates certificates = TestCertificates.create(dir.resolve("tls"), "stream-pipeline manifests CA",
          hostNames);
      int securedPort = Integer.parseInt(securedListener.substring(securedListener.lastIndexOf(':') + 1));
      Path logDir = dir.resolve("kafka");
      Files.createDirectories(logDir);
      int controller = Ports.free();
      Properties p = new Properties();
      p.put("process.roles", "broker,controller");
      p.put("node.id", "1");
      p.put("controller.quorum.voters", "1@127.0.0.1:" + controller);
      String listeners = "PLAINTEXT://" + address + ":" + KAFKA_PORT + ",COMPOSE://" + address + ":"
          + KAFKA_COMPOSE_PORT;
      p.put("listeners", listeners + ",SECURED://" + address + ":" + securedPort + ",CONTROLLER://127.0.0.1:"
          + controller);
      p.put("advertised.listeners", listeners + ",SECURED://" + securedListener);
      p.put("listener.security.protocol.map",
          "PLAINTEXT:PLAINTEXT,COMPOSE:PLAINTEXT,SECURED:SASL_SSL,CONTROLLER:PLAINTEXT");
      p.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
      p.put("listener.name.secured.scram-sha-512.sasl.jaas.config",
          "org.apache.kafka.common.security.scram.ScramLoginModule required;");
      p.put("listener.name.secured.ssl.keystore.type", "PEM");
      p.put("listener.name.secured.ssl.keystore.location", certificates.serverKeyAndCert.toString());
      p.put("controller.listener.names", "CONTROLLER");
      p.put("inter.broker.listener.name", "PLAINTEXT");
      KafkaRaftServer kafka = SecuredKafka.startWithScramUser(p, logDir, KAFKA_USER, KAFKA_PASSWORD);
      // On loopback (a free port: 5432 may be another program's there), reached on the service address.
      EmbeddedPostgres postgres = EmbeddedPostgres.start(dir.resolve("postgres"), Ports.free(), Map.of("ssl", "on",
          "ssl_cert_file", certificates.serverCert.toString(), "ssl_key_file", certificates.serverKey.toString()));
      TcpForwarder forwarder = TcpForwarder.start(address, POSTGRES_PORT, "127.0.0.1", postgres.port());
      return new ClusterServices(kafka, postgres, forwarder, address, dir, certificates);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String bootstrapServers() {
    return address + ":" + KAFKA_PORT;
  }

  /** The CA that signed the servers' certificate, PEM. */
  public String caPem() {
    try {
      return Files.readString(certificates.caCert);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The JAAS line of the SCRAM user, as the Secret of the secured deployment holds it. */
  public static String jaasConfig() {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + KAFKA_USER
        + "\" password=\"" + KAFKA_PASSWORD + "\";";
  }

  /** /etc/hosts lines of a pod: the cluster's DNS answer for the names the manifests give Kafka and PostgreSQL. */
  public String hostsLines(List<String> names) {
    return address + "\t" + String.join(" ", names) + "\n";
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
