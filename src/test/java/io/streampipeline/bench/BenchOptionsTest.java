package io.streampipeline.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bench's process flags, the thread names of its CPU split and the flags its pipeline JVMs get. */
class BenchOptionsTest {

  @Test
  void processesFromOneToThePartitions() {
    BenchOptions one = BenchOptions.parse(1, Map.of(), new String[] {"--roles=bench"});
    assertEquals(1, one.processes());
    assertFalse(one.separateJvm());
    assertNull(one.pipelineXmx());
    assertEquals(0, one.childProcesses());

    BenchOptions three = BenchOptions.parse(1, Map.of(), new String[] {"--processes=3"});
    assertEquals(3, three.processes());
    assertEquals(2, three.childProcesses(), "process 1 runs in the bench's JVM");

    BenchOptions separate = BenchOptions.parse(1, Map.of(), new String[] {"--processes=3", "--separate-jvm",
        "--pipeline-xmx=256m"});
    assertTrue(separate.separateJvm());
    assertEquals(3, separate.childProcesses());
    assertEquals("256m", separate.pipelineXmx());
    assertEquals(0, separate.heapProbeSeconds());
    assertEquals(3, BenchOptions.parse(1, Map.of(), new String[] {"--heap-probe-seconds=3"}).heapProbeSeconds());

    assertEquals(6, BenchOptions.parse(1, Map.of(), new String[] {"--processes=6"}).processes());
    assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse(1, Map.of(), new String[] {"--processes=7"}));
    assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse(1, Map.of(), new String[] {"--processes=0"}));
    assertThrows(IllegalArgumentException.class,
        () -> BenchOptions.parse(1, Map.of(), new String[] {"--pipeline-xmx=-Xmx1g"}));
  }

  @Test
  void warmUpOnlyForTheInProcessPipeline() {
    assertEquals(0, BenchOptions.parse(1, Map.of(), new String[] {"--roles=bench"}).warmupEvents());
    assertEquals(300_000, BenchOptions.parse(1, Map.of(), new String[] {"--warmup-events=300000"}).warmupEvents());
    assertThrows(IllegalArgumentException.class,
        () -> BenchOptions.parse(1, Map.of(), new String[] {"--warmup-events=1000", "--separate-jvm"}));
    assertThrows(IllegalArgumentException.class,
        () -> BenchOptions.parse(1, Map.of(), new String[] {"--warmup-events=many"}));
  }

  @Test
  void anAlternativeJobReplaysAloneFromItsOwnJar() {
    BenchOptions none = BenchOptions.parse(1, Map.of(), new String[] {"--roles=bench"});
    assertNull(none.alternative());
    assertNull(none.alternativeJar());
    BenchOptions flink = BenchOptions.parse(2, Map.of(), new String[] {"--alternative=flink"});
    assertEquals("flink", flink.alternative());
    assertEquals(java.nio.file.Path.of("bench/flink/target/flink-bench.jar"), flink.alternativeJar());
    assertEquals(2, flink.lanes(), "the job's parallelism");
    assertEquals(java.nio.file.Path.of("/tmp/job.jar"), BenchOptions.parse(1, Map.of(),
        new String[] {"--alternative=kafka-streams", "--alternative-jar=/tmp/job.jar"}).alternativeJar());
    for (String[] wrong : new String[][] {{"--alternative=../flink"}, {"--alternative=flink", "--warmup-events=10"},
        {"--alternative=flink", "--processes=2"}, {"--alternative=flink", "--separate-jvm"}}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> BenchOptions.parse(1, Map.of(), wrong), String.join(" ", wrong));
      assertTrue(e.getMessage().startsWith("--alternative"), e.getMessage());
    }
  }

  @Test
  void compilerAndCollectorThreadsByTheirKernelNames() {
    assertEquals("jit", CpuAccount.NativeThreads.kind("C2 CompilerThre"));
    assertEquals("jit", CpuAccount.NativeThreads.kind("C1 CompilerThre"));
    assertEquals("gc", CpuAccount.NativeThreads.kind("GC Thread#0"));
    assertEquals("gc", CpuAccount.NativeThreads.kind("G1 Conc#0"));
    assertEquals("gc", CpuAccount.NativeThreads.kind("G1 Refine#0"));
    assertEquals("gc", CpuAccount.NativeThreads.kind("G1 Main Marker"));
    assertNull(CpuAccount.NativeThreads.kind("VM Thread"));
    assertNull(CpuAccount.NativeThreads.kind("vert.x-eventloo"));
  }

  @Test
  void thisJvmsCompilerThreadsAreFound() {
    // This JVM has compiled JUnit, the tests before this one and this loop: its compiler threads have used CPU.
    long sum = 0;
    for (int i = 0; i < 2_000_000; i++) {
      sum += Integer.toString(i).hashCode();
    }
    double[] jitGc = CpuAccount.NativeThreads.of(ProcessHandle.current().pid()).since(CpuAccount.NativeThreads.none());
    assertTrue(jitGc[0] > 0, "JIT CPU seconds of this JVM: " + jitGc[0] + " (" + sum + ")");
    assertTrue(jitGc[1] >= 0);
  }

  @Test
  void pipelineJvmsGetTheBenchsConfigurationFlags() {
    assertEquals("SINK_BATCH_SIZE", PipelineJvms.flagKey("--sink-batch-size=500"));
    assertEquals("SEPARATE_JVM", PipelineJvms.flagKey("--separate-jvm"));
    assertNull(PipelineJvms.flagKey("-Xmx1g"));
  }
}
