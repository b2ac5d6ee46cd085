package dev.idleledger.attribute;

import static dev.idleledger.ingest.SilverTables.GpuSamples.FB_FREE_MIB;
import static dev.idleledger.ingest.SilverTables.GpuSamples.FB_USED_MIB;
import static dev.idleledger.ingest.SilverTables.GpuSamples.HOLDERS;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.ingest.SilverTables.GpuSamples;
import org.apache.spark.sql.Column;

/**
 * What a GPU unit was doing during one observed sample (COST_MODEL.md §2), as Spark expressions over a
 * {@code gpu_samples} row.
 */
public final class GpuSecondState {
  public static final String ACTIVE = "ACTIVE";
  public static final String IDLE = "IDLE";
  public static final String IDLE_MEMORY_HELD = "IDLE_MEMORY_HELD";
  public static final String UNALLOCATED = "UNALLOCATED";

  private GpuSecondState() {}

  /**
   * Activity: GR_ENGINE_ACTIVE where the GPU reports it, else GPU_UTIL / 100, clipped to [0, 1].
   * GPU_UTIL only says "some kernel ran in the sample period", so it is the fallback, not the measure.
   */
  public static Column activity() {
    Column raw = coalesce(col(GpuSamples.GR_ENGINE_ACTIVE), col(GpuSamples.GPU_UTIL).divide(100.0));
    return least(lit(1.0), greatest(lit(0.0), raw));
  }

  /** Framebuffer in use as a share of the unit's memory; {@code catalogMemoryMib} where FB_FREE is missing. */
  public static Column memoryFraction(Column catalogMemoryMib) {
    Column total = coalesce(col(FB_USED_MIB).plus(col(FB_FREE_MIB)), catalogMemoryMib);
    return when(total.gt(0), col(FB_USED_MIB).divide(total));
  }

  /** The state of a sample given its activity and memory columns. */
  public static Column state(
      Column activity,
      Column memoryFraction,
      double activityThreshold,
      double memoryHeldThreshold) {
    return when(size(col(HOLDERS)).equalTo(0), lit(UNALLOCATED))
        .when(isActive(activity, activityThreshold), lit(ACTIVE))
        .when(coalesce(memoryFraction, lit(0.0)).geq(memoryHeldThreshold), lit(IDLE_MEMORY_HELD))
        .otherwise(lit(IDLE));
  }

  /** Whether a held sample is ACTIVE: activity at or above {@code idle.activity_threshold}; no activity reading counts as 0. */
  public static Column isActive(Column activity, double activityThreshold) {
    return coalesce(activity, lit(0.0)).geq(activityThreshold);
  }
}
