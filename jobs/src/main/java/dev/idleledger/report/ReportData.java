package dev.idleledger.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.hour;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.attribute.GpuHourlyTable;
import dev.idleledger.model.Periods;
import dev.idleledger.recommend.CombinedSavings;
import dev.idleledger.recommend.RecommendationLifecycle;
import dev.idleledger.recommend.RecommendationTables;
import dev.idleledger.rollup.GoldTables;
import dev.idleledger.spark.LakeTables;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Everything the HTML report shows, read once from the published tables (small: per day, team, node-hour).
 * {@code savings}: the open recommendations as of the latest night, added up with overlaps counted once.
 */
public record ReportData(WasteSummary summary, List<DayWaste> trend, List<TeamWaste> teams, List<NodeHourIdle> heatmap,
    CombinedSavings.Totals savings, List<OpenRecommendation> openRecommendations, RealizedSavings realized) {
  /** How many open recommendations the report lists, largest savings first (the totals count them all). */
  static final int LISTED_RECOMMENDATIONS = 25;

  /** A report without the recommendations' rows (their totals only). */
  public ReportData(WasteSummary summary, List<DayWaste> trend, List<TeamWaste> teams, List<NodeHourIdle> heatmap, CombinedSavings.Totals savings) {
    this(summary, trend, teams, heatmap, savings, List.of(), new RealizedSavings(0, 0, 0, summary.currency()));
  }

  /**
   * A live recommendation as the report lists it: what to do, who should, what it saves on its own and after the
   * ones before it on the same subject ({@code overlapsWith} names them, null when none), its ticket once filed, and why
   * the last ticket sync failed ({@code ticketError}, null when it worked).
   */
  public record OpenRecommendation(String kind, String who, String action, double monthlySavings, double remainingMonthlySavings,
      String overlapsWith, String confidence, String ticketUrl, String ticketError, String currency) {}

  /**
   * What resolved recommendations were seen to save ({@code recommendations.realized_monthly_savings}): per month, over
   * all resolved ones, and how many of them were resolved within the report's dates.
   */
  public record RealizedSavings(double monthlySavings, long resolved, long resolvedInRange, String currency) {}

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
        .agg(sum(col("state_seconds_idle").plus(col("state_seconds_unallocated"))).divide(Periods.SECONDS_PER_HOUR).as("wasted"))
        .orderBy("node", "hod").collectAsList().stream()
        .map(r -> new NodeHourIdle(r.getString(0), r.getInt(1), r.getDouble(2))).toList();
    Dataset<Row> recommendations = tables.read(RecommendationTables.RECOMMENDATIONS);
    Dataset<Row> combined = CombinedSavings.of(tables.spark(), recommendations);
    List<OpenRecommendation> open = combined.withColumn("who", CombinedSavings.who())
        .orderBy(desc("monthly_savings"), col("recommendation_id")).limit(LISTED_RECOMMENDATIONS)
        .select("kind", "who", "action", "monthly_savings", "remaining_monthly_savings", "overlaps_with", "confidence", "ticket_url", "ticket_error",
            "currency")
        .collectAsList().stream()
        .map(r -> new OpenRecommendation(r.getString(0), r.getString(1), r.getString(2), r.getDouble(3), r.getDouble(4), r.getString(5),
            r.getString(6), r.getString(7), r.getString(8), r.getString(9)))
        .toList();
    Row realized = recommendations.where(col("status").equalTo(RecommendationLifecycle.RESOLVED).and(col("realized_monthly_savings").isNotNull()))
        .agg(sum("realized_monthly_savings"), count(lit(1)), count(when(col("resolved_on").between(a, b), 1)), max("currency")).first();
    RealizedSavings realizedSavings = new RealizedSavings(realized.isNullAt(0) ? 0.0 : realized.getDouble(0), realized.getLong(1),
        realized.getLong(2), realized.isNullAt(3) ? summary.currency() : realized.getString(3));
    return new ReportData(summary, trend, teams, heatmap, CombinedSavings.totals(combined), open, realizedSavings);
  }
}
