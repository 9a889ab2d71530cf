package io.streampipeline.bench;

import java.lang.management.ManagementFactory;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Notices the first records the pipeline's Kafka consumers return from a poll, by watching the consumers'
 * own {@code records-consumed-total} (JMX, in this process) every millisecond: the start of the replay
 * measurement, independent of how long Vert.x, the schema and the group join took before it.
 */
final class FirstPoll {
  private final Thread thread;
  private volatile long atNanos = -1;
  private volatile boolean running = true;

  FirstPoll() {
    thread = new Thread(this::watch, "bench-first-poll");
    thread.setDaemon(true);
    thread.start();
  }

  /** System.nanoTime() of the first poll that returned records, or -1 while none has. */
  long atNanos() {
    return atNanos;
  }

  private void watch() {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    try {
      ObjectName consumers = new ObjectName("kafka.consumer:type=consumer-fetch-manager-metrics,client-id=*");
      while (running) {
        for (ObjectName name : server.queryNames(consumers, null)) {
          Object consumed = server.getAttribute(name, "records-consumed-total");
          if (consumed instanceof Number n && n.doubleValue() > 0) {
            atNanos = System.nanoTime();
            return;
          }
        }
        Thread.sleep(1);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // A consumer closing between query and read: keep watching.
      if (running) {
        watch();
      }
    }
  }

  void stop() {
    running = false;
    thread.interrupt();
  }
}
