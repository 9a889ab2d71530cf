package io.streampipeline.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The bench role's own flags (the pipeline's keys, such as EVENTS or PIPELINE_INSTANCES, come from the usual
 * configuration):
 *
 * <ul>
 *   <li>{@code --lanes=N}: pipeline lanes per process (PIPELINE_INSTANCES, default 1);</li>
 *   <li>{@code --processes=N} (1 to 6, one per partition at most): pipeline processes in one consumer group;
 *       process 1 runs in the bench's JVM (with the embedded broker), 2..N in their own JVMs
 *       ({@link PipelineChild});</li>
 *   <li>{@code --separate-jvm}: every pipeline process in its own JVM, process 1 too, so the pipeline's own heap
 *       and CPU are measured without the broker's (no live phases then: they use the in-process pipeline);</li>
 *   <li>{@code --pipeline-xmx=256m}: the max heap of those JVMs (default: the bench JVM's -Xmx/-Xms, if any);</li>
 *   <li>{@code --heap-probe-seconds=N}: those JVMs measure their live heap with a full GC every N s (slows the
 *       replay: a memory run, not a speed run);</li>
 *   <li>{@code --warmup-events=N} (default 0): before the timed replay, the bench's in-process pipeline replays N
 *       events of a topic and database of their own, so that the timed replay runs on compiled code (the steady
 *       state of a long-running pipeline) rather than paying the JIT compiler's start-up work; the warm-up is
 *       reported as the cold figure, like for like with the warm one when N is the replay's own event count;</li>
 *   <li>{@code --live-rates=1000,20000} (or {@code none}) and {@code --live-seconds=10}: the latency phases;</li>
 *   <li>{@code --copy=false}: skip the COPY ceiling; {@code --timeout-seconds=N}: give up on the replay;</li>
 *   <li>{@code --sink-forms [--sink-form-rows=200000]}: only compare INSERT forms (no replay);</li>
 *   <li>{@code --out-dir=target/bench}: result.json, logs and the bench's own data directory;</li>
 *   <li>{@code --alternative=NAME [--alternative-jar=PATH]}: instead of the pipeline, another system's job replays
 *       the same pre-loaded topic ({@link AlternativeRun}; default jar
 *       {@code bench/NAME/target/NAME-bench.jar}), for the same-hour comparison.</li>
 * </ul>
 */
record BenchOptions(
    int lanes,
    int processes,
    boolean separateJvm,
    String pipelineXmx,
    int heapProbeSeconds,
    int warmupEvents,
    List<Integer> liveRates,
    int liveSeconds,
    boolean copy,
    long timeoutSeconds,
    boolean sinkForms,
    int sinkFormRows,
    Path outDir,
    boolean explicitKafkaPort,
    boolean explicitPostgresPort,
    String alternative,
    Path alternativeJar) {

  static final int MAX_PROCESSES = io.streampipeline.infra.Topics.EVENT_PARTITIONS;

  /** Pipeline processes in their own JVMs: 2..N, or all N with --separate-jvm. */
  int childProcesses() {
    return separateJvm ? processes : processes - 1;
  }

  static BenchOptions parse(int configuredLanes, Map<String, String> env, String[] args) {
    Map<String, String> flags = new HashMap<>();
    for (String arg : args) {
      if (arg.startsWith("--")) {
        int eq = arg.indexOf('=');
        String name = (eq < 0 ? arg.substring(2) : arg.substring(2, eq)).replace('-', '_').toUpperCase(Locale.ROOT);
        flags.put(name, eq < 0 ? "true" : arg.substring(eq + 1));
      }
    }
    int lanes = flags.containsKey("LANES") ? positive("lanes", flags.get("LANES")) : configuredLanes;
    int processes = positive("processes", flags.getOrDefault("PROCESSES", "1"));
    if (processes > MAX_PROCESSES) {
      throw new IllegalArgumentException("--processes: 1 to " + MAX_PROCESSES + " (the topic's partitions)");
    }
    String xmx = flags.get("PIPELINE_XMX");
    if (xmx != null && !xmx.matches("[0-9]+[kKmMgG]?")) {
      throw new IllegalArgumentException("--pipeline-xmx: a -Xmx size such as 256m, got '" + xmx + "'");
    }
    int warmupEvents = flags.containsKey("WARMUP_EVENTS") ? positive("warmup-events", flags.get("WARMUP_EVENTS")) : 0;
    if (warmupEvents > 0 && "true".equalsIgnoreCase(flags.getOrDefault("SEPARATE_JVM", "false"))) {
      throw new IllegalArgumentException("--warmup-events: warms the bench's in-process pipeline, so not with "
          + "--separate-jvm");
    }
    String alternative = flags.get("ALTERNATIVE");
    Path alternativeJar = null;
    if (alternative != null) {
      if (!alternative.matches("[a-z0-9][a-z0-9-]*")) {
        throw new IllegalArgumentException("--alternative: a job's name such as flink or kafka-streams, got '"
            + alternative + "'");
      }
      if (warmupEvents > 0 || processes > 1 || flags.containsKey("SEPARATE_JVM")) {
        throw new IllegalArgumentException("--alternative: the other system replays alone, so not with "
            + "--warmup-events, --processes or --separate-jvm");
      }
      alternativeJar = Path.of(flags.getOrDefault("ALTERNATIVE_JAR",
          "bench/" + alternative + "/target/" + alternative + "-bench.jar"));
    }
    List<Integer> rates = new ArrayList<>();
    String ratesText = flags.getOrDefault("LIVE_RATES", "1000,20000");
    if (!ratesText.equalsIgnoreCase("none") && !ratesText.isBlank()) {
      for (String r : ratesText.split(",")) {
        rates.add(positive("live-rates", r.trim()));
      }
    }
    return new BenchOptions(lanes, processes,
        "true".equalsIgnoreCase(flags.getOrDefault("SEPARATE_JVM", "false")), xmx,
        flags.containsKey("HEAP_PROBE_SECONDS") ? positive("heap-probe-seconds", flags.get("HEAP_PROBE_SECONDS")) : 0,
        warmupEvents, rates,
        positive("live-seconds", flags.getOrDefault("LIVE_SECONDS", "10")),
        !"false".equalsIgnoreCase(flags.getOrDefault("COPY", "true")),
        positive("timeout-seconds", flags.getOrDefault("TIMEOUT_SECONDS", "1800")),
        "true".equalsIgnoreCase(flags.getOrDefault("SINK_FORMS", "false")),
        positive("sink-form-rows", flags.getOrDefault("SINK_FORM_ROWS", "200000")),
        Path.of(flags.getOrDefault("OUT_DIR", "target/bench")),
        flags.containsKey("EMBEDDED_KAFKA_PORT") || env.containsKey("EMBEDDED_KAFKA_PORT"),
        flags.containsKey("EMBEDDED_POSTGRES_PORT") || env.containsKey("EMBEDDED_POSTGRES_PORT"),
        alternative, alternativeJar);
  }

  private static int positive(String flag, String value) {
    try {
      int n = Integer.parseInt(value);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("--" + flag + ": expected a positive whole number, got '" + value + "'");
  }
}
