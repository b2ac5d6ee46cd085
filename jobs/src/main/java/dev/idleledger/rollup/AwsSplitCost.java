package dev.idleledger.rollup;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * AWS's own split of GPU instances (split cost allocation data, silver {@code billing_pod_split}) per workload-day,
 * for {@code workload_daily.aws_split_cost}: AWS charges each pod by its requests (or usage, when higher) of GPU,
 * vCPU and memory, and spreads what the pods left unused over them too; we charge observed GPU holding. Side by side
 * they show how far a request-based bill is from the GPU time a workload really held.
 *
 * <p>The figure is {@code split_cost + unused_cost} over every resource row (GPU, vCPU, memory) of the workload's pods
 * on the day's GPU instances: with the unused share included AWS's split of an instance adds up to its whole
 * amortized cost, the same money {@code cost} divides under {@code cost.gpu_share = whole-node} (the default), so
 * the two differ by method only. Pods map to workloads through kube state ({@code pod_info}), so a pod that held no
 * GPU (a job's launcher) still counts for its workload.
 */
final class AwsSplitCost {
  static final String[] WORKLOAD = {
    "date", "cluster", "namespace", "workload_kind", "workload_name"
  };

  private AwsSplitCost() {}

  /** What AWS's split charged the pods, with the cluster of the GPU instance they ran on (instances outside gpu_hourly are left out). */
  static Dataset<Row> onGpuInstances(Dataset<Row> podSplit, Dataset<Row> gpuHourly) {
    Dataset<Row> gpuInstances =
        gpuHourly.where(col("instance_id").isNotNull()).select("instance_id", "cluster").distinct();
    return podSplit
        .join(gpuInstances, "instance_id")
        .withColumn("aws_split_cost", col("split_cost").plus(col("unused_cost")));
  }

  /** Per workload-day (the keys of workload_daily): {@code aws_split_cost} of the pods kube state ties to it. */
  static Dataset<Row> byWorkload(Dataset<Row> splitOnGpuInstances, Dataset<Row> podInfo) {
    Dataset<Row> s = splitOnGpuInstances.alias("s");
    Dataset<Row> p =
        podInfo
            .select(
                "date", "cluster", "namespace", "pod", "pod_uid", "workload_kind", "workload_name")
            .alias("p");
    // A pod name reused in one day (a recreated pod) is told apart by its uid where both sides have
    // one.
    Column samePod =
        col("s.date")
            .equalTo(col("p.date"))
            .and(col("s.cluster").equalTo(col("p.cluster")))
            .and(col("s.namespace").equalTo(col("p.namespace")))
            .and(col("s.pod").equalTo(col("p.pod")))
            .and(
                col("s.pod_uid")
                    .isNull()
                    .or(col("p.pod_uid").isNull())
                    .or(col("s.pod_uid").equalTo(col("p.pod_uid"))));
    return s.join(p, samePod)
        .groupBy(
            col("s.date").as("date"),
            col("s.cluster").as("cluster"),
            col("s.namespace").as("namespace"),
            col("p.workload_kind").as("workload_kind"),
            col("p.workload_name").as("workload_name"))
        .agg(sum("s.aws_split_cost").as("aws_split_cost"));
  }
}
