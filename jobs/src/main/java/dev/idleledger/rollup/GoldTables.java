package dev.idleledger.rollup;

import static dev.idleledger.spark.TableSpec.col;

import dev.idleledger.spark.TableSpec;
import java.util.List;
import org.apache.spark.sql.types.DataTypes;

/** The published daily tables (CONTRACTS.md §2). GPU-hours are GPU-equivalent: a MIG slice or a shared second counts its share. */
public final class GoldTables {
  private GoldTables() {}

  /** Column names of {@code workload_daily}; WORKLOAD_DAILY is built from them, so a constant always names one of its columns. */
  public static final class WorkloadDaily {
    public static final String DATE = "date";
    public static final String CLUSTER = "cluster";
    public static final String NAMESPACE = "namespace";
    public static final String WORKLOAD_KIND = "workload_kind";
    public static final String WORKLOAD_NAME = "workload_name";
    public static final String WORKLOAD_TYPE = "workload_type";
    public static final String TEAM = "team";
    public static final String LABELS = "labels";
    public static final String PODS = "pods";
    public static final String GPUS = "gpus";
    public static final String GPU_HOURS = "gpu_hours";
    public static final String ACTIVE_GPU_HOURS = "active_gpu_hours";
    public static final String IDLE_GPU_HOURS = "idle_gpu_hours";
    public static final String IDLE_MEMORY_HELD_GPU_HOURS = "idle_memory_held_gpu_hours";
    public static final String AVG_ACTIVITY = "avg_activity";
    public static final String P95_ACTIVITY = "p95_activity";
    public static final String MAX_FB_USED_MIB = "max_fb_used_mib";
    public static final String COST = "cost";
    public static final String AWS_SPLIT_COST = "aws_split_cost";
    public static final String IDLE_COST = "idle_cost";
    public static final String IDLE_MEMORY_HELD_COST = "idle_memory_held_cost";
    public static final String UNUSED_CAPACITY_COST = "unused_capacity_cost";
    public static final String EFFICIENCY = "efficiency";
    public static final String LONGEST_IDLE_STREAK_SECONDS = "longest_idle_streak_seconds";
    public static final String CURRENCY = "currency";

    private WorkloadDaily() {}
  }

