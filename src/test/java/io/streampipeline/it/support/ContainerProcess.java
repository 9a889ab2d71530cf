package io.streampipeline.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A container started the way a runtime starts one, without a runtime: in the pod's network namespace and in
 * new PID, mount and UTS namespaces, so java is PID 1 and the host name is the pod's. Its root is a directory
 * assembled like the image: the host's /usr and the files of /etc the JRE reads, read-only; the JRE at
 * /opt/java/openjdk; the jar where the Dockerfile copies it; the pod's /etc/hosts (the cluster's service names),
 * its mounted files and writable emptyDirs; read-only when the manifest says so, and entered as the manifest's
 * user. The container's memory limit, which a runtime enforces through a cgroup the JVM sizes itself from,
 * reaches the JVM as -XX:MaxRAM.
 */
public final class ContainerProcess implements AutoCloseable {
  /** What the JRE and the C library read from /etc; Debian's JDK keeps its configuration in /etc/java-*. */
  private static final List<String> HOST_ETC = List.of("passwd", "group", "nsswitch.conf", "localtime",
      "timezone", "ssl", "ca-certificates");

  private final ContainerSpec spec;
  private final PodNetwork.Pod pod;
  private final Process process;
  private final Path log;
  private final Path root;
  private final Thread killOnExit = new Thread(this::kill);

  private ContainerProcess(ContainerSpec spec, PodNetwork.Pod pod, Process process, Path log, Path root) {
    this.spec = spec;
    this.pod = pod;
    this.process = process;
    this.log = log;
    this.root = root;
  }

