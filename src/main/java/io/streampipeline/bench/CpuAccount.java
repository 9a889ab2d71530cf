package io.streampipeline.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Where the CPU went during a phase, from two snapshots: this JVM in all and by thread group (event loops,
 * Kafka consumer threads, the embedded broker, the rest, from the Java threads; the JVM's own native threads
 * from /proc/PID/task: the JIT compilers ("C1/C2 CompilerThread"), the garbage collector ("GC Thread#", "G1 …")
 * and other native work, the difference to the process total), the embedded PostgreSQL (postmaster and
 * backends, from /proc), the pipeline JVMs the bench started (each with its JIT and GC), and the whole machine
 * (/proc/stat), so the share of other programs on a shared machine shows too. All in CPU seconds.
 */
final class CpuAccount {
  private static final double TICKS_PER_SECOND = 100.0;

  private final long postmasterPid;
  private final List<Long> childPids;
  private final Map<String, Long> threadNanos;
  private final NativeThreads selfNative;
  private final Map<Long, Double> childTotals = new TreeMap<>();
  private final Map<Long, NativeThreads> childNative = new TreeMap<>();
  private final long processNanos;
  private final double postgres;
  private final double machineBusy;
  private final double machineTotal;
  private final double machineIoWait;
  private final double machineSteal;
  private final long wallNanos;

  private CpuAccount(long postmasterPid, List<Long> childPids) {
    this.postmasterPid = postmasterPid;
    this.childPids = List.copyOf(childPids);
    this.threadNanos = threadGroups();
    this.selfNative = NativeThreads.of(ProcessHandle.current().pid());
    this.processNanos = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
    this.postgres = postmasterPid > 0 ? treeSeconds(postmasterPid) : 0;
    for (long pid : this.childPids) {
      childNative.put(pid, NativeThreads.of(pid));
      childTotals.put(pid, processSeconds(pid, true));
    }
    double[] machine = machine();
    this.machineBusy = machine[0];
    this.machineTotal = machine[1];
    this.machineIoWait = machine[2];
    this.machineSteal = machine[3];
    this.wallNanos = System.nanoTime();
  }

  /** {@code childPids}: the pipeline JVMs the bench started (none, or processes 2..N, or all of them). */
  static CpuAccount snapshot(long postmasterPid, List<Long> childPids) {
    return new CpuAccount(postmasterPid, childPids);
  }

  /** CPU seconds used between {@code start} and now. */
  static JsonObject since(CpuAccount start) {
    CpuAccount end = new CpuAccount(start.postmasterPid, start.childPids);
    JsonObject threads = new JsonObject();
    double jvm = 0;
    for (Map.Entry<String, Long> e : end.threadNanos.entrySet()) {
      double s = (e.getValue() - start.threadNanos.getOrDefault(e.getKey(), 0L)) / 1e9;
      threads.put(e.getKey(), round(s));
      jvm += s;
    }
    double wall = (end.wallNanos - start.wallNanos) / 1e9;
    // The process total also holds what no Java thread shows: garbage collection and JIT compilation.
    double process = (end.processNanos - start.processNanos) / 1e9;
    double postgres = end.postgres - start.postgres;
    double busy = end.machineBusy - start.machineBusy;
    double nativeSeconds = Math.max(0, process - jvm);
    double[] jitGc = end.selfNative.since(start.selfNative);
    threads.put("gc_jit_and_other_native", round(nativeSeconds));
    threads.put("jit", round(jitGc[0]));
    threads.put("gc", round(jitGc[1]));
    threads.put("other_native", round(Math.max(0, nativeSeconds - jitGc[0] - jitGc[1])));
    JsonObject out = new JsonObject().put("wall_seconds", round(wall)).put("jvm", round(process))
        .put("jvm_by_thread", threads);
    if (start.postmasterPid > 0) {
      out.put("postgres", round(postgres));
    }
    double children = 0;
    if (!start.childPids.isEmpty()) {
      JsonArray each = new JsonArray();
      for (long pid : start.childPids) {
        double total = end.childTotals.getOrDefault(pid, 0.0) - start.childTotals.getOrDefault(pid, 0.0);
        double[] split = end.childNative.get(pid).since(start.childNative.get(pid));
        children += total;
        each.add(new JsonObject().put("pid", pid).put("total", round(total)).put("jit", round(split[0]))
            .put("gc", round(split[1])).put("other", round(Math.max(0, total - split[0] - split[1]))));
      }
      out.put("child_processes", round(children)).put("child_processes_each", each);
      // The key of the one-second-process bench, kept: all pipeline JVMs the bench started.
      out.put("second_process", round(children));
    }
    // Idle time a core spent waiting for the disk, and time the hypervisor gave a core to another guest: the two
    // things besides CPU work that slow a replay on a shared virtual machine.
    return out.put("machine_busy", round(busy)).put("machine_capacity", round(end.machineTotal - start.machineTotal))
        .put("machine_io_wait", round(end.machineIoWait - start.machineIoWait))
        .put("machine_steal", round(end.machineSteal - start.machineSteal))
        .put("other_programs", round(Math.max(0, busy - process - postgres - children)));
  }

  /**
   * CPU ticks of one process's JIT compiler and GC threads, by thread id, from /proc/PID/task/TID/stat (the
   * kernel's thread name is the JVM thread's name cut to 15 characters). A compiler thread that ends between
   * two snapshots (HotSpot starts and stops some on demand) is lost here and counts as other native time.
   */
  static final class NativeThreads {
    private final Map<Long, long[]> ticks;

    private NativeThreads(Map<Long, long[]> ticks) {
      this.ticks = ticks;
    }

