package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.streampipeline.it.support.Await;
import io.streampipeline.it.support.ClusterServices;
import io.streampipeline.it.support.ContainerProcess;
import io.streampipeline.it.support.ContainerSpec;
import io.streampipeline.it.support.ImageConfig;
import io.streampipeline.it.support.Kustomize;
import io.streampipeline.it.support.PipelineProcess;
import io.streampipeline.it.support.PodNetwork;
import io.streampipeline.it.support.RequiredTool;
import io.streampipeline.it.support.Yamls;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every application container of the deployment files started as its orchestrator starts it, and checked as the
 * orchestrator checks it. The Kubernetes base and overlays are rendered with {@code kubectl kustomize}, and
 * docker-compose.yml is read; each container runs the jar with exactly its environment (image ENV, ConfigMap
 * and Secret values, mounted files, args) as PID 1 in a namespace of its own with a pod address (see
 * {@link ContainerProcess}, {@link PodNetwork}), against Kafka and PostgreSQL under the names and ports the
 * manifests give them. From outside the pod, as the kubelet and a Service would: the startup, liveness and
 * readiness probes on the pod address and port, the Services' target ports, and SIGTERM within the grace period.
 * Needs root (namespaces, veth pairs, mounts); elsewhere skipped with one line, under CI a failure.
 */
class ManifestStartIT {
  /** How long a whole rollout may take here, whatever the probes would allow (2 shared cores). */
  private static final long ROLLOUT_SECONDS = 240;
  private static final String DASHBOARD_TOKEN = "it-token-" + HexFormat.of().formatHex(
      new SecureRandom().generateSeed(8));

  private static PodNetwork network;
  private static ClusterServices services;
  private static ImageConfig image;
  private static Path jar;

  @BeforeAll
  static void startClusterServices() throws Exception {
    String unavailable = PodNetwork.unavailable();
    if (unavailable != null) {
      RequiredTool.missing("containers as PID 1 in their own namespaces cannot be made here: " + unavailable);
    }
    jar = PipelineProcess.jar();
    image = ImageConfig.fromDockerfile(Path.of("Dockerfile"));
    // The secured deployment's broker and database names, as its ConfigMap gives them, resolve to the test's.
    Map<String, String> secured = configMaps(Yamls.loadAll(Kustomize.render(PRODUCTION))).values().stream()
        .filter(data -> data.containsKey("KAFKA_BOOTSTRAP_SERVERS")).findFirst().orElseThrow();
    List<String> names = new ArrayList<>(List.of("kafka", "postgres"));
    names.addAll(serviceHostNames(secured));
    network = PodNetwork.create();
    services = ClusterServices.start(network.serviceAddress(),
        secured.get("KAFKA_BOOTSTRAP_SERVERS").split(",")[0].strip(), names);
  }

  @AfterAll
  static void stopClusterServices() {
    if (services != null) {
      services.close();
    }
    if (network != null) {
      network.close();
    }
  }

  private static final String PRODUCTION = "deploy/kubernetes/overlays/production";
  private static final String LOCAL = "deploy/kubernetes/overlays/local";

  /** The Secrets the Kubernetes steps of docs/operations.md create, with the values the test's servers expect. */
  private static Map<String, Map<String, String>> secretsTheOperatorCreates() {
    Map<String, Map<String, String>> secrets = new HashMap<>();
    secrets.put("stream-pipeline-postgres", Map.of("POSTGRES_PASSWORD", ClusterServices.POSTGRES_PASSWORD));
    secrets.put("stream-pipeline-dashboard", Map.of("DASHBOARD_AUTH_TOKEN", DASHBOARD_TOKEN));
    secrets.put("stream-pipeline-kafka", Map.of("sasl.jaas.config", ClusterServices.jaasConfig()));
    return secrets;
  }

