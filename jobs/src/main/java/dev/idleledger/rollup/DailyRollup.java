package dev.idleledger.rollup;

import static dev.idleledger.attribute.GpuHourlyTable.AVG_ACTIVITY;
import static dev.idleledger.attribute.GpuHourlyTable.CLUSTER;
import static dev.idleledger.attribute.GpuHourlyTable.COST;
import static dev.idleledger.attribute.GpuHourlyTable.CURRENCY;
import static dev.idleledger.attribute.GpuHourlyTable.DATE;
import static dev.idleledger.attribute.GpuHourlyTable.GPU_UUID;
import static dev.idleledger.attribute.GpuHourlyTable.HOUR;
import static dev.idleledger.attribute.GpuHourlyTable.IDLE_COST;
import static dev.idleledger.attribute.GpuHourlyTable.IDLE_MEMORY_HELD_COST;
import static dev.idleledger.attribute.GpuHourlyTable.LABELS;
import static dev.idleledger.attribute.GpuHourlyTable.MAX_FB_USED_MIB;
import static dev.idleledger.attribute.GpuHourlyTable.NAMESPACE;
import static dev.idleledger.attribute.GpuHourlyTable.POD;
import static dev.idleledger.attribute.GpuHourlyTable.STATE_SECONDS_ACTIVE;
import static dev.idleledger.attribute.GpuHourlyTable.STATE_SECONDS_IDLE;
import static dev.idleledger.attribute.GpuHourlyTable.STATE_SECONDS_IDLE_MEMORY_HELD;
import static dev.idleledger.attribute.GpuHourlyTable.STATE_SECONDS_UNALLOCATED;
import static dev.idleledger.attribute.GpuHourlyTable.STATE_SECONDS_UNOBSERVED;
import static dev.idleledger.attribute.GpuHourlyTable.TEAM;
import static dev.idleledger.attribute.GpuHourlyTable.UNALLOCATED_COST;
import static dev.idleledger.attribute.GpuHourlyTable.UNIT_ID;
import static dev.idleledger.attribute.GpuHourlyTable.UNOBSERVED_COST;
import static dev.idleledger.attribute.GpuHourlyTable.UNUSED_CAPACITY_COST;
import static dev.idleledger.attribute.GpuHourlyTable.WORKLOAD_KIND;
import static dev.idleledger.attribute.GpuHourlyTable.WORKLOAD_NAME;
import static dev.idleledger.attribute.GpuHourlyTable.WORKLOAD_TYPE;
import static java.util.Map.entry;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.attribute.GpuSecondState;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.ingest.SilverTables.GpuSamples;
import dev.idleledger.model.IdleRuns;
import dev.idleledger.model.PercentileAccuracy;
import dev.idleledger.model.Periods;
import dev.idleledger.model.WorkloadSecond;
import dev.idleledger.rollup.GoldTables.ClusterDaily;
import dev.idleledger.rollup.GoldTables.TeamDaily;
import dev.idleledger.rollup.GoldTables.WorkloadDaily;
import dev.idleledger.spark.OrderedColumns;
import java.util.Arrays;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** gpu_hourly (and the held samples) → workload_daily, cluster_daily, team_daily. Pure transforms. */
public final class DailyRollup {
  /** Σ avg_activity × seconds, the numerator of a day's avg_activity. */
  private static final String ACTIVITY_SECONDS = "activity_seconds";

  /** Seconds with a known activity, the denominator of a day's avg_activity. */
  private static final String ACTIVITY_WEIGHT = "activity_weight";

  /** Length of one idle run of a workload, seconds. */
  private static final String STREAK_SECONDS = "streak_seconds";

  private static final String[] WORKLOAD = {DATE, CLUSTER, NAMESPACE, WORKLOAD_KIND, WORKLOAD_NAME};

  private DailyRollup() {}

