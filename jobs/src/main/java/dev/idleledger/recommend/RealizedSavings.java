package dev.idleledger.recommend;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import dev.idleledger.attribute.GpuHourlyTable;
import dev.idleledger.ingest.SilverTables.BillingHourly;
import dev.idleledger.model.Periods;
import dev.idleledger.tables.RecommendationKind;
import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Did the fix pay? On resolve: (mean daily cost of the subject over the window up to first_seen − over the window up
 * to the night it resolved) × 30, floored at 0. The subject's cost is what the recommendation was about: a
 * workload's GPU cost, a node's unallocated cost, or the on-demand cost of an instance type in a region. A mean is
 * over the days of its window that had data.
 */
final class RealizedSavings {
  /** What a recommendation is about: a workload, a node or an instance type. */
  private static final String SUBJECT = "subject";

  /** What the subject cost that day. */
  private static final String COST = "cost";

  /** Which family of recommendations the subject belongs to (Family). */
  private static final String FAMILY = "family";

  enum Family {
    WORKLOAD,
    NODE,
    COMMITMENT
  }

  /** A subject that resolved tonight. */
  record Resolving(String recommendationId, String kind, String subject, LocalDate firstSeen) {
    Family family() {
      return switch (RecommendationKind.valueOf(kind)) {
        case CONSOLIDATE_UNALLOCATED -> Family.NODE;
        case COMMITMENT_COVERAGE -> Family.COMMITMENT;
        default -> Family.WORKLOAD;
      };
    }
  }

  private RealizedSavings() {}

  /** (family, subject, date, cost) for every subject of the given rows. */
  static Dataset<Row> subjectDailyCost(Dataset<Row> gpuHourly, Dataset<Row> billing) {
    Dataset<Row> workloads =
        gpuHourly
            .where(col(GpuHourlyTable.POD).isNotNull())
            .groupBy(
                col(GpuHourlyTable.DATE),
                concat_ws(
                        "/",
                        col(GpuHourlyTable.CLUSTER),
                        col(GpuHourlyTable.NAMESPACE),
                        col(GpuHourlyTable.WORKLOAD_KIND),
                        col(GpuHourlyTable.WORKLOAD_NAME))
                    .as(SUBJECT))
            .agg(sum(GpuHourlyTable.COST).as(COST))
            .withColumn(FAMILY, lit(Family.WORKLOAD.name()));
    Dataset<Row> nodes =
        gpuHourly
            .where(col(GpuHourlyTable.NODE).isNotNull())
            .groupBy(
                col(GpuHourlyTable.DATE),
                concat_ws("/", col(GpuHourlyTable.CLUSTER), col(GpuHourlyTable.NODE)).as(SUBJECT))
            .agg(sum(GpuHourlyTable.UNALLOCATED_COST).as(COST))
            .withColumn(FAMILY, lit(Family.NODE.name()));
    Dataset<Row> onDemand =
        billing
            .where(col(BillingHourly.PRICING_TERM).equalTo("OnDemand"))
            .groupBy(
                col(BillingHourly.DATE),
                concat_ws("/", col(BillingHourly.INSTANCE_TYPE), col(BillingHourly.REGION))
                    .as(SUBJECT))
            .agg(sum(BillingHourly.NODE_COST).as(COST))
            .withColumn(FAMILY, lit(Family.COMMITMENT.name()));
    return workloads
        .unionByName(nodes)
        .unionByName(onDemand)
        .select(FAMILY, SUBJECT, GpuHourlyTable.DATE, COST);
  }

  /**
   * @param costs per (family|subject) → date → cost, for the resolving subjects
   * @param dataDays the days that had data
   */
  static Map<String, Double> compute(
      Collection<Resolving> resolving,
      LocalDate night,
      int windowDays,
      Map<String, Map<LocalDate, Double>> costs,
      Set<LocalDate> dataDays) {
    Map<String, Double> out = new TreeMap<>();
    for (Resolving r : resolving) {
      Map<LocalDate, Double> daily = costs.getOrDefault(r.family() + "|" + r.subject(), Map.of());
      double before = meanDaily(daily, r.firstSeen(), windowDays, dataDays);
      double after = meanDaily(daily, night, windowDays, dataDays);
      out.put(r.recommendationId(), Math.max(0.0, (before - after) * Periods.DAYS_PER_MONTH));
    }
    return out;
  }

  private static double meanDaily(
      Map<LocalDate, Double> daily, LocalDate end, int windowDays, Set<LocalDate> dataDays) {
    double total = 0;
    int days = 0;
    for (LocalDate d = end.minusDays(windowDays - 1L); !d.isAfter(end); d = d.plusDays(1)) {
      if (dataDays.contains(d)) {
        days++;
        total += daily.getOrDefault(d, 0.0);
      }
    }
    return days == 0 ? 0.0 : total / days;
  }

  static List<String> keys(Collection<Resolving> resolving) {
    return resolving.stream().map(r -> r.family() + "|" + r.subject()).distinct().toList();
  }
}
