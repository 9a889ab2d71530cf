package io.streampipeline.generator;

import io.streampipeline.config.PipelineConfig;
import io.streampipeline.config.SchemaRegistrySettings.WireFormat;
import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.RegistryFraming;
import io.streampipeline.generator.GeneratedMessage.Kind;
import io.streampipeline.infra.Endpoints;
import io.streampipeline.infra.KafkaClients;
import io.streampipeline.metrics.PipelineMetrics;
import io.streampipeline.registry.SchemaRegistryClient;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import io.vertx.kafka.client.producer.RecordMetadata;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends {@link EventFactory} messages to the clickstream topic at PRODUCER_EVENTS_PER_SECOND, stamped with
 * the wall clock, keyed by user.
 *
 * <p>Every {@value #TICK_MS} ms it sends the events due by the time elapsed since start (so the average rate is
 * exact at 100/s and at 50,000/s alike) without awaiting each send; while {@value #MAX_IN_FLIGHT} sends are
 * unacknowledged it sends nothing more, so memory stays bounded, and catches up afterwards (at most one
 * second's worth; beyond that events are skipped and reported). After PRODUCER_MAX_EVENTS sends it stops.
 * An acknowledged send counts in events_produced_total; a failed one is counted in
 * events_failed_total{stage="produce"}, the first of each reporting interval is logged, and the event is not
 * retried beyond what the idempotent Kafka producer does itself. One INFO line every 10 s gives the progress.
 *
 * <p>With PRODUCER_WIRE_FORMAT=registry it first registers ClickstreamEvent v1 under the subject
 * {@code <topic>-value} (retrying while the registry cannot be reached) and sends the single-object encoded
 * events registry-framed with that id instead; the deliberately bad messages stay as they are.
 *
 * <p>The topic should exist before this verticle starts (the application creates the topics), otherwise a
 * broker with auto-creation makes it with its default partition count.
 */
public final class GeneratorVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(GeneratorVerticle.class);
  static final long TICK_MS = 10;
  static final int MAX_IN_FLIGHT = 20_000;
  private static final long REPORT_MS = 10_000;
  private static final long MAX_REGISTRY_RETRY_MS = 30_000;
  private static final byte[] V1_HEADER = ClickstreamCodec.v1Header();

  private final PipelineConfig config;
  private final String target;
  private final PipelineMetrics metrics;
  private final Function<Vertx, KafkaProducer<String, byte[]>> producerFactory;
  private final Promise<Void> finished = Promise.promise();

  private KafkaProducer<String, byte[]> producer;
  private EventFactory factory;
  private Pacer pacer;
  private String topic;
  private long maxEvents;
  private long tickTimer = -1;
  private long registryTimer = -1;
  private SchemaRegistryClient registry;
  private int registrySchemaId = -1;
  private boolean stopped;
  private long reportTimer = -1;
  private long sent;
  private long inFlight;
  private long acked;
  private long failed;
  private long failedSinceReport;
  private long ackedAtLastReport;
  private long startNanos;
  private long lastReportNanos;
  private long forgivenAtLastReport;

  public GeneratorVerticle(PipelineConfig config, Endpoints endpoints, PipelineMetrics metrics) {
    this(config, endpoints.kafkaBootstrapServers(), metrics,
        vertx -> KafkaProducer.create(vertx, producerConfig(endpoints), String.class, byte[].class));
  }

  /** With any producer, for example one wrapping Kafka's MockProducer in a test. */
  GeneratorVerticle(PipelineConfig config, String target, PipelineMetrics metrics,
      Function<Vertx, KafkaProducer<String, byte[]>> producerFactory) {
    this.config = config;
    this.target = target;
    this.metrics = metrics;
    this.producerFactory = producerFactory;
  }

  static Map<String, String> producerConfig(Endpoints endpoints) {
    return KafkaClients.producer(endpoints, "stream-pipeline-generator");
  }

  /**
   * Completes when PRODUCER_MAX_EVENTS messages have all been acknowledged; fails when all were answered but
   * some sends failed, or when the verticle stops first (always the case without a maximum).
   */
  public Future<Void> finished() {
    return finished.future();
  }

  @Override
  public Future<?> start() {
    long seed = config.generator().seed() != null ? config.generator().seed() : ThreadLocalRandom.current().nextLong();
    factory = new EventFactory(seed, config.generator().numUsers(), config.generator().numProducts(),
        config.windows().sessionTimeoutMs(), config.generator().errorRate());
    topic = config.kafka().clickstreamTopic();
    maxEvents = config.generator().maxEvents();
    producer = producerFactory.apply(vertx);
    // Failures are handled on each send's future; without a handler Vert.x reports every one again.
    producer.exceptionHandler(ignored -> { });
    double rate = config.generator().eventsPerSecond();
    log.info("generator: {} events/s to {} at {}, seed {} (PRODUCER_SEED repeats a run), {} users, {} products, "
            + "error rate {}, {}", plain(rate), topic, target, seed, config.generator().numUsers(),
        config.generator().numProducts(), config.generator().errorRate(),
        maxEvents < 0 ? "no maximum" : "stopping after " + maxEvents + " events");
    if (maxEvents == 0) {
      finished.tryComplete();
      return Future.succeededFuture();
    }
    if (rate <= 0) {
      log.info("generator: idle, PRODUCER_EVENTS_PER_SECOND is 0");
      return Future.succeededFuture();
    }
    if (config.schemaRegistry().producerWireFormat() == WireFormat.REGISTRY) {
      registry = new SchemaRegistryClient(vertx, config.schemaRegistry());
      registerThenProduce(rate, 1000);
    } else {
      produce(rate);
    }
    return Future.succeededFuture();
  }

  private void registerThenProduce(double rate, long retryMs) {
    String subject = topic + "-value";
    registry.register(subject, ClickstreamCodec.V1.toString()).onComplete((id, err) -> {
      if (stopped) {
        return;
      }
      if (err != null) {
        log.warn("generator: cannot register ClickstreamEvent v1 at {} ({}); retrying in {} ms", registry.url(),
            err.getMessage(), retryMs);
        registryTimer = vertx.setTimer(retryMs, t -> registerThenProduce(rate,
            Math.min(MAX_REGISTRY_RETRY_MS, retryMs * 2)));
        return;
      }
      registrySchemaId = id;
      log.info("generator: ClickstreamEvent v1 is schema id {} (subject {}); events go out registry-framed", id,
          subject);
      produce(rate);
    });
  }

  private void produce(double rate) {
    startNanos = System.nanoTime();
    lastReportNanos = startNanos;
    pacer = new Pacer(rate, startNanos, Math.max(1, (long) rate));
    tickTimer = vertx.setPeriodic(TICK_MS, id -> tick());
    reportTimer = vertx.setPeriodic(REPORT_MS, id -> report());
  }

  /** The message as it goes out: registry-framed when so configured and it is a v1 single-object event. */
  private byte[] wireValue(byte[] value) {
    if (registrySchemaId < 0 || value.length < V1_HEADER.length
        || !Arrays.equals(value, 0, V1_HEADER.length, V1_HEADER, 0, V1_HEADER.length)) {
      return value;
    }
    return RegistryFraming.fromSingleObject(value, registrySchemaId);
  }

  private void tick() {
    long owed = pacer.owed(System.nanoTime());
    if (maxEvents >= 0) {
      owed = Math.min(owed, maxEvents - sent);
    }
    int n = (int) Math.min(owed, MAX_IN_FLIGHT - inFlight);
    if (n <= 0) {
      return;
    }
    long now = System.currentTimeMillis();
    for (int i = 0; i < n; i++) {
      send(factory.next(now));
    }
    pacer.take(n);
    if (maxEvents >= 0 && sent >= maxEvents) {
      vertx.cancelTimer(tickTimer);
      tickTimer = -1;
    }
  }

  private void send(GeneratedMessage message) {
    String key = message.key();
    Kind kind = message.kind();
    byte[] value = wireValue(message.value());
    int size = value.length;
    sent++;
    inFlight++;
    producer.send(KafkaProducerRecord.create(topic, key, value))
        .onComplete(result -> answered(result, key, kind, size));
  }

  private void answered(AsyncResult<RecordMetadata> result, String key, Kind kind, int size) {
    inFlight--;
    if (result.succeeded()) {
      acked++;
      metrics.produced(1);
    } else {
      failed++;
      failedSinceReport++;
      metrics.failed("produce");
      if (failedSinceReport == 1) {
        log.warn("generator: send to {} failed (key {}, {} message of {} bytes): {}; further failures until the "
            + "next status line are only counted", topic, key, kind, size, String.valueOf(result.cause()));
      }
    }
    if (maxEvents >= 0 && sent == maxEvents && inFlight == 0 && !finished.future().isComplete()) {
      vertx.cancelTimer(reportTimer);
      reportTimer = -1;
      double seconds = Math.max(1e-3, (System.nanoTime() - startNanos) / 1e9);
      if (failed == 0) {
        log.info("generator: finished, all {} events acknowledged in {} s ({}/s)", acked,
            plain(Math.round(seconds * 10) / 10.0), Math.round(acked / seconds));
        finished.complete();
      } else {
        log.warn("generator: finished, {} of {} sends failed", failed, maxEvents);
        finished.fail(failed + " of " + maxEvents + " sends failed");
      }
    }
  }

  private void report() {
    long now = System.nanoTime();
    double seconds = Math.max(1e-3, (now - lastReportNanos) / 1e9);
    long rate = Math.round((acked - ackedAtLastReport) / seconds);
    StringBuilder line = new StringBuilder(160).append("generator: ").append(acked)
        .append(" events acknowledged (").append(rate).append("/s over the last ").append(Math.round(seconds))
        .append(" s), ").append(inFlight).append(" awaiting acknowledgement");
    if (failedSinceReport > 0) {
      line.append(", ").append(failedSinceReport).append(" sends failed");
    }
    long forgiven = pacer.forgiven();
    if (forgiven > forgivenAtLastReport) {
      line.append(", ").append(forgiven - forgivenAtLastReport)
          .append(" events skipped (more than a second behind: Kafka too slow or unreachable)");
    }
    log.info(line.toString());
    lastReportNanos = now;
    ackedAtLastReport = acked;
    failedSinceReport = 0;
    forgivenAtLastReport = forgiven;
  }

  private static String plain(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    if (registryTimer >= 0) {
      vertx.cancelTimer(registryTimer);
    }
    if (registry != null) {
      registry.close();
    }
    if (tickTimer >= 0) {
      vertx.cancelTimer(tickTimer);
    }
    if (reportTimer >= 0) {
      vertx.cancelTimer(reportTimer);
    }
    if (producer == null) {
      return Future.succeededFuture();
    }
    return producer.flush()
        .eventually(() -> producer.close())
        .recover(e -> {
          log.warn("generator: flushing or closing the producer failed: {}", String.valueOf(e));
          return Future.succeededFuture();
        })
        .onComplete(ignored -> finished.tryFail("generator stopped after " + acked + " acknowledged events"));
  }
}
