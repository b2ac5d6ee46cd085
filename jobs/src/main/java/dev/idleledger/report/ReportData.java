package dev.idleledger.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.hour;
import static org.apache.spark.sql.functions.sum;

import dev.idleledger.attribute.GpuHourlyTable;
import dev.idleledger.recommend.CombinedSavings;
import dev.idleledger.recommend.RecommendationTables;
import dev.idleledger.rollup.GoldTables;
import dev.idleledger.spark.LakeTables;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;

/**
 * Everything the HTML report shows, read once from the published tables (small: per day, team, node-hour).
 * {@code savings}: the open recommendations as of the latest night, added up with overlaps counted once.
 */
public record ReportData(WasteSummary summary, List<DayWaste> trend, List<TeamWaste> teams, List<NodeHourIdle> heatmap,
    CombinedSavings.Totals savings) {
  public record DayWaste(LocalDate date, double gpuCost, double wasteCost) {}

  public record TeamWaste(String team, double idleCost, double cost) {}

  /** Idle-while-held plus unallocated GPU-hours of one node in one hour of the day (UTC), summed over the range. */
  public record NodeHourIdle(String node, int hourOfDay, double wastedGpuHours) {}

  public static ReportData read(LakeTables tables, LocalDate from, LocalDate to) {
    Date a = Date.valueOf(from);
    Date b = Date.valueOf(to);
    WasteSummary summary = WasteSummary.read(tables, from, to, 10);
    List<DayWaste> trend = tables.read(GoldTables.CLUSTER_DAILY).where(col("date").between(a, b))
        .groupBy("date").agg(sum("gpu_cost").as("gpu_cost"), sum("waste_cost").as("waste_cost")).orderBy("date")
        .collectAsList().stream()
        .map(r -> new DayWaste(r.getDate(0).toLocalDate(), r.getDouble(1), r.getDouble(2))).toList();
    List<TeamWaste> teams = tables.read(GoldTables.TEAM_DAILY).where(col("date").between(a, b))
        .groupBy("team").agg(sum("idle_cost").as("idle_cost"), sum("cost").as("cost")).orderBy(desc("idle_cost"), col("team"))
        .collectAsList().stream().map(r -> new TeamWaste(r.getString(0), r.getDouble(1), r.getDouble(2))).toList();
    List<NodeHourIdle> heatmap = tables.read(GpuHourlyTable.SPEC).where(col("date").between(a, b).and(col("node").isNotNull()))
        .groupBy(col("node"), hour(col("hour")).as("hod"))
        .agg(sum(col("state_seconds_idle").plus(col("state_seconds_unallocated"))).divide(3600).as("wasted"))
        .orderBy("node", "hod").collectAsList().stream()
        .map(r -> new NodeHourIdle(r.getString(0), r.getInt(1), r.getDouble(2))).toList();
    CombinedSavings.Totals savings = CombinedSavings.totals(CombinedSavings.of(tables.spark(), tables.read(RecommendationTables.RECOMMENDATIONS)));
    return new ReportData(summary, trend, teams, heatmap, savings);
  }
}
