package io.streampipeline.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.it.support.DmlGrants;
import io.streampipeline.it.support.Kustomize;
import io.streampipeline.it.support.Yamls;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streampipeline.config.ConfigKey;
import io.streampipeline.config.ConfigLoader;
import io.streampipeline.config.PipelineConfig;
import io.streampipeline.metrics.PipelineMetrics;
import io.streampipeline.metrics.ProcessMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The deployment files against the code, without Docker or a cluster: docker-compose.yml, the Dockerfile, the
 * rendered Kubernetes base and overlays ({@code kubectl kustomize deploy/kubernetes/...}), the Prometheus
 * configurations and alerts, and the Grafana dashboard. Environment names must be keys of the table
 * ({@link ConfigKey}), probes and scrape targets must hit the endpoints and ports the code serves, and every
 * metric a query names must be one the code registers (collected by scraping a registry set up as the
 * application sets it up).
 */
class DeploymentConsistencyTest {
  /** The lanes' drain is bounded by 60 s (IngestVerticle); stop grace periods must exceed it. */
  private static final int DRAIN_SECONDS = 60;
  /** Environment variables read by the JVM, not by the configuration: none, see the deployments' command. */
  private static final Set<String> JVM_ENV = Set.of();
  private static final Pattern METRIC = Pattern.compile("\\b((?:stream_pipeline|vertx|jvm|process)_[a-z0-9_]+)");

  private static Set<String> configKeys;
  private static PipelineConfig defaults;
  private static Set<String> registeredMetrics;

  @BeforeAll
  static void collect() throws Exception {
    configKeys = ConfigLoader.knownKeys();
    defaults = ConfigLoader.fromMap(Map.of());
    registeredMetrics = scrapeRegisteredMetrics();
  }

