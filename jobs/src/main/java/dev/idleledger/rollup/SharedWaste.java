package dev.idleledger.rollup;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.config.LedgerConfig.WasteSharing;
import dev.idleledger.rollup.GoldTables.ClusterDaily;
import dev.idleledger.rollup.GoldTables.TeamDaily;
import dev.idleledger.rollup.GoldTables.WorkloadDaily;
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
  /** Σ allocated_cost of the teams on a cluster-day. */
  private static final String CLUSTER_ALLOCATED = "cluster_allocated";

  /** Unallocated + unobserved cost of a cluster-day: the waste to share. */
  private static final String CLUSTER_WASTE = "cluster_waste";

  /** Σ of the teams' allocated cost plus their shared waste on a cluster-day. */
  private static final String WITH_SHARED_WASTE = "with_shared_waste";

  /** What a team's workloads cost on one cluster-day (Σ workload_daily cost): no table's column. */
  private static final String TEAM_ALLOCATED_COST = "allocated_cost";

  private SharedWaste() {}

  /**
   * @param workloadDaily rows of workload_daily (date, cluster, team, cost)
   * @param clusterDaily rows of cluster_daily (date, cluster, unallocated_cost, unobserved_cost)
   * @return one row per (date, cluster, team): allocated_cost, and shared_waste_cost (0 under {@code none})
   */
  public static Dataset<Row> byTeamAndCluster(
      Dataset<Row> workloadDaily, Dataset<Row> clusterDaily, WasteSharing sharing) {
    Dataset<Row> teamCost =
        workloadDaily
            .groupBy(WorkloadDaily.DATE, WorkloadDaily.CLUSTER, WorkloadDaily.TEAM)
            .agg(sum(WorkloadDaily.COST).as(TEAM_ALLOCATED_COST));
    if (sharing == WasteSharing.NONE) {
      return teamCost.withColumn(TeamDaily.SHARED_WASTE_COST, lit(0.0));
    }
    // The denominator is the teams' own sum, not cluster_daily.allocated_cost: the same money
    // summed another way, but this way the shares add up to exactly the cluster's waste.
    Column clusterAllocated =
        sum(TEAM_ALLOCATED_COST)
            .over(Window.partitionBy(WorkloadDaily.DATE, WorkloadDaily.CLUSTER));
    Dataset<Row> waste =
        clusterDaily.select(
            col(ClusterDaily.DATE),
            col(ClusterDaily.CLUSTER),
            coalesce(col(ClusterDaily.UNALLOCATED_COST), lit(0.0))
                .plus(coalesce(col(ClusterDaily.UNOBSERVED_COST), lit(0.0)))
                .as(CLUSTER_WASTE));
    return teamCost
        .withColumn(CLUSTER_ALLOCATED, clusterAllocated)
        .join(waste, new String[] {WorkloadDaily.DATE, WorkloadDaily.CLUSTER}, "left")
        .withColumn(
            TeamDaily.SHARED_WASTE_COST,
            when(
                    col(CLUSTER_ALLOCATED).gt(0),
                    coalesce(col(CLUSTER_WASTE), lit(0.0))
                        .multiply(col(TEAM_ALLOCATED_COST))
                        .divide(col(CLUSTER_ALLOCATED)))
                .otherwise(lit(0.0)))
        .select(
            WorkloadDaily.DATE,
            WorkloadDaily.CLUSTER,
            WorkloadDaily.TEAM,
            TEAM_ALLOCATED_COST,
            TeamDaily.SHARED_WASTE_COST);
  }

  /** Per (date, team): the team's shares summed over the clusters it used. */
  static Dataset<Row> byTeam(Dataset<Row> byTeamAndCluster) {
    return byTeamAndCluster
        .groupBy(WorkloadDaily.DATE, WorkloadDaily.TEAM)
        .agg(sum(TeamDaily.SHARED_WASTE_COST).as(TeamDaily.SHARED_WASTE_COST));
  }

  /**
   * Per cluster-day that had allocated cost, gpu_cost − Σ over its teams of (allocated + shared waste): 0 when sharing
   * is on and the cluster reconciles. Cluster-days with no allocated cost are left out (their waste is not shared).
   */
  public static Dataset<Row> conservation(
      Dataset<Row> byTeamAndCluster, Dataset<Row> clusterDaily) {
    return byTeamAndCluster
        .groupBy(ClusterDaily.DATE, ClusterDaily.CLUSTER)
        .agg(
            sum(TEAM_ALLOCATED_COST).as(TEAM_ALLOCATED_COST),
            sum(col(TEAM_ALLOCATED_COST).plus(col(TeamDaily.SHARED_WASTE_COST)))
                .as(WITH_SHARED_WASTE))
        .where(col(TEAM_ALLOCATED_COST).gt(0))
        .join(
            clusterDaily.select(ClusterDaily.DATE, ClusterDaily.CLUSTER, ClusterDaily.GPU_COST),
            new String[] {ClusterDaily.DATE, ClusterDaily.CLUSTER},
            "left")
        .withColumn(
            "delta", coalesce(col(ClusterDaily.GPU_COST), lit(0.0)).minus(col(WITH_SHARED_WASTE)));
  }
}