  /** {@code hosts}: the pod's /etc/hosts lines beyond localhost and its own name. */
  public static ContainerProcess start(ContainerSpec spec, PodNetwork.Pod pod, ImageConfig image, Path jar, String hosts) {
    try {
      Path dir = Files.createTempDirectory("container-" + spec.hostname());
      Path root = dir.resolve("root");
      Files.createDirectories(root);
      for (String d : List.of("usr", "proc", "dev", "sys", "tmp", "opt/java/openjdk")) {
        Files.createDirectories(root.resolve(d));
      }
      for (String link : List.of("bin", "lib", "lib64", "sbin")) {
        Path host = Path.of("/" + link);
        if (Files.isSymbolicLink(host)) {
          Files.createSymbolicLink(root.resolve(link), Files.readSymbolicLink(host));
        } else if (Files.isDirectory(host)) {
          Files.createDirectories(root.resolve(link));
        }
      }
      Files.setPosixFilePermissions(root.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
      // What the Dockerfile's RUN makes: the working directory and DATA_DIR, owned by the image's user.
      for (String d : List.of(image.workdir(), image.env().getOrDefault("DATA_DIR", image.workdir()))) {
        Path p = inside(root, d);
        Files.createDirectories(p);
        chown(root, p, image.uid(), image.gid());
      }
      Files.createFile(inside(root, image.jarPath()));
      for (var file : spec.files().entrySet()) {
        Path p = inside(root, file.getKey());
        Files.createDirectories(p.getParent());
        Files.write(p, file.getValue());
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
      }
      for (String d : spec.emptyDirs()) {
        Path p = inside(root, d);
        Files.createDirectories(p);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxrwxrwx"));
      }
      for (Path p = root; p != null && !p.equals(dir.getParent()); p = p.getParent()) {
        p.toFile().setExecutable(true, false);
        p.toFile().setReadable(true, false);
      }
      // The image's own /etc: the few host files the JRE reads, bound read-only, and the pod's hosts and hostname.
      Files.createDirectories(root.resolve("etc"));
      List<String> etc = new ArrayList<>();
      try (var entries = Files.list(Path.of("/etc"))) {
        entries.map(p -> p.getFileName().toString()).filter(n -> HOST_ETC.contains(n) || n.startsWith("java"))
            .sorted().forEach(etc::add);
      }
      for (String name : etc) {
        Path target = root.resolve("etc").resolve(name);
        if (Files.isDirectory(Path.of("/etc", name))) {
          Files.createDirectories(target);
        } else if (!Files.exists(target)) {
          Files.createFile(target);
        }
      }
      Files.writeString(root.resolve("etc/hosts"), "127.0.0.1\tlocalhost\n" + pod.address() + "\t"
          + spec.hostname() + "\n" + hosts);
      Files.writeString(root.resolve("etc/hostname"), spec.hostname() + "\n");

      StringBuilder script = new StringBuilder("set -e\nR=").append(quote(root.toString())).append('\n');
      script.append("mount --bind \"$R\" \"$R\"\n");
      script.append("mount --rbind /usr \"$R/usr\"; mount -o remount,bind,ro \"$R/usr\"\n");
      for (String name : etc) {
        script.append("mount --bind /etc/").append(quote(name)).append(" \"$R/etc/").append(name)
            .append("\"; mount -o remount,bind,ro \"$R/etc/").append(name).append("\"\n");
      }
      script.append("mount --rbind /dev \"$R/dev\"\n");
      script.append("mount -t proc proc \"$R/proc\"\n");
      script.append("mount -t sysfs -o ro sysfs \"$R/sys\"\n");
      script.append("mount --bind -o ro ").append(quote(System.getProperty("java.home")))
          .append(" \"$R").append(ImageConfig.JAVA_HOME).append("\"\n");
      script.append("mount --bind ").append(quote(jar.toAbsolutePath().toString())).append(" \"$R")
          .append(image.jarPath()).append("\"\n");
      List<String> writable = new ArrayList<>(spec.emptyDirs());
      writable.add("/tmp");
      for (String d : writable) {
        script.append("mount --bind \"$R").append(d).append("\" \"$R").append(d).append("\"\n");
      }
      if (spec.readOnlyRoot()) {
        script.append("mount -o remount,bind,ro \"$R\"\n");
      }
      script.append("hostname ").append(quote(spec.hostname())).append('\n');
      script.append("exec chroot --userspec=").append(spec.uid()).append(':').append(spec.gid())
          .append(" \"$R\" /usr/bin/env -i -C ").append(quote(spec.workdir())).append(" \"$@\"\n");
      Path scriptFile = dir.resolve("start.sh");
      Files.writeString(scriptFile, script);

      List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", pod.namespace(), "unshare",
          "--mount", "--pid", "--fork", "--mount-proc", "--uts", "/bin/sh", scriptFile.toString()));
      spec.env().forEach((k, v) -> command.add(k + "=" + v));
      List<String> argv = new ArrayList<>(spec.argv());
      if (spec.memoryLimit() > 0 && argv.get(0).equals("java")) {
        argv.add(1, "-XX:MaxRAM=" + spec.memoryLimit());
      }
      command.addAll(argv);
      Path log = dir.resolve("output.log");
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      ContainerProcess container = new ContainerProcess(spec, pod, process, log, dir);
      Runtime.getRuntime().addShutdownHook(container.killOnExit);
      return container;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path inside(Path root, String absolute) {
    return root.resolve(absolute.replaceFirst("^/+", ""));
  }

  private static void chown(Path root, Path p, int uid, int gid) {
    for (Path q = p; q != null && !q.equals(root); q = q.getParent()) {
      PodNetwork.run(List.of("chown", uid + ":" + gid, q.toString()), true);
    }
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  public ContainerSpec spec() {
    return spec;
  }

  public PodNetwork.Pod pod() {
    return pod;
  }

  /** The container's main process as the host sees it (the one the runtime started in its namespaces). */
  public Optional<ProcessHandle> main() {
    return process.toHandle().children().findFirst();
  }

  /** Its PID inside its own PID namespace (the last NSpid field), or -1 when it is not running. */
  public long pidInContainer() {
    return main().map(p -> {
      try {
        return Files.readAllLines(Path.of("/proc/" + p.pid() + "/status")).stream()
            .filter(l -> l.startsWith("NSpid:")).findFirst()
            .map(l -> Long.parseLong(l.substring(6).strip().replaceAll(".*\\s", ""))).orElse(-1L);
      } catch (IOException e) {
        return -1L;
      }
    }).orElse(-1L);
  }

  /** The command line of the container's main process, as /proc shows it. */
  public List<String> commandLine() {
    return main().map(p -> {
      try {
        String raw = Files.readString(Path.of("/proc/" + p.pid() + "/cmdline"), StandardCharsets.UTF_8);
        return List.of(raw.split("\0"));
      } catch (IOException e) {
        return List.<String>of();
      }
    }).orElse(List.of());
  }

  public boolean alive() {
    return process.isAlive();
  }

  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs a command in the container's network namespace with its environment, as Docker runs HEALTHCHECK;
   * returns its exit code.
   */
  public int execInNetwork(List<String> command) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", pod.namespace()));
    full.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    Map<String, String> env = builder.environment();
    env.clear();
    env.putAll(spec.env());
    env.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    Process p = builder.start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }

  /** SIGTERM to the main process, as the kubelet and Docker stop a container. */
  public void signalTerm() {
    main().ifPresent(ProcessHandle::destroy);
  }

  /** True when the container ended within the time. */
  public boolean awaitExit(long seconds) throws InterruptedException {
    return process.waitFor(seconds, TimeUnit.SECONDS);
  }

  public void kill() {
    main().ifPresent(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    kill();
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down and runs the hook itself
    }
    TempDirs.delete(root);
  }
}
