package io.streampipeline.replay;

import io.streampipeline.config.ConnectionSettings;
import io.streampipeline.config.KafkaClientProperties;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.config.Secret;
import io.streampipeline.infra.EmbeddedPostgres;
import io.streampipeline.infra.Endpoints;
import io.streampipeline.infra.Schema;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar stream-pipeline.jar --roles=replay-dlq [--reason=..] [--since=..] [--until=..]
 * [--partition=..] [--limit=..] [--dry-run] [--to-topic=..] [--again]}: one run of {@link DeadLetterReplay},
 * then the process ends (0 done, 1 stopped early). It starts no servers: with KAFKA_BOOTSTRAP_SERVERS or
 * POSTGRES_HOST unset it talks to the embedded ones of a zero-setup process running on this machine
 * (EMBEDDED_KAFKA_PORT, EMBEDDED_POSTGRES_PORT).
 */
public final class ReplayCommand {
  private ReplayCommand() {
  }

  public static int run(PipelineConfig config) {
    Endpoints endpoints = endpoints(config);
    // The replay's columns come with a migration: bring the schema up (or check it) as a pipeline start would.
    Schema.prepare(Schema.Target.of(endpoints), config.ops().postgresMigrate());
    Vertx vertx = Vertx.vertx();
    try {
      new DeadLetterReplay(vertx, config, endpoints, System.out::println).run()
          .toCompletionStage().toCompletableFuture().get();
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      System.err.println("replay-dlq interrupted");
      return 1;
    } catch (Exception e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      System.err.println("replay-dlq failed: " + cause.getMessage());
      return 1;
    } finally {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        // ending anyway
      }
    }
  }

  /** The pipeline's Kafka and PostgreSQL, with the same client settings and TLS as the pipeline's own. */
  static Endpoints endpoints(PipelineConfig config) {
    ConnectionSettings connections = config.connections();
    String kafka = config.kafka().bootstrapServers() != null ? config.kafka().bootstrapServers()
        : "127.0.0.1:" + config.embedded().kafkaPort();
    KafkaClientProperties kafkaProperties = config.kafka().bootstrapServers() != null ? connections.kafkaProperties()
        : KafkaClientProperties.none();
    if (config.postgres().host() == null) {
      return new Endpoints(kafka, kafkaProperties, "127.0.0.1", config.embedded().postgresPort(),
          EmbeddedPostgres.NAME, EmbeddedPostgres.NAME, Secret.of(EmbeddedPostgres.NAME),
          connections.postgresSslMode(true), connections.postgresSslRootCert());
    }
    return new Endpoints(kafka, kafkaProperties, config.postgres().host(), config.postgres().port(),
        config.postgres().database(), config.postgres().user(), config.postgres().password(),
        connections.postgresSslMode(false), connections.postgresSslRootCert());
  }
}