  /** Sets meters up as Application does, exercises the lazily registered ones once, and reads the scrape. */
  private static Set<String> scrapeRegisteredMetrics() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ProcessMetrics.bindTo(registry);
    PipelineMetrics metrics = new PipelineMetrics(registry);
    metrics.failed("decode");
    metrics.emitted("events_per_minute");
    metrics.consumerLag(0, 0);
    metrics.offsetOutOfRange(0);
    metrics.outboxBacklog("clickstream.aggregated", 0, 0);
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
        .withMetrics(new MicrometerMetricsFactory(registry)).build();
    try {
      // An HTTP request, a WebSocket and an event-bus message: the kinds of traffic the dashboard serves.
      HttpServer server = vertx.createHttpServer()
          .webSocketHandler(ws -> ws.writeTextMessage("hi"))
          .requestHandler(req -> req.response().end("ok"))
          .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      var client = vertx.createHttpClient(new HttpClientOptions());
      client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/")
          .compose(req -> req.send()).compose(resp -> resp.body())
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      WebSocket ws = connectWebSocket(vertx, server.actualPort());
      vertx.eventBus().consumer("probe", msg -> msg.reply("pong"));
      vertx.eventBus().request("probe", "ping").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      Set<String> names = new TreeSet<>();
      for (String line : registry.scrape().split("\n")) {
        if (!line.startsWith("#") && !line.isBlank()) {
          names.add(line.split("[{ ]", 2)[0]);
        }
      }
      ws.close();
      return names;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /**
   * A WebSocket to the probe server. When this class runs late in the unit phase, the first upgrade sometimes
   * finds its connection closed during the handshake; the meters a WebSocket registers are what this test needs,
   * not that handshake, so it tries again.
   */
  private static WebSocket connectWebSocket(Vertx vertx, int port) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return vertx.createWebSocketClient().connect(port, "127.0.0.1", "/")
            .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> yaml(Path file) throws IOException {
    return (Map<String, Object>) new Yaml().load(Files.readString(file));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o == null ? Map.of() : (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return o == null ? List.of() : (List<Object>) o;
  }

  private static void assertConfigKeys(String where, Iterable<String> names) {
    for (String name : names) {
      assertTrue(ConfigKey.isKnown(name) || JVM_ENV.contains(name),
          where + ": environment variable " + name + " is not in the key table (config/ConfigKey) " + configKeys);
    }
  }

  private static int seconds(String duration) {
    Matcher m = Pattern.compile("(\\d+)(s|m)").matcher(duration);
    assertTrue(m.matches(), duration);
    return Integer.parseInt(m.group(1)) * ("m".equals(m.group(2)) ? 60 : 1);
  }

  // ---- docker-compose.yml -----------------------------------------------------------------------------

  private static Map<String, Object> composeServices() throws IOException {
    return map(yaml(Path.of("docker-compose.yml")).get("services"));
  }

  private static Map<String, Map<String, Object>> appServices() throws IOException {
    Map<String, Map<String, Object>> apps = new HashMap<>();
    composeServices().forEach((name, s) -> {
      if ("stream-pipeline:local".equals(map(s).get("image"))) {
        apps.put(name, map(s));
      }
    });
    return apps;
  }

  private static Map<String, String> env(Map<String, Object> service) {
    Map<String, String> env = new HashMap<>();
    map(service.get("environment")).forEach((k, v) -> env.put(k, String.valueOf(v)));
    return env;
  }

  @Test
  void composeRunsEveryRoleFromOneImageBuiltOnce() throws IOException {
    Map<String, Map<String, Object>> apps = appServices();
    assertEquals(Set.of("generator", "pipeline", "dashboard"), apps.keySet());
    assertEquals(1, apps.values().stream().filter(s -> s.containsKey("build")).count(), "one service builds");
    assertTrue(composeServices().values().stream().map(DeploymentConsistencyTest::map)
        .filter(s -> s.containsKey("build")).count() == 1, "no other service builds an image");
    for (var e : apps.entrySet()) {
      Map<String, Object> s = e.getValue();
      assertEquals("on-failure", s.get("restart"), e.getKey());
      assertTrue(seconds((String) s.get("stop_grace_period")) > DRAIN_SECONDS, e.getKey() + ": stop_grace_period");
      String role = String.valueOf(list(s.get("command")).get(0));
      assertEquals("--roles=" + e.getKey(), role, e.getKey());
    }
  }

  @Test
  void composeEnvironmentNamesAreConfigurationKeysAndAddressesMatchTheServices() throws IOException {
    Map<String, Object> services = composeServices();
    Map<String, String> kafka = env(map(services.get("kafka")));
    Map<String, String> postgres = env(map(services.get("postgres")));
    for (var e : appServices().entrySet()) {
      Map<String, String> env = env(e.getValue());
      assertConfigKeys("docker-compose.yml service " + e.getKey(), env.keySet());
      String bootstrap = env.get("KAFKA_BOOTSTRAP_SERVERS");
      assertTrue(List.of(kafka.get("KAFKA_ADVERTISED_LISTENERS").split(",")).stream()
          .anyMatch(l -> l.endsWith("//" + bootstrap)), bootstrap + " is an advertised listener of the kafka service");
      assertTrue(services.containsKey(env.get("POSTGRES_HOST")), env.get("POSTGRES_HOST"));
      assertEquals("5432", env.get("POSTGRES_PORT"));
      assertEquals(postgres.get("POSTGRES_DB"), env.get("POSTGRES_DATABASE"));
      assertEquals(postgres.get("POSTGRES_USER"), env.get("POSTGRES_USER"));
      assertEquals(postgres.get("POSTGRES_PASSWORD_FILE"), env.get("POSTGRES_PASSWORD_FILE"), "the same secret file");
      assertFalse(env.containsKey("POSTGRES_PASSWORD"), e.getKey() + ": the password is a file");
      assertTrue(list(e.getValue().get("secrets")).contains("postgres_password"), e.getKey() + " mounts the secret");
      assertNotNull(map(map(map(e.getValue().get("deploy")).get("resources")).get("limits")).get("memory"),
          e.getKey() + ": a memory limit");
    }
  }

  @Test
  void composePortsAreLoopbackOnlyAndMatchWhatTheServicesListenOn() throws IOException {
    Map<String, Object> services = composeServices();
    services.forEach((name, s) -> {
      for (Object port : list(map(s).get("ports"))) {
        assertTrue(String.valueOf(port).startsWith("127.0.0.1:"), name + " publishes " + port + " beyond localhost");
      }
    });
    Map<String, Object> dashboard = appServices().get("dashboard");
    String dashboardPort = env(dashboard).get("DASHBOARD_PORT");
    assertEquals(List.of("127.0.0.1:" + dashboardPort + ":" + dashboardPort), list(dashboard.get("ports")));

    Map<String, Object> kafka = map(services.get("kafka"));
    assertTrue(env(kafka).get("KAFKA_ADVERTISED_LISTENERS").contains("//localhost:9092"),
        "an external listener advertises localhost:9092 for the host");
    assertEquals(List.of("127.0.0.1:9092:9092"), list(kafka.get("ports")));
    String logDirs = env(kafka).get("KAFKA_LOG_DIRS");
    assertTrue(list(kafka.get("volumes")).stream().anyMatch(v -> String.valueOf(v).endsWith(":" + logDirs)),
        "Kafka's log directory is a volume");
    assertTrue(map(yaml(Path.of("docker-compose.yml")).get("volumes")).containsKey("kafkadata"));
    assertEquals("postgres:14-alpine", map(services.get("postgres")).get("image"),
        "the PostgreSQL major version the tests use (embedded 14)");
  }

  @Test
  void prometheusScrapesTheMetricsPortOfEveryComposeRole() throws IOException {
    Map<String, Object> config = yaml(Path.of("monitoring/prometheus-compose.yml"));
    Map<String, Object> job = map(list(config.get("scrape_configs")).get(0));
    assertEquals("stream-pipeline", job.get("job_name"));
    assertEquals("/metrics", job.get("metrics_path"));
    Map<String, Object> dns = map(list(job.get("dns_sd_configs")).get(0));
    assertEquals(new TreeSet<>(appServices().keySet()), new TreeSet<>(list(dns.get("names"))));
    for (var e : appServices().entrySet()) {
      assertEquals(String.valueOf(dns.get("port")), env(e.getValue()).get("METRICS_PORT"), e.getKey());
    }
    Map<String, Object> local = yaml(Path.of("monitoring/prometheus.yml"));
    Map<String, Object> localJob = map(list(local.get("scrape_configs")).get(0));
    assertEquals("stream-pipeline", localJob.get("job_name"));
    String target = String.valueOf(list(map(list(localJob.get("static_configs")).get(0)).get("targets")).get(0));
    assertEquals("localhost:" + defaults.metricsPort(), target, "the local run's default METRICS_PORT");
  }

  @Test
  void dockerfileBuildsInsideRunsAsNumericUserAndChecksLiveness() throws IOException {
    String dockerfile = Files.readString(Path.of("Dockerfile"));
    List<String> stages = dockerfile.lines().filter(l -> l.startsWith("FROM ")).toList();
    assertEquals(2, stages.size(), "multi-stage: " + stages);
    assertTrue(stages.get(0).contains("maven") && stages.get(0).endsWith(" AS build"), stages.get(0));
    assertTrue(stages.get(1).contains("-jre"), stages.get(1));
    assertTrue(dockerfile.contains("mvn -B -q package"), "the jar is built inside");
    Matcher user = Pattern.compile("(?m)^USER (\\d+)(:\\d+)?$").matcher(dockerfile);
    assertTrue(user.find(), "USER is numeric");
    assertFalse("0".equals(user.group(1)), "not root");
    String healthcheck = dockerfile.substring(dockerfile.indexOf("HEALTHCHECK"));
    assertTrue(healthcheck.contains("/health/live"), "HEALTHCHECK uses liveness");
    assertTrue(healthcheck.contains("${METRICS_PORT:-" + defaults.metricsPort() + "}"), "HEALTHCHECK port");
    assertTrue(dockerfile.contains("-XX:+ExitOnOutOfMemoryError"));
    assertTrue(dockerfile.contains("-XX:MaxRAMPercentage="));
    String ignore = Files.readString(Path.of(".dockerignore"));
    assertTrue(ignore.lines().anyMatch("target/"::equals) && ignore.lines().anyMatch("data/"::equals), ignore);
    for (String copied : List.of("pom.xml", "src", "sql", "webroot")) {
      assertTrue(dockerfile.contains("COPY " + copied + " "), "the build stage copies " + copied);
    }
  }

  @Test
  void operationsGuideDocumentsTheGrantsTheDmlOnlyTestUses() throws IOException {
    String readme = Files.readString(Path.of("docs/operations.md"));
    for (String grant : DmlGrants.of("pipeline", "pipeline_app")) {
      assertTrue(readme.contains(grant + ";"), "docs/operations.md lists: " + grant);
    }
  }

  // ---- metrics named by queries -----------------------------------------------------------------------

  private static Set<String> metricsIn(String text) {
    Set<String> names = new TreeSet<>();
    Matcher m = METRIC.matcher(text);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  private static void assertRegistered(String where, Set<String> names) {
    Set<String> unknown = new TreeSet<>(names);
    unknown.removeAll(registeredMetrics);
    assertEquals(Set.of(), unknown, where + " names metrics the code does not register; registered: "
        + registeredMetrics);
  }

  @Test
  void grafanaQueriesNameRegisteredMetrics() throws IOException {
    JsonObject dashboard = new JsonObject(Files.readString(Path.of("monitoring/grafana/dashboards/stream-pipeline.json")));
    StringBuilder exprs = new StringBuilder();
    for (Object panel : dashboard.getJsonArray("panels", new JsonArray())) {
      for (Object target : ((JsonObject) panel).getJsonArray("targets", new JsonArray())) {
        exprs.append(((JsonObject) target).getString("expr", "")).append('\n');
      }
    }
    Set<String> names = metricsIn(exprs.toString());
    assertTrue(names.size() >= 10, "queries found: " + names);
    assertRegistered("monitoring/grafana/dashboards/stream-pipeline.json", names);
  }

  @Test
  void alertRulesNameRegisteredMetrics() throws IOException {
    Map<String, Object> alerts = yaml(Path.of("monitoring/alerts.yml"));
    StringBuilder exprs = new StringBuilder();
    for (Object group : list(alerts.get("groups"))) {
      for (Object rule : list(map(group).get("rules"))) {
        exprs.append(map(rule).get("expr")).append('\n');
      }
    }
    assertRegistered("monitoring/alerts.yml", metricsIn(exprs.toString()));
  }

  // ---- Kubernetes -------------------------------------------------------------------------------------

  private static List<Map<String, Object>> renderKustomize() throws Exception {
    return renderKustomize("deploy/kubernetes/base");
  }

  private static List<Map<String, Object>> renderKustomize(String dir) throws Exception {
    return Yamls.loadAll(Kustomize.render(dir));
  }

  private static List<Map<String, Object>> ofKind(List<Map<String, Object>> docs, String kind) {
    return docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
  }

  @Test
  void kubernetesBaseRendersDeploymentsWithProbesSecretsAndGracePeriods() throws Exception {
    List<Map<String, Object>> docs = renderKustomize();
    Map<String, Object> configMap = ofKind(docs, "ConfigMap").get(0);
    Map<String, Object> configData = map(configMap.get("data"));
    assertConfigKeys("ConfigMap " + map(configMap.get("metadata")).get("name"), configData.keySet());
    assertFalse(configData.containsKey("POSTGRES_PASSWORD"), "the password comes from the Secret");
    int metricsPort = Integer.parseInt(String.valueOf(configData.getOrDefault("METRICS_PORT",
        String.valueOf(defaults.metricsPort()))));

    List<Map<String, Object>> deployments = ofKind(docs, "Deployment");
    assertEquals(2, deployments.size());
    for (Map<String, Object> deployment : deployments) {
      String name = String.valueOf(map(deployment.get("metadata")).get("name"));
      Map<String, Object> pod = map(map(map(deployment.get("spec")).get("template")).get("spec"));
      assertEquals(false, pod.get("enableServiceLinks"), name + ": enableServiceLinks");
      int grace = ((Number) pod.get("terminationGracePeriodSeconds")).intValue();
      Map<String, Object> container = map(list(pod.get("containers")).get(0));
      String role = String.valueOf(list(container.get("args")).get(0));
      if (role.equals("--roles=pipeline")) {
        assertTrue(grace > DRAIN_SECONDS, name + ": terminationGracePeriodSeconds " + grace + " above the drain");
      }
      assertEquals(true, map(pod.get("securityContext")).get("runAsNonRoot"), name);
      assertTrue(((Number) map(pod.get("securityContext")).get("runAsUser")).intValue() > 0, name);

      List<String> envNames = list(container.get("env")).stream().map(e -> String.valueOf(map(e).get("name"))).toList();
      assertConfigKeys("Deployment " + name, envNames);
      assertFalse(envNames.contains("POSTGRES_PASSWORD"), name + ": the password is a file, not a variable");
      Map<String, Object> passwordFile = list(container.get("env")).stream().map(DeploymentConsistencyTest::map)
          .filter(e -> "POSTGRES_PASSWORD_FILE".equals(e.get("name"))).findFirst().orElseThrow();
      String passwordDir = Path.of(String.valueOf(passwordFile.get("value"))).getParent().toString();
      Map<String, Object> passwordMount = list(container.get("volumeMounts")).stream()
          .map(DeploymentConsistencyTest::map).filter(m -> passwordDir.equals(m.get("mountPath"))).findFirst()
          .orElseThrow(() -> new AssertionError(name + ": nothing is mounted at " + passwordDir));
      assertTrue(list(pod.get("volumes")).stream().map(DeploymentConsistencyTest::map)
          .anyMatch(v -> v.get("name").equals(passwordMount.get("name")) && v.containsKey("secret")),
          name + ": POSTGRES_PASSWORD_FILE is in a Secret volume");

      Map<String, Object> limits = map(map(container.get("resources")).get("limits"));
      assertNotNull(limits.get("memory"), name + ": a memory limit");
      assertNotNull(limits.get("cpu"), name + ": a CPU limit");
      int cpus = (int) Math.ceil(String.valueOf(limits.get("cpu")).endsWith("m")
          ? Double.parseDouble(String.valueOf(limits.get("cpu")).replace("m", "")) / 1000
          : Double.parseDouble(String.valueOf(limits.get("cpu"))));
      List<Object> command = list(container.get("command"));
      assertTrue(command.contains("-XX:ActiveProcessorCount=" + cpus), name + ": the JVM's processor count "
          + "matches the CPU limit " + limits.get("cpu") + ": " + command);
      assertEquals(List.of("-jar", "/app/stream-pipeline.jar"), command.subList(command.size() - 2, command.size()),
          name + ": runs the image's jar");
      assertTrue(command.contains("-XX:+ExitOnOutOfMemoryError"), name + ": " + command);
      assertTrue(list(container.get("envFrom")).stream().anyMatch(e -> String.valueOf(
          map(map(e).get("configMapRef")).get("name")).equals(map(configMap.get("metadata")).get("name"))), name);

      Map<String, Integer> ports = new HashMap<>();
      list(container.get("ports")).forEach(p -> ports.put(String.valueOf(map(p).get("name")),
          ((Number) map(p).get("containerPort")).intValue()));
      assertEquals(metricsPort, ports.get("metrics"), name + ": the metrics port is METRICS_PORT");
      for (var probe : Map.of("livenessProbe", "/health/live", "startupProbe", "/health/live",
          "readinessProbe", "/health/ready").entrySet()) {
        Map<String, Object> http = map(map(container.get(probe.getKey())).get("httpGet"));
        assertEquals(probe.getValue(), http.get("path"), name + " " + probe.getKey());
        assertEquals("metrics", http.get("port"), name + " " + probe.getKey());
      }
    }

    Map<String, Object> pipeline = deployments.stream().filter(d -> "stream-pipeline".equals(
        map(d.get("metadata")).get("name"))).findFirst().orElseThrow();
    Map<String, Object> pipelineLabels = map(map(map(map(pipeline.get("spec")).get("template")).get("metadata"))
        .get("labels"));
    Map<String, Object> pdb = ofKind(docs, "PodDisruptionBudget").get(0);
    Map<String, Object> pdbSelector = map(map(map(pdb.get("spec")).get("selector")).get("matchLabels"));
    assertTrue(pipelineLabels.entrySet().containsAll(pdbSelector.entrySet()), "the PDB selects the pipeline pods");
    assertFalse(pdbSelector.isEmpty());
  }

  /**
   * The resources are sized once (docs/operations.md): a role gets the same JVM command, memory limit and CPU
   * limit from Compose as from the Kubernetes base and every overlay, and no overlay changes them; every Compose
   * service's JVM sees as many processors as its CPU limit.
   */
  @Test
  void composeAndEveryKubernetesOverlayGiveEachRoleTheSameJvmCommandMemoryAndCpu() throws Exception {
    Map<String, Map<String, Object>> base = containersByRole(renderKustomize());
    for (String overlay : List.of("deploy/kubernetes/overlays/local", "deploy/kubernetes/overlays/production")) {
      Map<String, Map<String, Object>> rendered = containersByRole(renderKustomize(overlay));
      for (var e : base.entrySet()) {
        Map<String, Object> container = rendered.get(e.getKey());
        assertEquals(e.getValue().get("command"), container.get("command"), overlay + " " + e.getKey());
        assertEquals(e.getValue().get("resources"), container.get("resources"), overlay + " " + e.getKey());
      }
    }
    for (String role : List.of("pipeline", "dashboard")) {
      Map<String, Object> service = appServices().get(role);
      Map<String, Object> container = base.get(role);
      assertEquals(list(container.get("command")), list(service.get("entrypoint")), role + ": Compose's entrypoint");
      Map<String, Object> kubernetes = map(map(container.get("resources")).get("limits"));
      Map<String, Object> compose = map(map(map(service.get("deploy")).get("resources")).get("limits"));
      assertEquals(kubernetesBytes(String.valueOf(kubernetes.get("memory"))),
          composeBytes(String.valueOf(compose.get("memory"))), role + ": the memory limit");
      assertEquals(Double.parseDouble(String.valueOf(kubernetes.get("cpu"))),
          Double.parseDouble(String.valueOf(compose.get("cpus"))), role + ": the CPU limit");
    }
    // The generator runs in Compose only; its flags follow its own limits.
    for (var e : appServices().entrySet()) {
      List<Object> entrypoint = list(e.getValue().get("entrypoint"));
      Object cpus = map(map(map(e.getValue().get("deploy")).get("resources")).get("limits")).get("cpus");
      assertTrue(entrypoint.contains("-XX:ActiveProcessorCount=" + (int) Math.ceil(Double.parseDouble(
          String.valueOf(cpus)))), e.getKey() + ": the JVM's processor count matches cpus " + cpus + ": " + entrypoint);
      assertTrue(entrypoint.contains("-XX:+ExitOnOutOfMemoryError"), e.getKey() + ": " + entrypoint);
    }
  }

  /** The first container of each Deployment, by the role its args name. */
  private static Map<String, Map<String, Object>> containersByRole(List<Map<String, Object>> docs) {
    Map<String, Map<String, Object>> byRole = new HashMap<>();
    for (Map<String, Object> deployment : ofKind(docs, "Deployment")) {
      Map<String, Object> pod = map(map(map(deployment.get("spec")).get("template")).get("spec"));
      Map<String, Object> container = map(list(pod.get("containers")).get(0));
      byRole.put(String.valueOf(list(container.get("args")).get(0)).replace("--roles=", ""), container);
    }
    return byRole;
  }

  private static long kubernetesBytes(String quantity) {
    Matcher m = Pattern.compile("(\\d+)(Ki|Mi|Gi)").matcher(quantity);
    assertTrue(m.matches(), "a binary memory quantity: " + quantity);
    return Long.parseLong(m.group(1)) << (10 * (1 + List.of("Ki", "Mi", "Gi").indexOf(m.group(2))));
  }

  private static long composeBytes(String size) {
    Matcher m = Pattern.compile("(\\d+)([kmg])").matcher(size);
    assertTrue(m.matches(), "a Compose memory size: " + size);
    return Long.parseLong(m.group(1)) << (10 * (1 + List.of("k", "m", "g").indexOf(m.group(2))));
  }

  @Test
  void theBaseAppliesWithoutThePrometheusOperatorsKinds() throws Exception {
    List<Map<String, Object>> docs = renderKustomize();
    assertEquals(List.of(), docs.stream().map(d -> String.valueOf(d.get("apiVersion")))
        .filter(v -> v.startsWith("monitoring.coreos.com")).toList());
  }

  @Test
  void kubernetesMonitoringScrapesMetricsAndCarriesTheAlerts() throws Exception {
    List<Map<String, Object>> docs = renderKustomize("deploy/kubernetes/overlays/production");
    for (String kind : List.of("ServiceMonitor", "PrometheusRule")) {
      assertEquals("kube-prometheus-stack", map(map(ofKind(docs, kind).get(0).get("metadata")).get("labels"))
          .get("release"), kind + " carries the label kube-prometheus-stack selects by");
    }
    Map<String, Object> monitor = map(ofKind(docs, "ServiceMonitor").get(0).get("spec"));
    Map<String, Object> endpoint = map(list(monitor.get("endpoints")).get(0));
    assertEquals("/metrics", endpoint.get("path"));
    Map<String, Object> selector = map(map(monitor.get("selector")).get("matchLabels"));
    Map<String, Object> metricsService = ofKind(docs, "Service").stream()
        .filter(s -> map(map(s.get("metadata")).get("labels")).entrySet().containsAll(selector.entrySet()))
        .filter(s -> list(map(s.get("spec")).get("ports")).stream()
            .anyMatch(p -> endpoint.get("port").equals(map(p).get("name"))))
        .findFirst().orElseThrow(() -> new AssertionError("no Service with the port the ServiceMonitor scrapes"));
    assertEquals("stream-pipeline", map(metricsService.get("metadata")).get("name"),
        "the Service name is the job label the alerts select");

    Map<String, Object> rule = ofKind(docs, "PrometheusRule").get(0);
    assertEquals(yaml(Path.of("monitoring/alerts.yml")).get("groups"), map(rule.get("spec")).get("groups"),
        "deploy/kubernetes/components/prometheus-operator/prometheusrule.yaml is out of date: run "
            + "deploy/kubernetes/generate-prometheusrule.sh");
  }
}