  public static Dataset<Row> workloadDaily(Dataset<Row> gpuHourly, Dataset<Row> heldSamples) {
    Column heldSeconds = col(STATE_SECONDS_ACTIVE).plus(col(STATE_SECONDS_IDLE));
    Dataset<Row> sums =
        gpuHourly
            .where(col(POD).isNotNull())
            .groupBy(cols(WORKLOAD))
            .agg(
                first(WORKLOAD_TYPE, true).as(WorkloadDaily.WORKLOAD_TYPE),
                first(TEAM, true).as(WorkloadDaily.TEAM),
                // Pods of one controller share its template, so their labels agree; if a rollout
                // changed them mid-day, the labels of the workload's costliest unit-hour win (pod
                // and hour break ties, so a re-run picks the same).
                max_by(col(LABELS), struct(col(COST), col(POD), col(HOUR)))
                    .as(WorkloadDaily.LABELS),
                countDistinct(POD).as(WorkloadDaily.PODS),
                countDistinct(UNIT_ID).as(WorkloadDaily.GPUS),
                sum(heldSeconds).divide(Periods.SECONDS_PER_HOUR).as(WorkloadDaily.GPU_HOURS),
                sum(STATE_SECONDS_ACTIVE)
                    .divide(Periods.SECONDS_PER_HOUR)
                    .as(WorkloadDaily.ACTIVE_GPU_HOURS),
                sum(STATE_SECONDS_IDLE)
                    .divide(Periods.SECONDS_PER_HOUR)
                    .as(WorkloadDaily.IDLE_GPU_HOURS),
                sum(STATE_SECONDS_IDLE_MEMORY_HELD)
                    .divide(Periods.SECONDS_PER_HOUR)
                    .as(WorkloadDaily.IDLE_MEMORY_HELD_GPU_HOURS),
                sum(col(AVG_ACTIVITY).multiply(heldSeconds)).as(ACTIVITY_SECONDS),
                sum(when(col(AVG_ACTIVITY).isNotNull(), heldSeconds)).as(ACTIVITY_WEIGHT),
                max(MAX_FB_USED_MIB).as(WorkloadDaily.MAX_FB_USED_MIB),
                sum(COST).as(WorkloadDaily.COST),
                sum(IDLE_COST).as(WorkloadDaily.IDLE_COST),
                sum(IDLE_MEMORY_HELD_COST).as(WorkloadDaily.IDLE_MEMORY_HELD_COST),
                sum(UNUSED_CAPACITY_COST).as(WorkloadDaily.UNUSED_CAPACITY_COST),
                max(CURRENCY).as(WorkloadDaily.CURRENCY));
    return sums.join(secondStats(heldSamples), WORKLOAD, "left")
        .withColumns(
            OrderedColumns.of(
                entry(
                    WorkloadDaily.AVG_ACTIVITY,
                    when(
                        col(ACTIVITY_WEIGHT).gt(0),
                        col(ACTIVITY_SECONDS).divide(col(ACTIVITY_WEIGHT)))),
                entry(WorkloadDaily.EFFICIENCY, efficiency()),
                entry(
                    WorkloadDaily.LONGEST_IDLE_STREAK_SECONDS,
                    coalesce(col(WorkloadDaily.LONGEST_IDLE_STREAK_SECONDS), lit(0.0)))));
  }

  /**
   * Per-second statistics a sum cannot give: the p95 of activity, and the longest idle streak ({@link IdleRuns}). A held
   * sample here is the part of a hold within one hour; the parts of a split hold follow each other without a gap, so
   * they continue one run.
   */
  static Dataset<Row> secondStats(Dataset<Row> heldSamples) {
    Dataset<Row> p95 =
        heldSamples
            .groupBy(cols(WORKLOAD))
            .agg(
                percentile_approx(col("activity"), lit(0.95), lit(PercentileAccuracy.OVER_SAMPLES))
                    .as("p95_activity"));
    Dataset<Row> perSecond =
        heldSamples
            .withColumn(WorkloadSecond.SECOND, WorkloadSecond.of(col(GpuSamples.TS)))
            .groupBy(cols(WORKLOAD, WorkloadSecond.SECOND))
            .agg(
                WorkloadSecond.anyActive(col("state").equalTo(GpuSecondState.ACTIVE)),
                WorkloadSecond.longestHold());
    Dataset<Row> streaks =
        IdleRuns.numbered(perSecond, WORKLOAD)
            .where(IdleRuns.idle())
            .groupBy(cols(WORKLOAD, IdleRuns.RUN))
            .agg(sum(GpuSamples.HOLD_SECONDS).as(STREAK_SECONDS))
            .groupBy(cols(WORKLOAD))
            .agg(max(STREAK_SECONDS).as(WorkloadDaily.LONGEST_IDLE_STREAK_SECONDS));
    return p95.join(streaks, WORKLOAD, "left");
  }

