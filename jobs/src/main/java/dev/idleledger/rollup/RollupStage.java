package dev.idleledger.rollup;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;

import dev.idleledger.attribute.AttributeStage;
import dev.idleledger.attribute.CostAttribution;
import dev.idleledger.attribute.GpuHourlyTable;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.ingest.SilverTables;
import dev.idleledger.quality.QualityRecorder;
import dev.idleledger.rollup.GoldTables.ClusterDaily;
import dev.idleledger.rollup.GoldTables.TeamDaily;
import dev.idleledger.rollup.GoldTables.WorkloadDaily;
import dev.idleledger.spark.GlobalAggregate;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.spark.StageFrames;
import dev.idleledger.spark.TableSpec;
import dev.idleledger.spark.WrittenRows;
import java.sql.Date;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.collection.JavaConverters;

/**
 * Writes the day's workload_daily (with AWS's own split beside our cost), cluster_daily and team_daily from gpu_hourly,
 * and checks cluster reconciliation.
 */
public final class RollupStage {
  private final LedgerConfig config;
  private final LakeTables tables;

  public RollupStage(SparkSession spark, LedgerConfig config) {
    this.config = config;
    this.tables = new LakeTables(spark, config);
  }

  /** Rolls the attributed date up; as the last reader of its per-sample frame, frees it (also when a rollup fails). */
  public void run(
      LocalDate date, AttributeStage.AttributedDate attributed, QualityRecorder quality) {
    try {
      rollUp(date, attributed.attribution(), attributed.writtenRows(), quality);
    } finally {
      attributed.freeSamples();
    }
  }

  private void rollUp(
      LocalDate date,
      CostAttribution.Result attribution,
      WrittenRows writtenRows,
      QualityRecorder quality) {
    // The attribute stage kept the day's gpu_hourly rows (a local checkpoint) and wrote exactly
    // those rows; reading them back from Delta would replay the table's log and scan its files for
    // what is already in memory.
    Dataset<Row> gpuHourly = attribution.gpuHourly();
    // Each daily frame is written and then read again (teams from workloads, the reconciliation
    // check from clusters); checkpointed so the second use neither recomputes the rollup nor
    // re-reads the table.
    Dataset<Row> splitOnGpu =
        AwsSplitCost.onGpuInstances(
                ofDate(SilverTables.BILLING_POD_SPLIT, date, writtenRows), gpuHourly)
            .transform(StageFrames::keep);
    Dataset<Row> workloads =
        DailyRollup.workloadDaily(gpuHourly, attribution.heldSamples())
            .join(
                AwsSplitCost.byWorkload(
                    splitOnGpu, ofDate(SilverTables.POD_INFO, date, writtenRows)),
                JavaConverters.asScalaBuffer(Arrays.asList(AwsSplitCost.WORKLOAD)).toSeq(),
                "left")
            .transform(StageFrames::keep);
    tables.replaceDates(GoldTables.WORKLOAD_DAILY, workloads, List.of(date));
    recordAwsSplit(splitOnGpu, workloads, quality);
    Dataset<Row> clusters =
        DailyRollup.clusterDaily(
                gpuHourly, attribution.instanceHours().where(col(GpuHourlyTable.HOUR).isNotNull()))
            .withColumn(ClusterDaily.DATE, lit(Date.valueOf(date)))
            .transform(StageFrames::keep);
    tables.replaceDates(GoldTables.CLUSTER_DAILY, clusters, List.of(date));
    // Teams come after clusters: with shared waste, a team's share is of its clusters' unallocated
    // + unobserved cost.
    Dataset<Row> sharedWaste =
        SharedWaste.byTeamAndCluster(workloads, clusters, config.shareUnallocated)
            .transform(StageFrames::keep);
    tables.replaceDates(
        GoldTables.TEAM_DAILY, DailyRollup.teamDaily(workloads, sharedWaste), List.of(date));
    if (config.shareUnallocated == LedgerConfig.WasteSharing.CLUSTER) {
      recordSharedWaste(sharedWaste, clusters, quality);
    }
    // No clusters (a day without GPU instance-hours) reconciles to 0; a null delta is money that
    // went missing, not 0. One row per cluster of the date: the deltas are brought to the driver in
    // one job, where a global aggregate would add a shuffle stage (a job of its own) for a handful
    // of rows. NaN is the largest, as in Spark's max.
    double worst = 0.0;
    boolean anyDelta = false;
    long nullDeltas = 0;
    for (Row r : clusters.select(col(ClusterDaily.RECONCILIATION_DELTA)).collectAsList()) {
      if (r.isNullAt(0)) {
        nullDeltas++;
      } else {
        double delta = Math.abs(r.getDouble(0));
        worst = anyDelta ? Math.max(worst, delta) : delta;
        anyDelta = true;
      }
    }
    boolean ok = worst <= config.maxReconciliationDelta && nullDeltas == 0;
    quality.recordValue(
        "cluster_reconciliation",
        "rollup",
        worst,
        config.maxReconciliationDelta,
        ok,
        nullDeltas > 0
            ? nullDeltas
                + " cluster_daily rows have a null reconciliation_delta (a null money column): money is not conserved"
            : ok
                ? "cluster_daily: gpu_cost = allocated + unallocated + unobserved on every cluster"
                : "cluster_daily reconciliation_delta reaches "
                    + worst
                    + ": money is not conserved");
  }

