package dev.idleledger.rollup;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import dev.idleledger.attribute.CostAttribution;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.quality.QualityRecorder;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.spark.StageFrames;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Writes the day's workload_daily, cluster_daily and team_daily from gpu_hourly, and checks cluster reconciliation. */
public final class RollupStage {
  private final LedgerConfig config;
  private final LakeTables tables;

  public RollupStage(SparkSession spark, LedgerConfig config) {
    this.config = config;
    this.tables = new LakeTables(spark, config);
  }

  public void run(LocalDate date, CostAttribution.Result attribution, QualityRecorder quality) {
    // The attribute stage kept the day's gpu_hourly rows (a local checkpoint) and wrote exactly those rows; reading
    // them back from Delta would replay the table's log and scan its files for what is already in memory.
    Dataset<Row> gpuHourly = attribution.gpuHourly();
    // Each daily frame is written and then read again (teams from workloads, the reconciliation check from
    // clusters); checkpointed so the second use neither recomputes the rollup nor re-reads the table.
    Dataset<Row> workloads = DailyRollup.workloadDaily(gpuHourly, attribution.heldSamples()).transform(StageFrames::keep);
    tables.replaceDates(GoldTables.WORKLOAD_DAILY, workloads, List.of(date));
    tables.replaceDates(GoldTables.TEAM_DAILY, DailyRollup.teamDaily(workloads), List.of(date));
    Dataset<Row> clusters = DailyRollup.clusterDaily(gpuHourly, attribution.instanceHours().where(col("hour").isNotNull()))
        .withColumn("date", lit(Date.valueOf(date)))
        .transform(StageFrames::keep);
    tables.replaceDates(GoldTables.CLUSTER_DAILY, clusters, List.of(date));
    Row worstRow = clusters.agg(max(abs(col("reconciliation_delta")))).first();
    double worst = worstRow.isNullAt(0) ? 0.0 : worstRow.getDouble(0);
    boolean ok = worst <= config.maxReconciliationDelta;
    quality.recordValue("cluster_reconciliation", "rollup", worst, config.maxReconciliationDelta, ok,
        ok ? "cluster_daily: gpu_cost = allocated + unallocated + unobserved on every cluster"
            : "cluster_daily reconciliation_delta reaches " + worst + ": money is not conserved");
  }
}