  /** @param instanceHours per GPU instance-hour: cluster, gpu_cost (by the bill, or catalog), attributed, currency */
  public static Dataset<Row> clusterDaily(Dataset<Row> gpuHourly, Dataset<Row> instanceHours) {
    Column allocatedSeconds = col(STATE_SECONDS_ACTIVE).plus(col(STATE_SECONDS_IDLE));
    Column observedSeconds = allocatedSeconds.plus(col(STATE_SECONDS_UNALLOCATED));
    // A GPU telemetry never showed is a placeholder "unseen-k" on every instance that has one; its
    // unit_id (instance/unseen-k) tells them apart, so two such instances count all their GPUs.
    Column gpu = when(col(GPU_UUID).startsWith("unseen-"), col(UNIT_ID)).otherwise(col(GPU_UUID));
    Dataset<Row> fromRows =
        gpuHourly
            .groupBy(DATE, CLUSTER)
            .agg(
                countDistinct(gpu).as(ClusterDaily.GPUS),
                sum(allocatedSeconds)
                    .divide(Periods.SECONDS_PER_HOUR)
                    .as(ClusterDaily.ALLOCATED_GPU_HOURS),
                sum(STATE_SECONDS_UNALLOCATED)
                    .divide(Periods.SECONDS_PER_HOUR)
                    .as(ClusterDaily.UNALLOCATED_GPU_HOURS),
                sum(STATE_SECONDS_UNOBSERVED)
                    .divide(Periods.SECONDS_PER_HOUR)
                    .as(ClusterDaily.UNOBSERVED_GPU_HOURS),
                sum(when(col(POD).isNotNull(), col(COST)).otherwise(0.0))
                    .as(ClusterDaily.ALLOCATED_COST),
                sum(IDLE_COST).as(ClusterDaily.IDLE_COST),
                sum(UNALLOCATED_COST).as(ClusterDaily.UNALLOCATED_COST),
                sum(UNOBSERVED_COST).as(ClusterDaily.UNOBSERVED_COST),
                sum(UNUSED_CAPACITY_COST).as(ClusterDaily.UNUSED_CAPACITY_COST),
                sum(col(AVG_ACTIVITY).multiply(observedSeconds)).as(ACTIVITY_SECONDS),
                sum(when(col(AVG_ACTIVITY).isNotNull(), observedSeconds)).as(ACTIVITY_WEIGHT),
                max(CURRENCY).as(ClusterDaily.CURRENCY));
    Dataset<Row> billed =
        instanceHours.groupBy(CLUSTER).agg(sum(ClusterDaily.GPU_COST).as(ClusterDaily.GPU_COST));
    Column gpuCost = coalesce(col(ClusterDaily.GPU_COST), lit(0.0));
    return fromRows
        .join(billed, new String[] {CLUSTER}, "full_outer")
        .withColumns(
            OrderedColumns.of(
                entry(ClusterDaily.GPU_COST, gpuCost),
                entry(
                    ClusterDaily.BILLED_GPU_HOURS,
                    col(ClusterDaily.ALLOCATED_GPU_HOURS)
                        .plus(col(ClusterDaily.UNALLOCATED_GPU_HOURS))
                        .plus(col(ClusterDaily.UNOBSERVED_GPU_HOURS))),
                entry(ClusterDaily.WASTE_COST, col(IDLE_COST).plus(col(UNALLOCATED_COST))),
                entry(
                    ClusterDaily.AVG_ACTIVITY,
                    when(
                        col(ACTIVITY_WEIGHT).gt(0),
                        col(ACTIVITY_SECONDS).divide(col(ACTIVITY_WEIGHT)))),
                entry(
                    ClusterDaily.RECONCILIATION_DELTA,
                    gpuCost
                        .minus(col(ClusterDaily.ALLOCATED_COST))
                        .minus(col(UNALLOCATED_COST))
                        .minus(col(UNOBSERVED_COST)))));
  }

  /** team_daily without shared waste (attribution.share_unallocated = none): shared_waste_cost 0, cost_with_shared_waste = cost. */
  public static Dataset<Row> teamDaily(Dataset<Row> workloadDaily) {
    return teamDaily(
        workloadDaily,
        SharedWaste.byTeamAndCluster(workloadDaily, null, LedgerConfig.WasteSharing.NONE));
  }

  /** @param sharedWaste {@link SharedWaste#byTeamAndCluster} of the same workloads */
  public static Dataset<Row> teamDaily(Dataset<Row> workloadDaily, Dataset<Row> sharedWaste) {
    Column sharedWasteCost = coalesce(col(TeamDaily.SHARED_WASTE_COST), lit(0.0));
    return workloadDaily
        .groupBy(WorkloadDaily.DATE, WorkloadDaily.TEAM)
        .agg(
            sum(WorkloadDaily.GPU_HOURS).as(TeamDaily.GPU_HOURS),
            sum(WorkloadDaily.COST).as(TeamDaily.COST),
            sum(WorkloadDaily.IDLE_COST).as(TeamDaily.IDLE_COST),
            sum(WorkloadDaily.UNUSED_CAPACITY_COST).as(TeamDaily.UNUSED_CAPACITY_COST),
            max(WorkloadDaily.CURRENCY).as(TeamDaily.CURRENCY))
        .join(
            SharedWaste.byTeam(sharedWaste),
            new String[] {WorkloadDaily.DATE, WorkloadDaily.TEAM},
            "left")
        .withColumns(
            OrderedColumns.of(
                entry(TeamDaily.SHARED_WASTE_COST, sharedWasteCost),
                entry(
                    TeamDaily.COST_WITH_SHARED_WASTE,
                    col(WorkloadDaily.COST).plus(sharedWasteCost)),
                entry(TeamDaily.EFFICIENCY, efficiency())));
  }

  private static Column efficiency() {
    return when(
        col(WorkloadDaily.COST).gt(0),
        lit(1.0).minus(col(WorkloadDaily.UNUSED_CAPACITY_COST).divide(col(WorkloadDaily.COST))));
  }

  private static Column[] cols(String[] names, String... more) {
    return Stream.concat(Arrays.stream(names), Arrays.stream(more))
        .map(n -> col(n))
        .toArray(Column[]::new);
  }
}
