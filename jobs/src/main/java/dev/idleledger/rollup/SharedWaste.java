package dev.idleledger.rollup;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.config.LedgerConfig.WasteSharing;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * The waste nobody owns, optionally shared ({@code attribution.share_unallocated}), as OpenCost lets its users choose:
 * with {@code cluster}, each cluster-day's unallocated + unobserved GPU cost is spread over the teams that held GPUs
 * on that cluster that day, in proportion to their allocated cost, so Σ over those teams of (cost + share) is the
 * cluster's gpu_cost. A cluster-day with no allocated cost (nobody held a GPU; the 'unattributed' bill-only instances)
 * has no one to share with: its waste stays unshared, the platform's line as with {@code none}.
 */
public final class SharedWaste {
  private SharedWaste() {}

  /**
   * @param workloadDaily rows of workload_daily (date, cluster, team, cost)
   * @param clusterDaily rows of cluster_daily (date, cluster, unallocated_cost, unobserved_cost)
   * @return one row per (date, cluster, team): allocated_cost, and shared_waste_cost (0 under {@code none})
   */
  public static Dataset<Row> byTeamAndCluster(
      Dataset<Row> workloadDaily, Dataset<Row> clusterDaily, WasteSharing sharing) {
    Dataset<Row> teamCost =
        workloadDaily.groupBy("date", "cluster", "team").agg(sum("cost").as("allocated_cost"));
    if (sharing == WasteSharing.NONE) {
      return teamCost.withColumn("shared_waste_cost", lit(0.0));
    }
    // The denominator is the teams' own sum, not cluster_daily.allocated_cost: the same money
    // summed another way, but
    // this way the shares add up to exactly the cluster's waste.
    Column clusterAllocated = sum("allocated_cost").over(Window.partitionBy("date", "cluster"));
    Dataset<Row> waste =
        clusterDaily.select(
            col("date"),
            col("cluster"),
            coalesce(col("unallocated_cost"), lit(0.0))
                .plus(coalesce(col("unobserved_cost"), lit(0.0)))
                .as("cluster_waste"));
    return teamCost
        .withColumn("cluster_allocated", clusterAllocated)
        .join(waste, new String[] {"date", "cluster"}, "left")
        .withColumn(
            "shared_waste_cost",
            when(
                    col("cluster_allocated").gt(0),
                    coalesce(col("cluster_waste"), lit(0.0))
                        .multiply(col("allocated_cost"))
                        .divide(col("cluster_allocated")))
                .otherwise(lit(0.0)))
        .select("date", "cluster", "team", "allocated_cost", "shared_waste_cost");
  }

  /** Per (date, team): the team's shares summed over the clusters it used. */
  static Dataset<Row> byTeam(Dataset<Row> byTeamAndCluster) {
    return byTeamAndCluster
        .groupBy("date", "team")
        .agg(sum("shared_waste_cost").as("shared_waste_cost"));
  }

  /**
   * Per cluster-day that had allocated cost, gpu_cost − Σ over its teams of (allocated + shared waste): 0 when sharing
   * is on and the cluster reconciles. Cluster-days with no allocated cost are left out (their waste is not shared).
   */
  public static Dataset<Row> conservation(
      Dataset<Row> byTeamAndCluster, Dataset<Row> clusterDaily) {
    return byTeamAndCluster
        .groupBy("date", "cluster")
        .agg(
            sum("allocated_cost").as("allocated_cost"),
            sum(col("allocated_cost").plus(col("shared_waste_cost"))).as("with_shared_waste"))
        .where(col("allocated_cost").gt(0))
        .join(
            clusterDaily.select("date", "cluster", "gpu_cost"),
            new String[] {"date", "cluster"},
            "left")
        .withColumn("delta", coalesce(col("gpu_cost"), lit(0.0)).minus(col("with_shared_waste")));
  }
}