  /** With shared waste on: each cluster-day's teams carry its whole gpu_cost, and what stayed unshared is said. */
  private void recordSharedWaste(
      Dataset<Row> sharedWaste, Dataset<Row> clusters, QualityRecorder quality) {
    Row worst =
        GlobalAggregate.of(
            SharedWaste.conservation(sharedWaste, clusters), max(abs(col("delta"))), count(lit(1)));
    double delta = worst.isNullAt(0) ? 0.0 : worst.getDouble(0);
    Row totals =
        GlobalAggregate.of(
            clusters,
            sum(col(ClusterDaily.UNALLOCATED_COST).plus(col(ClusterDaily.UNOBSERVED_COST))));
    double waste = totals.isNullAt(0) ? 0.0 : totals.getDouble(0);
    Row shared = GlobalAggregate.of(sharedWaste, sum(TeamDaily.SHARED_WASTE_COST));
    double sharedTotal = shared.isNullAt(0) ? 0.0 : shared.getDouble(0);
    boolean ok = delta <= config.maxReconciliationDelta;
    quality.recordValue(
        "shared_waste_conservation",
        "rollup",
        delta,
        config.maxReconciliationDelta,
        ok,
        String.format(
            Locale.ROOT,
            "attribution.share_unallocated = cluster: on %d cluster-days with allocated cost, the largest |gpu_cost - sum of teams' "
                + "cost_with_shared_waste| is %.9f; %.6f of %.6f unallocated + unobserved cost was shared, %.6f stayed unshared "
                + "(cluster-days nobody held a GPU on)",
            worst.getLong(1),
            delta,
            sharedTotal,
            waste,
            waste - sharedTotal));
  }

  private Dataset<Row> ofDate(TableSpec table, LocalDate date, WrittenRows writtenRows) {
    return writtenRows.ofDate(tables, table, date);
  }

  /** How much of AWS's split of the day's GPU instances landed on workload_daily rows (the rest: pods kube state does not tie to a GPU workload). */
  private static void recordAwsSplit(
      Dataset<Row> splitOnGpu, Dataset<Row> workloads, QualityRecorder quality) {
    Row total = GlobalAggregate.of(splitOnGpu, sum(WorkloadDaily.AWS_SPLIT_COST), count(lit(1)));
    if (total.getLong(1) == 0) {
      quality.recordValue(
          "aws_split_cost",
          "billing.cur",
          0.0,
          null,
          true,
          "no split cost allocation rows for the day's GPU instances");
      return;
    }
    Row shown = GlobalAggregate.of(workloads, sum(WorkloadDaily.AWS_SPLIT_COST));
    double onWorkloads = shown.isNullAt(0) ? 0.0 : shown.getDouble(0);
    quality.recordValue(
        "aws_split_cost",
        "billing.cur",
        total.getDouble(0),
        null,
        true,
        String.format(
            Locale.ROOT,
            "AWS split cost allocation charged %.6f to pods on GPU instances: %.6f on workload_daily rows (aws_split_cost), "
                + "%.6f on pods kube state does not tie to a workload that held a GPU that day",
            total.getDouble(0),
            onWorkloads,
            total.getDouble(0) - onWorkloads));
  }
}
