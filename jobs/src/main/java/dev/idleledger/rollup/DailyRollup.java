package dev.idleledger.rollup;

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
import dev.idleledger.model.IdleRuns;
import dev.idleledger.model.PercentileAccuracy;
import dev.idleledger.model.Periods;
import dev.idleledger.model.WorkloadSecond;
import java.util.Arrays;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** gpu_hourly (and the held samples) → workload_daily, cluster_daily, team_daily. Pure transforms. */
public final class DailyRollup {
  private static final String[] WORKLOAD = {
    "date", "cluster", "namespace", "workload_kind", "workload_name"
  };

  private DailyRollup() {}

  public static Dataset<Row> workloadDaily(Dataset<Row> gpuHourly, Dataset<Row> heldSamples) {
    Column heldSeconds = col("state_seconds_active").plus(col("state_seconds_idle"));
    Dataset<Row> sums =
        gpuHourly
            .where(col("pod").isNotNull())
            .groupBy(cols(WORKLOAD))
            .agg(
                first("workload_type", true).as("workload_type"),
                first("team", true).as("team"),
                // Pods of one controller share its template, so their labels agree; if a rollout
                // changed them mid-day, the
                // labels of the workload's costliest unit-hour win (pod and hour break ties, so a
                // re-run picks the same).
                max_by(col("labels"), struct(col("cost"), col("pod"), col("hour"))).as("labels"),
                countDistinct("pod").as("pods"),
                countDistinct("unit_id").as("gpus"),
                sum(heldSeconds).divide(Periods.SECONDS_PER_HOUR).as("gpu_hours"),
                sum("state_seconds_active").divide(Periods.SECONDS_PER_HOUR).as("active_gpu_hours"),
                sum("state_seconds_idle").divide(Periods.SECONDS_PER_HOUR).as("idle_gpu_hours"),
                sum("state_seconds_idle_memory_held")
                    .divide(Periods.SECONDS_PER_HOUR)
                    .as("idle_memory_held_gpu_hours"),
                sum(col("avg_activity").multiply(heldSeconds)).as("activity_seconds"),
                sum(when(col("avg_activity").isNotNull(), heldSeconds)).as("activity_weight"),
                max("max_fb_used_mib").as("max_fb_used_mib"),
                sum("cost").as("cost"),
                sum("idle_cost").as("idle_cost"),
                sum("idle_memory_held_cost").as("idle_memory_held_cost"),
                sum("unused_capacity_cost").as("unused_capacity_cost"),
                max("currency").as("currency"));
    return sums.join(secondStats(heldSamples), WORKLOAD, "left")
        .withColumn(
            "avg_activity",
            when(
                col("activity_weight").gt(0),
                col("activity_seconds").divide(col("activity_weight"))))
        .withColumn("efficiency", efficiency())
        .withColumn(
            "longest_idle_streak_seconds", coalesce(col("longest_idle_streak_seconds"), lit(0.0)));
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
            .withColumn(WorkloadSecond.SECOND, WorkloadSecond.of(col("ts")))
            .groupBy(cols(WORKLOAD, WorkloadSecond.SECOND))
            .agg(
                WorkloadSecond.anyActive(col("state").equalTo(GpuSecondState.ACTIVE)),
                WorkloadSecond.longestHold());
    Dataset<Row> streaks =
        IdleRuns.numbered(perSecond, WORKLOAD)
            .where(IdleRuns.idle())
            .groupBy(cols(WORKLOAD, IdleRuns.RUN))
            .agg(sum("hold_seconds").as("streak_seconds"))
            .groupBy(cols(WORKLOAD))
            .agg(max("streak_seconds").as("longest_idle_streak_seconds"));
    return p95.join(streaks, WORKLOAD, "left");
  }

