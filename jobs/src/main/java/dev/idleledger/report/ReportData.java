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
import dev.idleledger.rollup.GoldTables;
import dev.idleledger.rollup.GoldTables.ClusterDaily;
import dev.idleledger.rollup.GoldTables.TeamDaily;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.tables.RecommendationStatus;
import dev.idleledger.tables.RecommendationTables;
import dev.idleledger.tables.RecommendationTables.Recommendations;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Everything the HTML report shows, read once from the published tables (small: per day, team, node-hour).
 * {@code savings}: the open recommendations as of the latest night, added up with overlaps counted once.
 */
public record ReportData(
    WasteSummary summary,
    List<DayWaste> trend,
    List<TeamWaste> teams,
    List<NodeHourIdle> heatmap,
    CombinedSavings.Totals savings,
    List<OpenRecommendation> openRecommendations,
    RealizedSavings realized) {
  /** How many open recommendations the report lists, largest savings first (the totals count them all). */
  static final int LISTED_RECOMMENDATIONS = 25;

  /** A report without the recommendations' rows (their totals only). */
  public ReportData(
      WasteSummary summary,
      List<DayWaste> trend,
      List<TeamWaste> teams,
      List<NodeHourIdle> heatmap,
      CombinedSavings.Totals savings) {
    this(
        summary,
        trend,
        teams,
        heatmap,
        savings,
        List.of(),
        new RealizedSavings(0, 0, 0, summary.currency()));
  }

  /**
   * A live recommendation as the report lists it: what to do, who should, what it saves on its own and after the
   * ones before it on the same subject ({@code overlapsWith} names them, null when none), its ticket once filed, and why
   * the last ticket sync failed ({@code ticketError}, null when it worked).
   */
  public record OpenRecommendation(
      String kind,
      String who,
      String action,
      double monthlySavings,
      double remainingMonthlySavings,
      String overlapsWith,
      String confidence,
      String ticketUrl,
      String ticketError,
      String currency) {}

  /**
   * What resolved recommendations were seen to save ({@code recommendations.realized_monthly_savings}): per month, over
   * all resolved ones, and how many of them were resolved within the report's dates.
   */
  public record RealizedSavings(
      double monthlySavings, long resolved, long resolvedInRange, String currency) {}

  public record DayWaste(LocalDate date, double gpuCost, double wasteCost) {}

  public record TeamWaste(String team, double idleCost, double cost) {}

  /** Idle-while-held plus unallocated GPU-hours of one node in one hour of the day (UTC), summed over the range. */
  public record NodeHourIdle(String node, int hourOfDay, double wastedGpuHours) {}

  public static ReportData read(LakeTables tables, LocalDate from, LocalDate to) {
    Date a = Date.valueOf(from);
    Date b = Date.valueOf(to);
    WasteSummary summary = WasteSummary.read(tables, from, to, 10);
    List<DayWaste> trend =
        tables
            .read(GoldTables.CLUSTER_DAILY)
            .where(col(ClusterDaily.DATE).between(a, b))
            .groupBy(ClusterDaily.DATE)
            .agg(
                sum(ClusterDaily.GPU_COST).as(ClusterDaily.GPU_COST),
                sum(ClusterDaily.WASTE_COST).as(ClusterDaily.WASTE_COST))
            .orderBy(ClusterDaily.DATE)
            .collectAsList()
            .stream()
            .map(r -> new DayWaste(r.getDate(0).toLocalDate(), r.getDouble(1), r.getDouble(2)))
            .toList();
    List<TeamWaste> teams =
        tables
            .read(GoldTables.TEAM_DAILY)
            .where(col(TeamDaily.DATE).between(a, b))
            .groupBy(TeamDaily.TEAM)
            .agg(
                sum(TeamDaily.IDLE_COST).as(TeamDaily.IDLE_COST),
                sum(TeamDaily.COST).as(TeamDaily.COST))
            .orderBy(desc(TeamDaily.IDLE_COST), col(TeamDaily.TEAM))
            .collectAsList()
            .stream()
            .map(r -> new TeamWaste(r.getString(0), r.getDouble(1), r.getDouble(2)))
            .toList();
    List<NodeHourIdle> heatmap =
        tables
            .read(GpuHourlyTable.SPEC)
            .where(col(GpuHourlyTable.DATE).between(a, b).and(col(GpuHourlyTable.NODE).isNotNull()))
            .groupBy(col(GpuHourlyTable.NODE), hour(col(GpuHourlyTable.HOUR)).as("hod"))
            .agg(
                sum(col(GpuHourlyTable.STATE_SECONDS_IDLE)
                        .plus(col(GpuHourlyTable.STATE_SECONDS_UNALLOCATED)))
                    .divide(Periods.SECONDS_PER_HOUR)
                    .as("wasted"))
            .orderBy(GpuHourlyTable.NODE, "hod")
            .collectAsList()
            .stream()
            .map(r -> new NodeHourIdle(r.getString(0), r.getInt(1), r.getDouble(2)))
            .toList();
    Dataset<Row> recommendations = tables.read(RecommendationTables.RECOMMENDATIONS);
    Dataset<Row> combined = CombinedSavings.of(tables.spark(), recommendations);
    List<OpenRecommendation> open =
        combined
            .withColumn("who", CombinedSavings.who())
            .orderBy(desc(Recommendations.MONTHLY_SAVINGS), col(Recommendations.RECOMMENDATION_ID))
            .limit(LISTED_RECOMMENDATIONS)
            .select(
                Recommendations.KIND,
                "who",
                Recommendations.ACTION,
                Recommendations.MONTHLY_SAVINGS,
                CombinedSavings.REMAINING_MONTHLY_SAVINGS,
                CombinedSavings.OVERLAPS_WITH,
                Recommendations.CONFIDENCE,
                Recommendations.TICKET_URL,
                Recommendations.TICKET_ERROR,
                Recommendations.CURRENCY)
            .collectAsList()
            .stream()
            .map(
                r ->
                    new OpenRecommendation(
                        r.getString(0),
                        r.getString(1),
                        r.getString(2),
                        r.getDouble(3),
                        r.getDouble(4),
                        r.getString(5),
                        r.getString(6),
                        r.getString(7),
                        r.getString(8),
                        r.getString(9)))
            .toList();
    Row realized =
        recommendations
            .where(
                col(Recommendations.STATUS)
                    .equalTo(RecommendationStatus.RESOLVED.name())
                    .and(col(Recommendations.REALIZED_MONTHLY_SAVINGS).isNotNull()))
            .agg(
                sum(Recommendations.REALIZED_MONTHLY_SAVINGS),
                count(lit(1)),
                count(when(col(Recommendations.RESOLVED_ON).between(a, b), 1)),
                max(Recommendations.CURRENCY))
            .first();
    RealizedSavings realizedSavings =
        new RealizedSavings(
            realized.isNullAt(0) ? 0.0 : realized.getDouble(0),
            realized.getLong(1),
            realized.getLong(2),
            realized.isNullAt(3) ? summary.currency() : realized.getString(3));
    return new ReportData(
        summary, trend, teams, heatmap, CombinedSavings.totals(combined), open, realizedSavings);
  }
}
