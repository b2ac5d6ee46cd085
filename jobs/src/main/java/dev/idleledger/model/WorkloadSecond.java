package dev.idleledger.model;

import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.unix_micros;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.ingest.SilverTables.GpuSamples;
import org.apache.spark.sql.Column;

/**
 * One second of a workload, the grain of its per-second statistics (the rollup's longest idle streak, the
 * recommendations' streaks, replicas and percentiles "over seconds"): the samples of all its GPU units that fall in the
 * same whole second of UTC time, taken together.
 */
public final class WorkloadSecond {
  public static final String SECOND = "second";
  public static final String ANY_ACTIVE = "any_active";
  public static final String HOLD_SECONDS = GpuSamples.HOLD_SECONDS;

  private WorkloadSecond() {}

  /** The whole epoch second a sample taken at {@code ts} falls in (units are scraped at sub-second offsets). */
  public static Column of(Column ts) {
    return floor(unix_micros(ts).divide(1_000_000));
  }

  /**
   * {@value #ANY_ACTIVE}: 1 when some unit of the workload was active in the second, so the second is idle only when all
   * of them are (RECOMMENDATIONS.md "idle streak"). An aggregate over the second's samples.
   */
  public static Column anyActive(Column active) {
    return max(when(active, 1).otherwise(0)).as(ANY_ACTIVE);
  }

  /** {@value #HOLD_SECONDS}: the longest hold among the second's samples, the time the second stands for. An aggregate. */
  public static Column longestHold() {
    return max(HOLD_SECONDS).as(HOLD_SECONDS);
  }
}
