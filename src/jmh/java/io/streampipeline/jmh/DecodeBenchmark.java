package io.streampipeline.jmh;

import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.DecodeException;
import io.streampipeline.generator.GeneratedMessage;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Avro decode of one clickstream message, both wire formats, over 4,096 distinct generated valid events
 * (so branch and string-length patterns are realistic rather than one message repeated). Score = messages/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DecodeBenchmark {
  private static final int MASK = 4095;

  private final ClickstreamCodec codec = new ClickstreamCodec();
  private byte[][] singleObject;
  private byte[][] schemaless;
  private int next;

  @Setup
  public void setUp() {
    List<GeneratedMessage> messages = BenchData.messages(MASK + 1, 1000, 0, 7);
    singleObject = new byte[MASK + 1][];
    schemaless = new byte[MASK + 1][];
    for (int i = 0; i <= MASK; i++) {
      ClickstreamEvent e = messages.get(i).event();
      singleObject[i] = codec.encode(e);
      schemaless[i] = codec.encodeSchemaless(e);
    }
  }

  @Benchmark
  public ClickstreamEvent singleObject() throws DecodeException {
    return codec.decode(singleObject[next++ & MASK]);
  }

  @Benchmark
  public ClickstreamEvent schemaless() throws DecodeException {
    return codec.decode(schemaless[next++ & MASK]);
  }
}
