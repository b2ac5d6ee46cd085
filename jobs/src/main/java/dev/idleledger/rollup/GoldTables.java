package dev.idleledger.rollup;

import static dev.idleledger.spark.TableSpec.col;

import dev.idleledger.spark.TableSpec;
import java.util.List;
import org.apache.spark.sql.types.DataTypes;

/** The published daily tables (CONTRACTS.md §2). GPU-hours are GPU-equivalent: a MIG slice or a shared second counts its share. */
public final class GoldTables {
  private GoldTables() {}

  public static final TableSpec WORKLOAD_DAILY = new TableSpec("workload_daily",
      "Per day, per workload (top controller): GPU time held, how much of it was idle, and what it cost.",
      List.of(
          col("date", DataTypes.DateType, "UTC day"),
          col("cluster", DataTypes.StringType, "cluster"),
          col("namespace", DataTypes.StringType, "namespace"),
          col("workload_kind", DataTypes.StringType, "top controller kind (Deployment, CronJob, PyTorchJob, Notebook, Pod...)"),
          col("workload_name", DataTypes.StringType, "top controller name"),
          col("workload_type", DataTypes.StringType, "training | inference | notebook | other"),
          col("team", DataTypes.StringType, "team"),
          col("labels", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType), "its pods' labels named in attribution.labels, "
              + "keyed as configured: chargeback by any of them with GROUP BY labels['cost-center']; a key the pods lack has no entry"),
          col("pods", DataTypes.LongType, "distinct pods that held a GPU"),
          col("gpus", DataTypes.LongType, "distinct GPU units held (whole GPUs or MIG instances)"),
          col("gpu_hours", DataTypes.DoubleType, "GPU-equivalent hours held"),
          col("active_gpu_hours", DataTypes.DoubleType, "GPU-equivalent hours held and active"),
          col("idle_gpu_hours", DataTypes.DoubleType, "GPU-equivalent hours held and idle (memory-held included)"),
          col("idle_memory_held_gpu_hours", DataTypes.DoubleType, "GPU-equivalent hours idle with memory held"),
          col("avg_activity", DataTypes.DoubleType, "mean activity over held time, 0-1"),
          col("p95_activity", DataTypes.DoubleType, "95th percentile of per-sample activity over held time, 0-1"),
          col("max_fb_used_mib", DataTypes.DoubleType, "highest framebuffer use on any of its GPUs, MiB"),
          col("cost", DataTypes.DoubleType, "money for the GPU time it held, billing currency"),
          col("aws_split_cost", DataTypes.DoubleType, "what AWS split cost allocation data (CUR 2.0 split_line_item_*) charged its pods on the "
              + "day's GPU instances: split_cost + unused_cost over their GPU, vCPU and memory rows, i.e. AWS's request-based share of the "
              + "whole instance incl. its unused part, comparable with cost under cost.gpu_share = whole-node; null without such rows"),
          col("idle_cost", DataTypes.DoubleType, "money for held time that was idle"),
          col("idle_memory_held_cost", DataTypes.DoubleType, "money for idle time with memory held (part of idle_cost)"),
          col("unused_capacity_cost", DataTypes.DoubleType, "sum of rate x (1 - activity): money for capacity held but unused"),
          col("efficiency", DataTypes.DoubleType, "1 - unused_capacity_cost / cost"),
          col("longest_idle_streak_seconds", DataTypes.DoubleType, "longest run of seconds with all its GPU units idle (unobserved time breaks a run)"),
          col("currency", DataTypes.StringType, "billing currency")),
      "date");

  public static final TableSpec CLUSTER_DAILY = new TableSpec("cluster_daily",
      "Per day, per cluster: billed GPU money and where it went. reconciliation_delta must be 0: allocated + unallocated + unobserved = GPU cost.",
      List.of(
          col("date", DataTypes.DateType, "UTC day"),
          col("cluster", DataTypes.StringType, "cluster; 'unattributed' for GPU instances on the bill that no cluster knows (no kube node): their GPU time is all unobserved"),
          col("gpus", DataTypes.LongType, "distinct physical GPUs billed or observed"),
          col("billed_gpu_hours", DataTypes.DoubleType, "GPU-equivalent hours accounted for (allocated + unallocated + unobserved)"),
          col("allocated_gpu_hours", DataTypes.DoubleType, "GPU-equivalent hours held by pods"),
          col("unallocated_gpu_hours", DataTypes.DoubleType, "GPU-equivalent hours observed with nobody holding them"),
          col("unobserved_gpu_hours", DataTypes.DoubleType, "GPU-equivalent hours billed without telemetry"),
          col("gpu_cost", DataTypes.DoubleType, "GPU share of the billed amortized cost (catalog price where no bill), billing currency"),
          col("allocated_cost", DataTypes.DoubleType, "money of GPU time held by pods"),
          col("idle_cost", DataTypes.DoubleType, "money of held GPU time that was idle"),
          col("unallocated_cost", DataTypes.DoubleType, "money of observed GPU time nobody held"),
          col("unobserved_cost", DataTypes.DoubleType, "money of billed GPU time without telemetry"),
          col("unused_capacity_cost", DataTypes.DoubleType, "money of held capacity not used (rate x (1 - activity))"),
          col("waste_cost", DataTypes.DoubleType, "idle_cost + unallocated_cost"),
          col("avg_activity", DataTypes.DoubleType, "mean activity over observed GPU time, 0-1"),
          col("reconciliation_delta", DataTypes.DoubleType, "gpu_cost - allocated - unallocated - unobserved; 0 within 1e-6"),
          col("currency", DataTypes.StringType, "billing currency")),
      "date");

  public static final TableSpec TEAM_DAILY = new TableSpec("team_daily",
      "Per day, per team: the GPU time its workloads held and its cost (showback/chargeback).",
      List.of(
          col("date", DataTypes.DateType, "UTC day"),
          col("team", DataTypes.StringType, "team"),
          col("gpu_hours", DataTypes.DoubleType, "GPU-equivalent hours held"),
          col("cost", DataTypes.DoubleType, "money for the GPU time held, billing currency"),
          col("idle_cost", DataTypes.DoubleType, "money for held time that was idle"),
          col("unused_capacity_cost", DataTypes.DoubleType, "money for capacity held but unused"),
          col("efficiency", DataTypes.DoubleType, "1 - unused_capacity_cost / cost"),
          col("shared_waste_cost", DataTypes.DoubleType, "with attribution.share_unallocated = cluster: its share of the unallocated + "
              + "unobserved GPU cost of each cluster it used that day, in proportion to its allocated cost there (a cluster-day nobody "
              + "held a GPU on keeps its waste unshared); 0 with none"),
          col("cost_with_shared_waste", DataTypes.DoubleType, "cost + shared_waste_cost: summed over the teams of a cluster-day = "
              + "cluster_daily.gpu_cost when sharing is on"),
          col("currency", DataTypes.StringType, "billing currency")),
      "date");
}