    /** No thread had any CPU: {@code of(pid).since(none())} is the CPU since each thread started. */
    static NativeThreads none() {
      return new NativeThreads(Map.of());
    }

    static NativeThreads of(long pid) {
      Map<Long, long[]> ticks = new TreeMap<>();
      try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
        for (Path task : tasks.toList()) {
          try {
            String kind = kind(Files.readString(task.resolve("comm")).trim());
            if (kind != null) {
              String s = Files.readString(task.resolve("stat"));
              String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
              ticks.put(Long.parseLong(task.getFileName().toString()),
                  new long[] {kind.equals("jit") ? 0 : 1, Long.parseLong(f[11]) + Long.parseLong(f[12])});
            }
          } catch (IOException | RuntimeException e) {
            // the thread ended meanwhile
          }
        }
      } catch (IOException e) {
        // the process ended, or no /proc
      }
      return new NativeThreads(ticks);
    }

    /** "jit", "gc" or null (anything else) for a kernel thread name. */
    static String kind(String comm) {
      if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")
          || comm.startsWith("JVMCI") || comm.contains("CompilerThread")) {
        return "jit";
      }
      if (comm.startsWith("GC Thread") || comm.startsWith("G1 ") || comm.startsWith("G1Conc")
          || comm.startsWith("ZWorker") || comm.startsWith("ZDriver") || comm.startsWith("Shenandoah")
          || comm.startsWith("Parallel GC")) {
        return "gc";
      }
      return null;
    }

    /** {JIT seconds, GC seconds} since {@code start}. */
    double[] since(NativeThreads start) {
      double[] out = new double[2];
      for (Map.Entry<Long, long[]> e : ticks.entrySet()) {
        long[] before = start.ticks.get(e.getKey());
        long delta = e.getValue()[1] - (before == null ? 0 : before[1]);
        out[(int) e.getValue()[0]] += Math.max(0, delta) / TICKS_PER_SECOND;
      }
      return out;
    }
  }

  private static Map<String, Long> threadGroups() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<String, Long> groups = new TreeMap<>();
    long[] ids = threads.getAllThreadIds();
    ThreadInfo[] infos = threads.getThreadInfo(ids);
    for (int i = 0; i < ids.length; i++) {
      long cpu = threads.getThreadCpuTime(ids[i]);
      if (cpu > 0 && infos[i] != null) {
        groups.merge(group(infos[i].getThreadName()), cpu, Long::sum);
      }
    }
    return groups;
  }

  private static String group(String name) {
    if (name.startsWith("vert.x-eventloop")) {
      return "vertx_event_loops";
    }
    if (name.startsWith("vert.x-kafka-consumer") || name.startsWith("kafka-coordinator-heartbeat-thread")) {
      return "kafka_consumer_threads";
    }
    if (name.startsWith("kafka-producer-network-thread")) {
      return "kafka_producer_threads";
    }
    if (name.startsWith("data-plane-kafka") || name.startsWith("kafka-") || name.contains("controller")
        || name.startsWith("broker-") || name.startsWith("ExpirationReaper") || name.startsWith("executor-")
        || name.startsWith("LogDirFailureHandler") || name.startsWith("raft") || name.startsWith("group-coordinator")
        || name.contains("ReplicaFetcher") || name.startsWith("transaction-") || name.startsWith("quota")) {
      return "kafka_broker";
    }
    if (name.startsWith("vert.x-")) {
      return "vertx_other";
    }
    if (name.startsWith("bench-") || name.equals("main")) {
      return "bench";
    }
    if (name.contains("GC") || name.startsWith("G1") || name.startsWith("C1") || name.startsWith("C2")
        || name.startsWith("VM ")) {
      return "jvm_gc_jit";
    }
    return "other";
  }

  /** The postmaster with its terminated children (cutime) and its live backends. */
  private static double treeSeconds(long postmasterPid) {
    double total = processSeconds(postmasterPid, true);
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.toList()) {
        String name = p.getFileName().toString();
        if (name.chars().allMatch(Character::isDigit)) {
          long[] stat = stat(Long.parseLong(name));
          if (stat != null && stat[0] == postmasterPid) {
            total += (stat[1] + stat[2]) / TICKS_PER_SECOND;
          }
        }
      }
    } catch (IOException e) {
      return total;
    }
    return total;
  }

  private static double processSeconds(long pid, boolean withChildren) {
    long[] stat = stat(pid);
    if (stat == null) {
      return 0;
    }
    return (stat[1] + stat[2] + (withChildren ? stat[3] + stat[4] : 0)) / TICKS_PER_SECOND;
  }

  /** ppid, utime, stime, cutime, cstime of /proc/PID/stat, or null. */
  private static long[] stat(long pid) {
    try {
      String s = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
      String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
      // After the command: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
      return new long[] {Long.parseLong(f[1]), Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]),
          Long.parseLong(f[14])};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Busy, total, I/O-wait and stolen CPU seconds of the whole machine since boot. */
  private static double[] machine() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
      String[] f = lines.get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < f.length && i <= 8; i++) {
        total += Long.parseLong(f[i]);
      }
      long ioWait = Long.parseLong(f[5]);
      long idle = Long.parseLong(f[4]) + ioWait;
      long steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
      return new double[] {(total - idle) / TICKS_PER_SECOND, total / TICKS_PER_SECOND, ioWait / TICKS_PER_SECOND,
          steal / TICKS_PER_SECOND};
    } catch (IOException | RuntimeException e) {
      return new double[] {0, 0, 0, 0};
    }
  }

  static long postmasterPid(Path pgDataDir) {
    try {
      return Long.parseLong(Files.readAllLines(pgDataDir.resolve("postmaster.pid")).get(0).trim());
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
