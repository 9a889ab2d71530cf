package io.streampipeline.it.support;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One application container as its orchestrator would start it: the process's argument vector and environment,
 * the files it finds mounted (Secret and ConfigMap volumes; emptyDirs are empty writable directories), its user,
 * whether its root file system is read-only, its memory limit, and how it is probed.
 *
 * @param files       absolute path in the container to content, for Secret, ConfigMap and Compose secret files
 * @param emptyDirs   absolute paths of empty writable directories
 * @param memoryLimit bytes, or 0 when the container has none
 * @param probes      "startup", "liveness", "readiness" (Kubernetes) to their HTTP GET
 * @param ports       container port names (Kubernetes) to numbers
 */
public record ContainerSpec(String name, String hostname, List<String> argv, Map<String, String> env,
    Map<String, byte[]> files, List<String> emptyDirs, boolean readOnlyRoot, int uid, int gid, String workdir,
    long memoryLimit, Map<String, Probe> probes, Map<String, Integer> ports) {

  /** An HTTP GET probe with the kubelet's timing. */
  public record Probe(String path, int port, int periodSeconds, int failureThreshold) {
    public long budgetSeconds() {
      return (long) periodSeconds * failureThreshold;
    }
  }

  private static final Pattern VAR = Pattern.compile("\\$\\$|\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

  /**
   * A container of a rendered pod template, with the ConfigMaps and Secrets of the namespace (name to decoded
   * data), as the kubelet starts it in pod {@code podName} at {@code podIp}.
   */
  public static ContainerSpec fromKubernetes(Map<String, Object> podSpec, Map<String, Object> container,
      Map<String, Map<String, String>> configMaps, Map<String, Map<String, String>> secrets, ImageConfig image,
      String podName, String podIp) {
    Map<String, String> env = new LinkedHashMap<>(image.env());
    env.put("HOSTNAME", podName);
    // The kubelet injects these whatever enableServiceLinks says.
    env.put("KUBERNETES_SERVICE_HOST", "10.96.0.1");
    env.put("KUBERNETES_SERVICE_PORT", "443");
    assertNoServiceLinks(podSpec, podName);
    for (Object from : Yamls.list(container.get("envFrom"))) {
      Map<String, Object> f = Yamls.map(from);
      String prefix = String.valueOf(f.getOrDefault("prefix", ""));
      if (f.containsKey("configMapRef")) {
        source(configMaps, "ConfigMap", Yamls.map(f.get("configMapRef"))).forEach((k, v) -> env.put(prefix + k, v));
      } else {
        source(secrets, "Secret", Yamls.map(f.get("secretRef"))).forEach((k, v) -> env.put(prefix + k, v));
      }
    }
    for (Object e : Yamls.list(container.get("env"))) {
      Map<String, Object> var = Yamls.map(e);
      String name = String.valueOf(var.get("name"));
      if (var.containsKey("value")) {
        env.put(name, expand(String.valueOf(var.get("value")), env));
        continue;
      }
      Map<String, Object> from = Yamls.map(var.get("valueFrom"));
      if (from.containsKey("configMapKeyRef")) {
        env.put(name, key(configMaps, "ConfigMap", Yamls.map(from.get("configMapKeyRef"))));
      } else if (from.containsKey("secretKeyRef")) {
        env.put(name, key(secrets, "Secret", Yamls.map(from.get("secretKeyRef"))));
      } else if (from.containsKey("fieldRef")) {
        String path = String.valueOf(Yamls.map(from.get("fieldRef")).get("fieldPath"));
        env.put(name, switch (path) {
          case "metadata.name" -> podName;
          case "status.podIP" -> podIp;
          default -> throw new AssertionError(podName + ": fieldRef " + path + " is not emulated");
        });
      } else {
        throw new AssertionError(podName + ": env " + name + " has a source the test does not emulate: " + from);
      }
    }

    Map<String, Map<String, Object>> volumes = new LinkedHashMap<>();
    for (Object v : Yamls.list(podSpec.get("volumes"))) {
      volumes.put(String.valueOf(Yamls.map(v).get("name")), Yamls.map(v));
    }
    Map<String, byte[]> files = new LinkedHashMap<>();
    List<String> emptyDirs = new ArrayList<>();
    for (Object m : Yamls.list(container.get("volumeMounts"))) {
      Map<String, Object> mount = Yamls.map(m);
      String path = String.valueOf(mount.get("mountPath"));
      Map<String, Object> volume = volumes.get(String.valueOf(mount.get("name")));
      if (volume == null) {
        throw new AssertionError(podName + ": volumeMount " + mount.get("name") + " names no volume");
      }
      if (volume.containsKey("emptyDir")) {
        emptyDirs.add(path);
        continue;
      }
      Map<String, String> data;
      Map<String, Object> ref;
      if (volume.containsKey("secret")) {
        ref = Yamls.map(volume.get("secret"));
        data = source(secrets, "Secret", Map.of("name", ref.get("secretName")));
      } else if (volume.containsKey("configMap")) {
        ref = Yamls.map(volume.get("configMap"));
        data = source(configMaps, "ConfigMap", ref);
      } else {
        throw new AssertionError(podName + ": volume kind not emulated: " + volume.keySet());
      }
      Map<String, String> byPath = new LinkedHashMap<>();
      if (ref.containsKey("items")) {
        for (Object item : Yamls.list(ref.get("items"))) {
          String key = String.valueOf(Yamls.map(item).get("key"));
          if (!data.containsKey(key)) {
            throw new AssertionError(podName + ": volume " + mount.get("name") + " has no key " + key);
          }
          byPath.put(String.valueOf(Yamls.map(item).get("path")), data.get(key));
        }
      } else {
        byPath.putAll(data);
      }
      Object subPath = mount.get("subPath");
      if (subPath != null) {
        if (!byPath.containsKey(String.valueOf(subPath))) {
          throw new AssertionError(podName + ": subPath " + subPath + " is not in volume " + mount.get("name"));
        }
        files.put(path, byPath.get(String.valueOf(subPath)).getBytes(StandardCharsets.UTF_8));
      } else {
        byPath.forEach((file, content) -> files.put(path + "/" + file, content.getBytes(StandardCharsets.UTF_8)));
      }
    }

    Map<String, Object> podSecurity = Yamls.map(podSpec.get("securityContext"));
    Map<String, Object> security = Yamls.map(container.get("securityContext"));
    int uid = intOf(security.getOrDefault("runAsUser", podSecurity.getOrDefault("runAsUser", image.uid())));
    int gid = intOf(security.getOrDefault("runAsGroup", podSecurity.getOrDefault("runAsGroup", image.gid())));

    Map<String, Integer> ports = new LinkedHashMap<>();
    for (Object p : Yamls.list(container.get("ports"))) {
      Map<String, Object> port = Yamls.map(p);
      ports.put(String.valueOf(port.get("name")), intOf(port.get("containerPort")));
    }
    Map<String, Probe> probes = new LinkedHashMap<>();
    for (String kind : List.of("startup", "liveness", "readiness")) {
      Map<String, Object> probe = Yamls.map(container.get(kind + "Probe"));
      if (probe.isEmpty()) {
        continue;
      }
      Map<String, Object> http = Yamls.map(probe.get("httpGet"));
      if (http.isEmpty()) {
        throw new AssertionError(podName + ": " + kind + " probe is not an HTTP GET");
      }
      Object port = http.get("port");
      int number = port instanceof Number n ? n.intValue() : ports.getOrDefault(String.valueOf(port), -1);
      if (number < 0) {
        throw new AssertionError(podName + ": " + kind + " probe port " + port + " is not a container port");
      }
      probes.put(kind, new Probe(String.valueOf(http.getOrDefault("path", "/")), number,
          intOf(probe.getOrDefault("periodSeconds", 10)), intOf(probe.getOrDefault("failureThreshold", 3))));
    }

    List<String> argv = new ArrayList<>(container.containsKey("command")
        ? Yamls.strings(container.get("command")) : image.entrypoint());
    argv.addAll(container.containsKey("args") ? Yamls.strings(container.get("args")) : image.cmd());
    long memory = bytes(Yamls.map(Yamls.map(container.get("resources")).get("limits")).get("memory"));
    return new ContainerSpec(String.valueOf(container.get("name")), podName, argv.stream()
        .map(a -> expand(a, env)).toList(), env, files, emptyDirs, Boolean.TRUE.equals(security
        .get("readOnlyRootFilesystem")), uid, gid, image.workdir(), memory, probes, ports);
  }

  /**
   * A Compose service as {@code docker compose up} starts one replica of it: the image's environment, the
   * service's {@code environment}, its {@code secrets} as files under /run/secrets, and its memory limit.
   */
  public static ContainerSpec fromCompose(String service, Map<String, Object> spec, Map<String, Object> composeSecrets,
      ImageConfig image, String containerId) {
    Map<String, String> env = new LinkedHashMap<>(image.env());
    env.put("HOSTNAME", containerId);
    Yamls.map(spec.get("environment")).forEach((k, v) -> env.put(k, v == null ? "" : String.valueOf(v)));
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (Object s : Yamls.list(spec.get("secrets"))) {
      String name = s instanceof Map<?, ?> m ? String.valueOf(m.get("source")) : String.valueOf(s);
      String target = s instanceof Map<?, ?> m && m.get("target") != null ? String.valueOf(m.get("target")) : name;
      Map<String, Object> secret = Yamls.map(composeSecrets.get(name));
      if (secret.isEmpty()) {
        throw new AssertionError(service + ": secret " + name + " is not defined at the top level");
      }
      files.put(target.startsWith("/") ? target : "/run/secrets/" + target,
          Yamls.read(java.nio.file.Path.of(String.valueOf(secret.get("file")))).getBytes(StandardCharsets.UTF_8));
    }
    List<String> argv = new ArrayList<>(spec.containsKey("entrypoint") ? Yamls.strings(spec.get("entrypoint"))
        : image.entrypoint());
    argv.addAll(spec.containsKey("command") ? Yamls.strings(spec.get("command")) : image.cmd());
    Object limit = Yamls.map(Yamls.map(Yamls.map(spec.get("deploy")).get("resources")).get("limits")).get("memory");
    long memory = dockerBytes(limit != null ? limit : spec.get("mem_limit"));
    return new ContainerSpec(service, containerId, argv, env, files, List.of(), Boolean.TRUE.equals(
        spec.get("read_only")), image.uid(), image.gid(), image.workdir(), memory, Map.of(), Map.of());
  }

  private static void assertNoServiceLinks(Map<String, Object> podSpec, String podName) {
    if (!Boolean.FALSE.equals(podSpec.get("enableServiceLinks"))) {
      throw new AssertionError(podName + ": enableServiceLinks is not false, so the kubelet would add "
          + "<SERVICE>_PORT=tcp://... variables that the test does not emulate (POSTGRES_PORT among them)");
    }
  }

  private static Map<String, String> source(Map<String, Map<String, String>> objects, String kind,
      Map<String, Object> ref) {
    String name = String.valueOf(ref.get("name"));
    Map<String, String> data = objects.get(name);
    if (data == null) {
      if (Boolean.TRUE.equals(ref.get("optional"))) {
        return Map.of();
      }
      throw new AssertionError(kind + " " + name + " does not exist: the pod would not start");
    }
    return data;
  }

  private static String key(Map<String, Map<String, String>> objects, String kind, Map<String, Object> ref) {
    String value = source(objects, kind, ref).get(String.valueOf(ref.get("key")));
    if (value == null) {
      throw new AssertionError(kind + " " + ref.get("name") + " has no key " + ref.get("key"));
    }
    return value;
  }

  /** $(VAR) as the kubelet expands it in values, command and args; $$ is a literal $. */
  public static String expand(String value, Map<String, String> env) {
    Matcher m = VAR.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement = m.group(1) == null ? "\\$" : Matcher.quoteReplacement(
          env.getOrDefault(m.group(1), m.group()));
      m.appendReplacement(out, replacement);
    }
    return m.appendTail(out).toString();
  }

  /** Decoded data of a Secret object (data is base64, stringData is plain). */
  public static Map<String, String> secretData(Map<String, Object> secret) {
    Map<String, String> data = new LinkedHashMap<>();
    Yamls.map(secret.get("data")).forEach((k, v) -> data.put(k,
        new String(Base64.getDecoder().decode(String.valueOf(v)), StandardCharsets.UTF_8)));
    Yamls.map(secret.get("stringData")).forEach((k, v) -> data.put(k, String.valueOf(v)));
    return data;
  }

  public static long bytes(Object quantity) {
    if (quantity == null) {
      return 0;
    }
    Matcher m = Pattern.compile("(\\d+)([KMGT]i?|[kmgt]|b)?").matcher(String.valueOf(quantity).strip());
    if (!m.matches()) {
      throw new AssertionError("memory quantity " + quantity);
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "" : m.group(2);
    return n * switch (unit) {
      case "Ki" -> 1L << 10;
      case "Mi" -> 1L << 20;
      case "Gi" -> 1L << 30;
      case "Ti" -> 1L << 40;
      case "K", "k" -> 1_000L;
      case "M", "m" -> 1_000_000L;
      case "G", "g" -> 1_000_000_000L;
      case "T", "t" -> 1_000_000_000_000L;
      default -> 1L;
    };
  }

  /** Docker's sizes: b, k, m, g with or without "b", all binary multiples. */
  public static long dockerBytes(Object size) {
    if (size == null) {
      return 0;
    }
    Matcher m = Pattern.compile("(\\d+)([kmg]?)b?").matcher(String.valueOf(size).strip().toLowerCase());
    if (!m.matches()) {
      throw new AssertionError("memory size " + size);
    }
    return Long.parseLong(m.group(1)) << switch (m.group(2)) {
      case "k" -> 10;
      case "m" -> 20;
      case "g" -> 30;
      default -> 0;
    };
  }

  private static int intOf(Object o) {
    return o instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(o));
  }
}
