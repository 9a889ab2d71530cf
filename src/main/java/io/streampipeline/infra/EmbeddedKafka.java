package io.streampipeline.infra;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Kafka broker (KRaft: broker and controller in one) running inside this JVM, on
 * loopback. Its log directory persists, so a restart keeps topics and offsets. Blocking: call it from a
 * worker thread or before Vert.x starts.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private final KafkaRaftServer server;
  private final String bootstrapServers;

  private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers) {
    this.server = server;
    this.bootstrapServers = bootstrapServers;
  }

  public static EmbeddedKafka start(Path logDir, int port) {
    return start(logDir, port, new Properties());
  }

  /** @param overrides broker settings that replace this class's defaults */
  public static EmbeddedKafka start(Path logDir, int port, Properties overrides) {
    try {
      Files.createDirectories(logDir);
      Properties props = brokerProperties(logDir, port, Ports.free());
      props.putAll(overrides);
      Path propsFile = logDir.resolve("server.properties");
      try (OutputStream out = Files.newOutputStream(propsFile)) {
        props.store(out, "written by stream-pipeline at each start");
      }
      if (!Files.exists(logDir.resolve("meta.properties"))) {
        int rc = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c",
            propsFile.toString(), "--ignore-formatted"}, new PrintStream(OutputStream.nullOutputStream()));
        if (rc != 0) {
          throw new IllegalStateException("formatting the Kafka log directory " + logDir + " failed (" + rc + ")");
        }
      }
      KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props), Time.SYSTEM);
      server.startup();
      return new EmbeddedKafka(server, "127.0.0.1:" + port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Properties brokerProperties(Path logDir, int port, int controllerPort) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    singleNode(p, logDir);
    p.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
    return p;
  }

  /**
   * What a single-node broker needs whatever its listeners: its log directory, internal topics with one replica,
   * no automatic topic creation (the pipeline creates its topics with their partition counts), no rebalance delay.
   */
  public static void singleNode(Properties p, Path logDir) {
    p.put("log.dirs", logDir.toAbsolutePath().toString());
    p.put("num.partitions", "1");
    p.put("auto.create.topics.enable", "false");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "6");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
  }


  public String bootstrapServers() {
    return bootstrapServers;
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
  }
}
