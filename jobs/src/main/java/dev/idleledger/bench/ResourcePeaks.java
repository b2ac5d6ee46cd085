package dev.idleledger.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Peak heap and peak resident memory of this JVM while a size runs, by polling (every 100 ms): the heap from
 * {@link MemoryMXBean}, the RSS from {@code /proc/self/status} VmRSS. The kernel's own high-water mark (VmHWM)
 * covers the process's whole life, so it is reported beside the polled peak rather than instead of it.
 * Spark runs in this JVM (local mode), so these are Spark's and DuckDB's memory together with the driver's.
 */
public final class ResourcePeaks implements AutoCloseable {
  private static final Path STATUS = Path.of("/proc/self/status");
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final AtomicLong peakHeap = new AtomicLong();
  private final AtomicLong peakRss = new AtomicLong();
  private final Thread poller;
  private volatile boolean running = true;

  public ResourcePeaks() {
    poller = new Thread(this::poll, "bench-resource-peaks");
    poller.setDaemon(true);
    sample();
    poller.start();
  }

  private void poll() {
    while (running) {
      sample();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void sample() {
    peakHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
    peakRss.accumulateAndGet(statusKib("VmRSS:") * 1024, Math::max);
  }

  public long peakHeapBytes() {
    return peakHeap.get();
  }

  /** Polled peak RSS in bytes; 0 where /proc is absent. */
  public long peakRssBytes() {
    return peakRss.get();
  }

  /** The kernel's high-water mark of this process's RSS since it started (VmHWM), in bytes; 0 where /proc is absent. */
  public static long lifetimeRssHighWaterBytes() {
    return statusKib("VmHWM:") * 1024;
  }

  private static long statusKib(String field) {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.substring(field.length()).replace("kB", "").trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux: the figure is reported as 0 rather than failing the benchmark.
    }
    return 0;
  }

  @Override
  public void close() {
    running = false;
    poller.interrupt();
    sample();
  }
}