  /** The ConfigMaps the Kubernetes steps of docs/operations.md create: the CAs of the secured deployment. */
  private static Map<String, Map<String, String>> configMapsTheOperatorCreates() {
    return Map.of("stream-pipeline-kafka-ca", Map.of("ca.pem", services.caPem()),
        "stream-pipeline-postgres-ca", Map.of("ca.pem", services.caPem()));
  }

  private static Map<String, Map<String, String>> configMaps(List<Map<String, Object>> objects) {
    Map<String, Map<String, String>> configMaps = new HashMap<>();
    for (Map<String, Object> o : ofKind(objects, "ConfigMap")) {
      Map<String, String> data = new LinkedHashMap<>();
      Yamls.map(o.get("data")).forEach((k, v) -> data.put(k, String.valueOf(v)));
      configMaps.put(Yamls.name(o), data);
    }
    return configMaps;
  }

  /** The host names a container gives Kafka and PostgreSQL, which the cluster's DNS resolves for it. */
  private static List<String> serviceHostNames(Map<String, String> env) {
    List<String> names = new ArrayList<>();
    for (String server : env.getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "").split(",")) {
      if (!server.isBlank()) {
        names.add(server.strip().substring(0, server.strip().lastIndexOf(':')));
      }
    }
    if (env.containsKey("POSTGRES_HOST")) {
      names.add(env.get("POSTGRES_HOST"));
    }
    return names;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"deploy/kubernetes/base", PRODUCTION})
  void everyKubernetesContainerStartsAsPidOneAndPassesItsProbesWithThreePipelineReplicasSharingTheSixPartitions(
      String kustomization) throws Exception {
    startAndCheck(kustomization, Integer.MAX_VALUE);
  }

  /**
   * overlays/local is started too, one pod of each Deployment: what its patches render (command, environment,
   * mounts, probes, resources) runs and passes its probes, and the one pipeline pod takes all six partitions.
   * More replicas would add wall time and show nothing new: the pod template is the base's but for the image
   * (the test below), and the base's run already shows three replicas sharing the partitions.
   */
  @Test
  void theLocalOverlaysPipelineAndDashboardPodsStartFromTheLocallyLoadedImageAndPassTheirProbes() throws Exception {
    for (Map<String, Object> deployment : ofKind(Yamls.loadAll(Kustomize.render(LOCAL)), "Deployment")) {
      Map<String, Object> container = Yamls.map(Yamls.list(podSpec(deployment).get("containers")).get(0));
      assertEquals("IfNotPresent", container.get("imagePullPolicy"), Yamls.name(deployment));
      assertEquals("stream-pipeline:local", container.get("image"), Yamls.name(deployment));
    }
    startAndCheck(LOCAL, 1);
  }

  /**
   * Renders a kustomization and starts at most {@code podsPerDeployment} pods of each of its Deployments as the
   * kubelet would, then probes them, checks the pipeline pods' partitions and every Service, and stops them.
   */
  private static void startAndCheck(String kustomization, int podsPerDeployment) throws Exception {
    String rendered = Kustomize.render(kustomization);
    List<Map<String, Object>> objects = Yamls.loadAll(rendered);
    Set<String> renderedSecrets = new TreeSet<>();
    Map<String, Map<String, String>> configMaps = new HashMap<>(configMapsTheOperatorCreates());
    configMaps.putAll(configMaps(objects));
    Map<String, Map<String, String>> secrets = secretsTheOperatorCreates();
    for (Map<String, Object> o : objects) {
      if ("Secret".equals(o.get("kind"))) {
        secrets.put(Yamls.name(o), ContainerSpec.secretData(o));
        renderedSecrets.add(Yamls.name(o));
      }
    }

    List<Pod> pods = new ArrayList<>();
    try {
      for (Map<String, Object> deployment : ofKind(objects, "Deployment")) {
        Map<String, Object> spec = Yamls.map(deployment.get("spec"));
        Map<String, Object> template = Yamls.map(spec.get("template"));
        Map<String, Object> podSpec = Yamls.map(template.get("spec"));
        String hash = randomName(10);
        int replicas = ((Number) spec.getOrDefault("replicas", 1)).intValue();
        if ("stream-pipeline".equals(Yamls.name(deployment))) {
          assertEquals(3, replicas, "the pipeline Deployment's replicas");
        }
        for (int r = 0; r < Math.min(replicas, podsPerDeployment); r++) {
          PodNetwork.Pod address = network.addPod();
          String podName = Yamls.name(deployment) + "-" + hash + "-" + randomName(5);
          Map<String, Object> container = Yamls.map(Yamls.list(podSpec.get("containers")).get(0));
          assertEquals(1, Yamls.list(podSpec.get("containers")).size(), podName + ": one container");
          ContainerSpec containerSpec = ContainerSpec.fromKubernetes(podSpec, container, configMaps, secrets, image,
              podName, address.address());
          pods.add(new Pod(Yamls.name(deployment), Yamls.map(Yamls.map(template.get("metadata")).get("labels")),
              ((Number) podSpec.getOrDefault("terminationGracePeriodSeconds", 30)).intValue(),
              ContainerProcess.start(containerSpec, address, image, jar,
                  services.hostsLines(serviceHostNames(containerSpec.env())))));
        }
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ROLLOUT_SECONDS);
      for (Pod pod : pods) {
        probeAsTheKubeletDoes(pod.container(), deadline);
      }
      for (Pod pod : pods) {
        assertRunsAsPidOne(pod.container());
        assertJsonLogsWhenAsked(pod.container());
      }

      List<Pod> pipelines = pods.stream().filter(p -> "stream-pipeline".equals(p.deployment())).toList();
      assertEquals(Math.min(3, podsPerDeployment), pipelines.size(), "pipeline pods started");
      assertPartitionsShared(pipelines, 6);
      assertMetricsCountTheAssignedPartitions(pipelines, 6);

      for (Map<String, Object> service : ofKind(objects, "Service")) {
        assertServiceReachesItsPods(service, pods);
      }

      // All at once, as a deletion of the namespace's Deployments would; each within its grace period.
      pods.forEach(p -> p.container().signalTerm());
      for (Pod pod : pods) {
        assertTrue(pod.container().awaitExit(pod.gracePeriod()), pod.container().spec().hostname()
            + " did not stop within terminationGracePeriodSeconds " + pod.gracePeriod() + ":\n"
            + tail(pod.container().output()));
      }
    } finally {
      pods.forEach(p -> p.container().close());
    }
    String readme = Files.readString(Path.of("docs/operations.md"));
    for (String secret : secretsTheOperatorCreates().keySet()) {
      if (!renderedSecrets.contains(secret) && rendered.contains(secret)) {
        assertTrue(readme.contains("kubectl create secret generic " + secret), "the Kubernetes steps in docs/operations.md create "
            + "the Secret " + secret + " that the manifests need");
      }
    }
    for (String configMap : configMapsTheOperatorCreates().keySet()) {
      if (rendered.contains(configMap)) {
        assertTrue(readme.contains("kubectl create configmap " + configMap), "the Kubernetes steps in docs/operations.md create "
            + "the ConfigMap " + configMap + " that the manifests need");
      }
    }
  }

  /**
   * overlays/local changes only where the image comes from: the same pod specs as the base's once the image
   * fields are left out, so the base's three replicas stand for its own.
   */
  @Test
  void theLocalOverlaysPodTemplatesAreTheBasesButForTheImage() throws Exception {
    List<Map<String, Object>> base = ofKind(Yamls.loadAll(Kustomize.render("deploy/kubernetes/base")),
        "Deployment");
    List<Map<String, Object>> local = ofKind(Yamls.loadAll(Kustomize.render(LOCAL)), "Deployment");
    assertEquals(base.size(), local.size());
    for (int i = 0; i < base.size(); i++) {
      Map<String, Object> container = Yamls.map(Yamls.list(podSpec(local.get(i)).get("containers")).get(0));
      assertEquals("IfNotPresent", container.get("imagePullPolicy"), Yamls.name(local.get(i)));
      assertEquals("stream-pipeline:local", container.get("image"), Yamls.name(local.get(i)));
      assertEquals(withoutImage(base.get(i)), withoutImage(local.get(i)), Yamls.name(local.get(i)));
    }
  }

  private static Map<String, Object> podSpec(Map<String, Object> deployment) {
    return Yamls.map(Yamls.map(Yamls.map(deployment.get("spec")).get("template")).get("spec"));
  }

  private static Map<String, Object> withoutImage(Map<String, Object> deployment) {
    Map<String, Object> spec = new LinkedHashMap<>(podSpec(deployment));
    List<Object> containers = new ArrayList<>();
    for (Object c : Yamls.list(spec.get("containers"))) {
      Map<String, Object> container = new LinkedHashMap<>(Yamls.map(c));
      container.remove("image");
      container.remove("imagePullPolicy");
      containers.add(container);
    }
    spec.put("containers", containers);
    return spec;
  }

  @Test
  void everyComposeApplicationServiceStartsAsPidOneAndPassesTheImageHealthcheck() throws Exception {
    Map<String, Object> compose = Yamls.load(Path.of("docker-compose.yml"));
    Map<String, Object> composeSecrets = Yamls.map(compose.get("secrets"));
    List<ContainerProcess> containers = new ArrayList<>();
    try {
      for (var entry : Yamls.map(compose.get("services")).entrySet()) {
        Map<String, Object> service = Yamls.map(entry.getValue());
        if (!String.valueOf(service.get("image")).startsWith("stream-pipeline:")) {
          continue;
        }
        int replicas = ((Number) Yamls.map(service.get("deploy")).getOrDefault("replicas", 1)).intValue();
        for (int r = 0; r < replicas; r++) {
          PodNetwork.Pod address = network.addPod();
          ContainerSpec spec = ContainerSpec.fromCompose(entry.getKey(), service, composeSecrets, image,
              randomName(12));
          containers.add(ContainerProcess.start(spec, address, image, jar,
              services.hostsLines(serviceHostNames(spec.env()))));
        }
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ROLLOUT_SECONDS);
      for (ContainerProcess c : containers) {
        awaitHealthcheck(c, deadline);
        assertRunsAsPidOne(c);
      }
      List<ContainerProcess> pipelines = containers.stream().filter(c -> c.spec().name().equals("pipeline")).toList();
      for (ContainerProcess c : pipelines) {
        awaitStatus(c, c.pod().address(), port(c, "METRICS_PORT"), "/health/ready", 200, deadline);
      }
      assertPartitionsShared(pipelines.stream().map(c -> new Pod("pipeline", Map.of(), 90, c)).toList(), 6);
      // The published port: Docker forwards 127.0.0.1:8000 on the host to the container, and a browser on the
      // host sends "Host: localhost:8000".
      for (ContainerProcess c : containers) {
        if (c.spec().name().equals("dashboard")) {
          int port = port(c, "DASHBOARD_PORT");
          Response page = RawHttp.get(c.pod().address(), port, "localhost:" + port, "/", Map.of());
          assertEquals(200, page.status(), "the dashboard through its published port: " + page);
        }
      }
      containers.forEach(ContainerProcess::signalTerm);
      for (ContainerProcess c : containers) {
        String grace = String.valueOf(Yamls.map(Yamls.map(compose.get("services")).get(c.spec().name()))
            .getOrDefault("stop_grace_period", "10s"));
        assertTrue(c.awaitExit(Long.parseLong(grace.replace("s", ""))), c.spec().hostname()
            + " did not stop within stop_grace_period " + grace + ":\n"
            + tail(c.output()));
      }
    } finally {
      containers.forEach(ContainerProcess::close);
    }
  }

  /** A running replica of a Deployment (or Compose service). */
  private record Pod(String deployment, Map<String, Object> labels, int gracePeriod, ContainerProcess container) {
  }

  private static List<Map<String, Object>> ofKind(List<Map<String, Object>> objects, String kind) {
    return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
  }

  /** The startup probe until it passes within its budget; then readiness, and liveness passes too. */
  private static void probeAsTheKubeletDoes(ContainerProcess c, long deadline) {
    Map<String, ContainerSpec.Probe> probes = c.spec().probes();
    for (String kind : List.of("startup", "liveness", "readiness")) {
      assertTrue(probes.containsKey(kind), c.spec().hostname() + " has a " + kind + " probe");
    }
    ContainerSpec.Probe startup = probes.get("startup");
    long startupDeadline = Math.min(deadline, System.nanoTime()
        + TimeUnit.SECONDS.toNanos(startup.budgetSeconds()));
    awaitStatus(c, c.pod().address(), startup.port(), startup.path(), 200, startupDeadline);
    ContainerSpec.Probe readiness = probes.get("readiness");
    awaitStatus(c, c.pod().address(), readiness.port(), readiness.path(), 200, deadline);
    ContainerSpec.Probe liveness = probes.get("liveness");
    Response live = RawHttp.get(c.pod().address(), liveness.port(), c.pod().address() + ":" + liveness.port(),
        liveness.path(), Map.of());
    assertEquals(200, live.status(), c.spec().hostname() + " liveness: " + live);
  }

  private static void awaitStatus(ContainerProcess c, String address, int port, String path, int status,
      long deadline) {
    Response last = null;
    while (System.nanoTime() < deadline) {
      if (!c.alive()) {
        fail(c.spec().hostname() + " exited:\n" + tail(c.output()));
      }
      last = RawHttp.get(address, port, address + ":" + port, path, Map.of());
      if (last.status() == status) {
        return;
      }
      Await.sleep(1000);
    }
    fail(c.spec().hostname() + ": GET " + path + " on " + address + ":" + port + " did not answer " + status
        + " in time; last answer " + last + "\n" + tail(c.output()));
  }

  private static void awaitHealthcheck(ContainerProcess c, long deadline) throws Exception {
    assertTrue(!image.healthcheck().isEmpty(), "the Dockerfile has a HEALTHCHECK");
    while (System.nanoTime() < deadline) {
      if (!c.alive()) {
        fail(c.spec().hostname() + " (" + c.spec().name() + ") exited:\n" + tail(c.output()));
      }
      if (c.execInNetwork(image.healthcheck()) == 0) {
        return;
      }
      Await.sleep(1000);
    }
    fail(c.spec().name() + ": the image's HEALTHCHECK did not pass in time\n" + tail(c.output()));
  }

  private static int port(ContainerProcess c, String key) {
    return Integer.parseInt(c.spec().env().get(key));
  }

  private static void assertRunsAsPidOne(ContainerProcess c) {
    assertEquals(1, c.pidInContainer(), c.spec().hostname() + ": the main process is PID 1 in its namespace");
    List<String> command = c.commandLine();
    assertEquals("java", command.get(0), c.spec().hostname() + ": " + command);
  }

  /** LOG_FORMAT=json promises one JSON object a line on the container's output, which log collectors parse. */
  private static void assertJsonLogsWhenAsked(ContainerProcess c) {
    if (!"json".equals(c.spec().env().get("LOG_FORMAT"))) {
      return;
    }
    for (String line : c.output().split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      try {
        new JsonObject(line);
      } catch (RuntimeException e) {
        fail(c.spec().hostname() + ": a line of its output is not JSON: " + line);
      }
    }
  }

  /** The lanes of all replicas, one consumer group: every partition owned once, every replica owns some. */
  private static void assertPartitionsShared(List<Pod> pipelines, int partitions) throws Exception {
    Map<String, String> env = pipelines.get(0).container().spec().env();
    String group = env.getOrDefault("KAFKA_CONSUMER_GROUP", "stream-pipeline-consumers");
    String topic = env.getOrDefault("KAFKA_CLICKSTREAM_TOPIC", "clickstream.events");
    int lanes = Integer.parseInt(env.getOrDefault("PIPELINE_INSTANCES", "1")) * pipelines.size();
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, services.bootstrapServers());
    try (Admin admin = Admin.create(props)) {
      String last = "";
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all()
            .get(30, TimeUnit.SECONDS).get(group);
        List<Integer> owned = new ArrayList<>();
        Map<String, Set<Integer>> byAddress = new HashMap<>();
        Set<String> clientIds = new TreeSet<>();
        for (MemberDescription m : description.members()) {
          clientIds.add(m.clientId());
          for (TopicPartition tp : m.assignment().topicPartitions()) {
            if (tp.topic().equals(topic)) {
              owned.add(tp.partition());
              byAddress.computeIfAbsent(m.host().replace("/", ""), k -> new TreeSet<>()).add(tp.partition());
            }
          }
        }
        last = description.state() + " members " + clientIds + " partitions by pod address " + byAddress;
        boolean everyPodOwnsSome = pipelines.stream().allMatch(p -> !byAddress
            .getOrDefault(p.container().pod().address(), Set.of()).isEmpty());
        if (description.members().size() == lanes && clientIds.size() == lanes
            && owned.size() == partitions
            && new TreeSet<>(owned).equals(IntStream.range(0, partitions).boxed().collect(Collectors.toSet()))
            && everyPodOwnsSome) {
          return;
        }
        Await.sleep(1000);
      }
      fail("the " + pipelines.size() + " replicas' " + lanes + " lanes do not share the " + partitions
          + " partitions of " + topic + ": " + last);
    }
  }

  /** The gauge StreamPipelineNoLanes watches, summed over the replicas as Prometheus sums it. */
  private static void assertMetricsCountTheAssignedPartitions(List<Pod> pipelines, int partitions) {
    Pattern gauge = Pattern.compile("(?m)^stream_pipeline_assigned_partitions(?:\\{[^}]*})? (\\S+)$");
    double sum = -1;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      sum = 0;
      for (Pod pod : pipelines) {
        ContainerProcess c = pod.container();
        int port = c.spec().ports().get("metrics");
        Matcher m = gauge.matcher(RawHttp.get(c.pod().address(), port, c.pod().address() + ":" + port, "/metrics",
            Map.of()).body());
        sum += m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
      }
      if (sum == partitions) {
        return;
      }
      Await.sleep(1000);
    }
    fail("stream_pipeline_assigned_partitions sums to " + sum + " over the replicas, not " + partitions);
  }

  /**
   * What a Service does: for each of its ports, a connection to the target port of each pod it selects; the
   * request names the Service as a client in the cluster would. The headless metrics Service must serve
   * /metrics; the dashboard's must answer its page (with the token when one is configured).
   */
  private static void assertServiceReachesItsPods(Map<String, Object> service, List<Pod> pods) {
    Map<String, Object> spec = Yamls.map(service.get("spec"));
    Map<String, Object> selector = Yamls.map(spec.get("selector"));
    List<Pod> selected = pods.stream().filter(p -> p.labels().entrySet().containsAll(selector.entrySet()))
        .toList();
    assertTrue(!selected.isEmpty(), "Service " + Yamls.name(service) + " selects no pod");
    for (Object p : Yamls.list(spec.get("ports"))) {
      Map<String, Object> port = Yamls.map(p);
      Object target = port.getOrDefault("targetPort", port.get("port"));
      for (Pod pod : selected) {
        ContainerSpec c = pod.container().spec();
        int targetPort = target instanceof Number n ? n.intValue() : c.ports().getOrDefault(String.valueOf(target), -1);
        assertNotEquals(-1, targetPort, Yamls.name(service) + ": targetPort " + target + " is not a port of "
            + c.hostname());
        String host = Yamls.name(service) + ":" + port.get("port");
        String address = pod.container().pod().address();
        if ("metrics".equals(port.get("name"))) {
          Response metrics = RawHttp.get(address, targetPort, host, "/metrics", Map.of());
          assertEquals(200, metrics.status(), host + " -> " + c.hostname() + " /metrics: " + metrics);
          continue;
        }
        String token = c.env().get("DASHBOARD_AUTH_TOKEN");
        if (token == null && c.env().containsKey("DASHBOARD_AUTH_TOKEN_FILE")) {
          token = new String(c.files().get(c.env().get("DASHBOARD_AUTH_TOKEN_FILE")), StandardCharsets.UTF_8)
              .strip();
        }
        Map<String, String> auth = token == null ? Map.of() : Map.of("Authorization", "Bearer " + token);
        Response page = RawHttp.get(address, targetPort, host, "/api/stats", auth);
        assertEquals(200, page.status(), "through Service " + host + " to " + c.hostname() + ": " + page);
        if (token != null) {
          Response anonymous = RawHttp.get(address, targetPort, host, "/api/stats", Map.of());
          assertEquals(401, anonymous.status(), "without the token: " + anonymous);
        }
      }
    }
  }

  private static String randomName(int length) {
    String alphabet = "bcdfghjklmnpqrstvwxz2456789";
    SecureRandom random = new SecureRandom();
    return random.ints(length, 0, alphabet.length()).mapToObj(i -> String.valueOf(alphabet.charAt(i)))
        .collect(Collectors.joining());
  }

  private static String tail(String output) {
    List<String> lines = output.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  record Response(int status, String body) {
    @Override
    public String toString() {
      return status + " " + (body.length() > 300 ? body.substring(0, 300) + "…" : body);
    }
  }

  /** HTTP/1.1 over a plain socket, so the Host header is the one a Service client or the kubelet sends. */
  static final class RawHttp {
    private RawHttp() {
    }

    private static String dechunk(String body) {
      StringBuilder out = new StringBuilder();
      int at = 0;
      while (at < body.length()) {
        int lineEnd = body.indexOf("\r\n", at);
        if (lineEnd < 0) {
          break;
        }
        int size = Integer.parseInt(body.substring(at, lineEnd).split(";")[0].strip(), 16);
        if (size == 0) {
          break;
        }
        out.append(body, lineEnd + 2, Math.min(body.length(), lineEnd + 2 + size));
        at = lineEnd + 2 + size + 2;
      }
      return out.toString();
    }

    static Response get(String address, int port, String host, String path, Map<String, String> headers) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(address, port), 2000);
        socket.setSoTimeout(5000);
        StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: " + host
            + "\r\nUser-Agent: kube-probe/1.30\r\nAccept: application/json, */*\r\nConnection: close\r\n");
        headers.forEach((k, v) -> request.append(k).append(": ").append(v).append("\r\n"));
        OutputStream out = socket.getOutputStream();
        out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        in.transferTo(buffer);
        String response = buffer.toString(StandardCharsets.UTF_8);
        int headerEnd = response.indexOf("\r\n\r\n");
        String statusLine = response.lines().findFirst().orElse("");
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        if (headerEnd < 0) {
          return new Response(status, "");
        }
        String body = response.substring(headerEnd + 4);
        boolean chunked = response.substring(0, headerEnd).toLowerCase(java.util.Locale.ROOT)
            .contains("transfer-encoding: chunked");
        return new Response(status, chunked ? dechunk(body) : body);
      } catch (IOException | RuntimeException e) {
        return new Response(-1, e.toString());
      }
    }
  }
}
