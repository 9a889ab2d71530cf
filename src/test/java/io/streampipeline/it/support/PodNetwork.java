package io.streampipeline.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces standing in for pods, made and removed by the test: each gets a veth pair to the host with a
 * /30 of 10.200.x.0/24 (host end .4i+1, pod end .4i+2) and a default route to the host. The "cluster services"
 * (the test's Kafka and PostgreSQL) listen on one more address, 10.201.x.1, held by the host on a veth pair of its
 * own: every pod reaches it through its default route, and the test reaches it as a local address. Nothing is
 * forwarded beyond the host.
 */
public final class PodNetwork implements AutoCloseable {
  private final String tag;
  private final int subnet;
  private final List<Pod> pods = new ArrayList<>();
  private boolean closed;

  /** One network namespace; {@code address} is the pod IP. */
  public record Pod(String namespace, String hostAddress, String address) {
  }

  private PodNetwork(String tag, int subnet) {
    this.tag = tag;
    this.subnet = subnet;
  }

  /** Why this machine cannot make pods (not root, a tool missing), or null when it can. */
  public static String unavailable() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return "network and PID namespaces need root (user " + System.getProperty("user.name") + ")";
    }
    for (String tool : List.of("ip", "unshare", "chroot", "mount")) {
      if (run(List.of("sh", "-c", "command -v " + tool), false) != 0) {
        return tool + " is not installed";
      }
    }
    return null;
  }

  public static PodNetwork create() {
    String tag = String.format("%04x", new SecureRandom().nextInt(0x10000));
    String used = output(List.of("ip", "-o", "-4", "addr"));
    int subnet;
    do {
      subnet = new SecureRandom().nextInt(256);
    } while (used.contains(" 10.200." + subnet + ".") || used.contains(" 10.201." + subnet + "."));
    PodNetwork network = new PodNetwork(tag, subnet);
    Runtime.getRuntime().addShutdownHook(new Thread(network::close));
    ip("link", "add", network.serviceLink(), "type", "veth", "peer", "name", network.serviceLink() + "p");
    ip("addr", "add", network.serviceAddress() + "/32", "dev", network.serviceLink());
    ip("link", "set", network.serviceLink(), "up");
    ip("link", "set", network.serviceLink() + "p", "up");
    return network;
  }

  /** The address the test's Kafka and PostgreSQL listen on; /etc/hosts of every pod names it. */
  public String serviceAddress() {
    return "10.201." + subnet + ".1";
  }

  private String serviceLink() {
    return "sp" + tag + "s";
  }

  public synchronized Pod addPod() {
    int i = pods.size();
    if (i >= 63) {
      throw new IllegalStateException("at most 63 pods per network");
    }
    String ns = "sp" + tag + "-" + i;
    String host = "sp" + tag + "h" + i;
    String peer = "sp" + tag + "p" + i;
    Pod pod = new Pod(ns, "10.200." + subnet + "." + (4 * i + 1), "10.200." + subnet + "." + (4 * i + 2));
    pods.add(pod);
    ip("netns", "add", ns);
    ip("link", "add", host, "type", "veth", "peer", "name", peer);
    ip("link", "set", peer, "netns", ns);
    ip("addr", "add", pod.hostAddress() + "/30", "dev", host);
    ip("link", "set", host, "up");
    ip("-n", ns, "addr", "add", pod.address() + "/30", "dev", peer);
    ip("-n", ns, "link", "set", peer, "up");
    ip("-n", ns, "link", "set", "lo", "up");
    ip("-n", ns, "route", "add", "default", "via", pod.hostAddress());
    return pod;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (int i = 0; i < pods.size(); i++) {
      run(List.of("ip", "netns", "del", pods.get(i).namespace()), false);
      run(List.of("ip", "link", "del", "sp" + tag + "h" + i), false);
    }
    run(List.of("ip", "link", "del", serviceLink()), false);
  }

  private static void ip(String... args) {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(args));
    if (run(command, true) != 0) {
      throw new IllegalStateException("failed: " + String.join(" ", command));
    }
  }

  private static String output(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(30, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static int run(List<String> command, boolean showErrors) {
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
      builder.redirectError(showErrors ? ProcessBuilder.Redirect.INHERIT : ProcessBuilder.Redirect.DISCARD);
      Process p = builder.start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return -1;
      }
      return p.exitValue();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