  public static final TableSpec WORKLOAD_DAILY =
      new TableSpec(
          "workload_daily",
          "Per day, per workload (top controller): GPU time held, how much of it was idle, and what it cost.",
          List.of(
              col(WorkloadDaily.DATE, DataTypes.DateType, "UTC day"),
              col(WorkloadDaily.CLUSTER, DataTypes.StringType, "cluster"),
              col(WorkloadDaily.NAMESPACE, DataTypes.StringType, "namespace"),
              col(
                  WorkloadDaily.WORKLOAD_KIND,
                  DataTypes.StringType,
                  "top controller kind (Deployment, CronJob, PyTorchJob, Notebook, Pod...)"),
              col(WorkloadDaily.WORKLOAD_NAME, DataTypes.StringType, "top controller name"),
              col(
                  WorkloadDaily.WORKLOAD_TYPE,
                  DataTypes.StringType,
                  "training | inference | notebook | other"),
              col(WorkloadDaily.TEAM, DataTypes.StringType, "team"),
              col(
                  WorkloadDaily.LABELS,
                  DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType),
                  "its pods' labels named in attribution.labels, "
                      + "keyed as configured: chargeback by any of them with GROUP BY labels['cost-center']; a key the pods lack has no entry"),
              col(WorkloadDaily.PODS, DataTypes.LongType, "distinct pods that held a GPU"),
              col(
                  WorkloadDaily.GPUS,
                  DataTypes.LongType,
                  "distinct GPU units held (whole GPUs or MIG instances)"),
              col(WorkloadDaily.GPU_HOURS, DataTypes.DoubleType, "GPU-equivalent hours held"),
              col(
                  WorkloadDaily.ACTIVE_GPU_HOURS,
                  DataTypes.DoubleType,
                  "GPU-equivalent hours held and active"),
              col(
                  WorkloadDaily.IDLE_GPU_HOURS,
                  DataTypes.DoubleType,
                  "GPU-equivalent hours held and idle (memory-held included)"),
              col(
                  WorkloadDaily.IDLE_MEMORY_HELD_GPU_HOURS,
                  DataTypes.DoubleType,
                  "GPU-equivalent hours idle with memory held"),
              col(
                  WorkloadDaily.AVG_ACTIVITY,
                  DataTypes.DoubleType,
                  "mean activity over held time, 0-1"),
              col(
                  WorkloadDaily.P95_ACTIVITY,
                  DataTypes.DoubleType,
                  "95th percentile of per-sample activity over held time, 0-1"),
              col(
                  WorkloadDaily.MAX_FB_USED_MIB,
                  DataTypes.DoubleType,
                  "highest framebuffer use on any of its GPUs, MiB"),
              col(
                  WorkloadDaily.COST,
                  DataTypes.DoubleType,
                  "money for the GPU time it held, billing currency"),
              col(
                  WorkloadDaily.AWS_SPLIT_COST,
                  DataTypes.DoubleType,
                  "what AWS split cost allocation data (CUR 2.0 split_line_item_*) charged its pods on the "
                      + "day's GPU instances: split_cost + unused_cost over their GPU, vCPU and memory rows, i.e. AWS's request-based share of the "
                      + "whole instance incl. its unused part, comparable with cost under cost.gpu_share = whole-node; null without such rows"),
              col(
                  WorkloadDaily.IDLE_COST,
                  DataTypes.DoubleType,
                  "money for held time that was idle"),
              col(
                  WorkloadDaily.IDLE_MEMORY_HELD_COST,
                  DataTypes.DoubleType,
                  "money for idle time with memory held (part of idle_cost)"),
              col(
                  WorkloadDaily.UNUSED_CAPACITY_COST,
                  DataTypes.DoubleType,
                  "sum of rate x (1 - activity): money for capacity held but unused"),
              col(
                  WorkloadDaily.EFFICIENCY,
                  DataTypes.DoubleType,
                  "1 - unused_capacity_cost / cost"),
              col(
                  WorkloadDaily.LONGEST_IDLE_STREAK_SECONDS,
                  DataTypes.DoubleType,
                  "longest run of seconds with all its GPU units idle (unobserved time breaks a run)"),
              col(WorkloadDaily.CURRENCY, DataTypes.StringType, "billing currency")),
          WorkloadDaily.DATE);

  /** Column names of {@code cluster_daily}; CLUSTER_DAILY is built from them, so a constant always names one of its columns. */
  public static final class ClusterDaily {
    public static final String DATE = "date";
    public static final String CLUSTER = "cluster";
    public static final String GPUS = "gpus";
    public static final String BILLED_GPU_HOURS = "billed_gpu_hours";
    public static final String ALLOCATED_GPU_HOURS = "allocated_gpu_hours";
    public static final String UNALLOCATED_GPU_HOURS = "unallocated_gpu_hours";
    public static final String UNOBSERVED_GPU_HOURS = "unobserved_gpu_hours";
    public static final String GPU_COST = "gpu_cost";
    public static final String ALLOCATED_COST = "allocated_cost";
    public static final String IDLE_COST = "idle_cost";
    public static final String UNALLOCATED_COST = "unallocated_cost";
    public static final String UNOBSERVED_COST = "unobserved_cost";
    public static final String UNUSED_CAPACITY_COST = "unused_capacity_cost";
    public static final String WASTE_COST = "waste_cost";
    public static final String AVG_ACTIVITY = "avg_activity";
    public static final String RECONCILIATION_DELTA = "reconciliation_delta";
    public static final String CURRENCY = "currency";

    private ClusterDaily() {}
  }

  public static final TableSpec CLUSTER_DAILY =
      new TableSpec(
          "cluster_daily",
          "Per day, per cluster: billed GPU money and where it went. reconciliation_delta must be 0: allocated + unallocated + unobserved = GPU cost.",
          List.of(
              col(ClusterDaily.DATE, DataTypes.DateType, "UTC day"),
              col(
                  ClusterDaily.CLUSTER,
                  DataTypes.StringType,
                  "cluster; 'unattributed' for GPU instances on the bill that no cluster knows (no kube node): their GPU time is all unobserved"),
              col(
                  ClusterDaily.GPUS,
                  DataTypes.LongType,
                  "distinct physical GPUs billed or observed"),
              col(
                  ClusterDaily.BILLED_GPU_HOURS,
                  DataTypes.DoubleType,
                  "GPU-equivalent hours accounted for (allocated + unallocated + unobserved)"),
              col(
                  ClusterDaily.ALLOCATED_GPU_HOURS,
                  DataTypes.DoubleType,
                  "GPU-equivalent hours held by pods"),
              col(
                  ClusterDaily.UNALLOCATED_GPU_HOURS,
                  DataTypes.DoubleType,
                  "GPU-equivalent hours observed with nobody holding them"),
              col(
                  ClusterDaily.UNOBSERVED_GPU_HOURS,
                  DataTypes.DoubleType,
                  "GPU-equivalent hours billed without telemetry"),
              col(
                  ClusterDaily.GPU_COST,
                  DataTypes.DoubleType,
                  "GPU share of the billed amortized cost (catalog price where no bill), billing currency"),
              col(
                  ClusterDaily.ALLOCATED_COST,
                  DataTypes.DoubleType,
                  "money of GPU time held by pods"),
              col(
                  ClusterDaily.IDLE_COST,
                  DataTypes.DoubleType,
                  "money of held GPU time that was idle"),
              col(
                  ClusterDaily.UNALLOCATED_COST,
                  DataTypes.DoubleType,
                  "money of observed GPU time nobody held"),
              col(
                  ClusterDaily.UNOBSERVED_COST,
                  DataTypes.DoubleType,
                  "money of billed GPU time without telemetry"),
              col(
                  ClusterDaily.UNUSED_CAPACITY_COST,
                  DataTypes.DoubleType,
                  "money of held capacity not used (rate x (1 - activity))"),
              col(ClusterDaily.WASTE_COST, DataTypes.DoubleType, "idle_cost + unallocated_cost"),
              col(
                  ClusterDaily.AVG_ACTIVITY,
                  DataTypes.DoubleType,
                  "mean activity over observed GPU time, 0-1"),
              col(
                  ClusterDaily.RECONCILIATION_DELTA,
                  DataTypes.DoubleType,
                  "gpu_cost - allocated - unallocated - unobserved; 0 within 1e-6"),
              col(ClusterDaily.CURRENCY, DataTypes.StringType, "billing currency")),
          ClusterDaily.DATE);

  /** Column names of {@code team_daily}; TEAM_DAILY is built from them, so a constant always names one of its columns. */
  public static final class TeamDaily {
    public static final String DATE = "date";
    public static final String TEAM = "team";
    public static final String GPU_HOURS = "gpu_hours";
    public static final String COST = "cost";
    public static final String IDLE_COST = "idle_cost";
    public static final String UNUSED_CAPACITY_COST = "unused_capacity_cost";
    public static final String EFFICIENCY = "efficiency";
    public static final String SHARED_WASTE_COST = "shared_waste_cost";
    public static final String COST_WITH_SHARED_WASTE = "cost_with_shared_waste";
    public static final String CURRENCY = "currency";

    private TeamDaily() {}
  }

  public static final TableSpec TEAM_DAILY =
      new TableSpec(
          "team_daily",
          "Per day, per team: the GPU time its workloads held and its cost (showback/chargeback).",
          List.of(
              col(TeamDaily.DATE, DataTypes.DateType, "UTC day"),
              col(TeamDaily.TEAM, DataTypes.StringType, "team"),
              col(TeamDaily.GPU_HOURS, DataTypes.DoubleType, "GPU-equivalent hours held"),
              col(
                  TeamDaily.COST,
                  DataTypes.DoubleType,
                  "money for the GPU time held, billing currency"),
              col(TeamDaily.IDLE_COST, DataTypes.DoubleType, "money for held time that was idle"),
              col(
                  TeamDaily.UNUSED_CAPACITY_COST,
                  DataTypes.DoubleType,
                  "money for capacity held but unused"),
              col(TeamDaily.EFFICIENCY, DataTypes.DoubleType, "1 - unused_capacity_cost / cost"),
              col(
                  TeamDaily.SHARED_WASTE_COST,
                  DataTypes.DoubleType,
                  "with attribution.share_unallocated = cluster: its share of the unallocated + "
                      + "unobserved GPU cost of each cluster it used that day, in proportion to its allocated cost there (a cluster-day nobody "
                      + "held a GPU on keeps its waste unshared); 0 with none"),
              col(
                  TeamDaily.COST_WITH_SHARED_WASTE,
                  DataTypes.DoubleType,
                  "cost + shared_waste_cost: summed over the teams of a cluster-day = "
                      + "cluster_daily.gpu_cost when sharing is on"),
              col(TeamDaily.CURRENCY, DataTypes.StringType, "billing currency")),
          TeamDaily.DATE);
}