  /** @param instanceHours per GPU instance-hour: cluster, gpu_cost (by the bill, or catalog), attributed, currency */
  public static Dataset<Row> clusterDaily(Dataset<Row> gpuHourly, Dataset<Row> instanceHours) {
    Column allocatedSeconds = col("state_seconds_active").plus(col("state_seconds_idle"));
    Column observedSeconds = allocatedSeconds.plus(col("state_seconds_unallocated"));
    // A GPU telemetry never showed is a placeholder "unseen-k" on every instance that has one; its
    // unit_id
    // (instance/unseen-k) tells them apart, so two such instances count all their GPUs.
    Column gpu =
        when(col("gpu_uuid").startsWith("unseen-"), col("unit_id")).otherwise(col("gpu_uuid"));
    Dataset<Row> fromRows =
        gpuHourly
            .groupBy("date", "cluster")
            .agg(
                countDistinct(gpu).as("gpus"),
                sum(allocatedSeconds).divide(Periods.SECONDS_PER_HOUR).as("allocated_gpu_hours"),
                sum("state_seconds_unallocated")
                    .divide(Periods.SECONDS_PER_HOUR)
                    .as("unallocated_gpu_hours"),
                sum("state_seconds_unobserved")
                    .divide(Periods.SECONDS_PER_HOUR)
                    .as("unobserved_gpu_hours"),
                sum(when(col("pod").isNotNull(), col("cost")).otherwise(0.0)).as("allocated_cost"),
                sum("idle_cost").as("idle_cost"),
                sum("unallocated_cost").as("unallocated_cost"),
                sum("unobserved_cost").as("unobserved_cost"),
                sum("unused_capacity_cost").as("unused_capacity_cost"),
                sum(col("avg_activity").multiply(observedSeconds)).as("activity_seconds"),
                sum(when(col("avg_activity").isNotNull(), observedSeconds)).as("activity_weight"),
                max("currency").as("currency"));
    Dataset<Row> billed = instanceHours.groupBy("cluster").agg(sum("gpu_cost").as("gpu_cost"));
    return fromRows
        .join(billed, new String[] {"cluster"}, "full_outer")
        .withColumn("gpu_cost", coalesce(col("gpu_cost"), lit(0.0)))
        .withColumn(
            "billed_gpu_hours",
            col("allocated_gpu_hours")
                .plus(col("unallocated_gpu_hours"))
                .plus(col("unobserved_gpu_hours")))
        .withColumn("waste_cost", col("idle_cost").plus(col("unallocated_cost")))
        .withColumn(
            "avg_activity",
            when(
                col("activity_weight").gt(0),
                col("activity_seconds").divide(col("activity_weight"))))
        .withColumn(
            "reconciliation_delta",
            col("gpu_cost")
                .minus(col("allocated_cost"))
                .minus(col("unallocated_cost"))
                .minus(col("unobserved_cost")));
  }

  /** team_daily without shared waste (attribution.share_unallocated = none): shared_waste_cost 0, cost_with_shared_waste = cost. */
  public static Dataset<Row> teamDaily(Dataset<Row> workloadDaily) {
    return teamDaily(
        workloadDaily,
        SharedWaste.byTeamAndCluster(
            workloadDaily, null, dev.idleledger.config.LedgerConfig.WasteSharing.NONE));
  }

  /** @param sharedWaste {@link SharedWaste#byTeamAndCluster} of the same workloads */
  public static Dataset<Row> teamDaily(Dataset<Row> workloadDaily, Dataset<Row> sharedWaste) {
    return workloadDaily
        .groupBy("date", "team")
        .agg(
            sum("gpu_hours").as("gpu_hours"),
            sum("cost").as("cost"),
            sum("idle_cost").as("idle_cost"),
            sum("unused_capacity_cost").as("unused_capacity_cost"),
            max("currency").as("currency"))
        .join(SharedWaste.byTeam(sharedWaste), new String[] {"date", "team"}, "left")
        .withColumn("shared_waste_cost", coalesce(col("shared_waste_cost"), lit(0.0)))
        .withColumn("cost_with_shared_waste", col("cost").plus(col("shared_waste_cost")))
        .withColumn("efficiency", efficiency());
  }

  private static Column efficiency() {
    return when(col("cost").gt(0), lit(1.0).minus(col("unused_capacity_cost").divide(col("cost"))));
  }

  private static Column[] cols(String[] names, String... more) {
    return Stream.concat(Arrays.stream(names), Arrays.stream(more))
        .map(n -> col(n))
        .toArray(Column[]::new);
  }
}
