package dev.idleledger.bench;

import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkContext;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Spark's own account of a night's work, summed over every finished task while it is registered: tasks, CPU and
 * GC time, bytes shuffled, and bytes spilled. Spill is what the 1,000 GPU-day target warns of, and CPU time next
 * to wall time × cores says how much of the machine the night kept busy.
 */
public final class TaskTotals extends SparkListener implements AutoCloseable {
  private final SparkContext context;
  private final AtomicLong tasks = new AtomicLong();
  private final AtomicLong cpuNanos = new AtomicLong();
  private final AtomicLong gcMillis = new AtomicLong();
  private final AtomicLong shuffleWriteBytes = new AtomicLong();
  private final AtomicLong diskSpillBytes = new AtomicLong();
  private final AtomicLong memorySpillBytes = new AtomicLong();

  /** What was measured; sizes in bytes, times in seconds. */
  public record Work(
      long tasks,
      double cpuSeconds,
      double gcSeconds,
      long shuffleWriteBytes,
      long diskSpillBytes,
      long memorySpillBytes) {
    public static final Work NONE = new Work(0, 0, 0, 0, 0, 0);
  }

  public TaskTotals(SparkContext context) {
    this.context = context;
    context.addSparkListener(this);
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    TaskMetrics m = end.taskMetrics();
    if (m == null) {
      return;
    }
    tasks.incrementAndGet();
    cpuNanos.addAndGet(m.executorCpuTime());
    gcMillis.addAndGet(m.jvmGCTime());
    shuffleWriteBytes.addAndGet(m.shuffleWriteMetrics().bytesWritten());
    diskSpillBytes.addAndGet(m.diskBytesSpilled());
    memorySpillBytes.addAndGet(m.memoryBytesSpilled());
  }

  public Work work() {
    return new Work(
        tasks.get(),
        cpuNanos.get() / 1e9,
        gcMillis.get() / 1e3,
        shuffleWriteBytes.get(),
        diskSpillBytes.get(),
        memorySpillBytes.get());
  }

  /** Stops counting once the listener bus has delivered the night's last task ends (events arrive asynchronously). */
  @Override
  public void close() {
    try {
      context.listenerBus().waitUntilEmpty(60_000);
    } catch (TimeoutException e) {
      // A bus still busy after a minute: the totals miss the last few events rather than the bench
      // hanging.
    } finally {
      context.removeSparkListener(this);
    }
  }
}
