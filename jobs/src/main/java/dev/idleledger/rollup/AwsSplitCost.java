package dev.idleledger.rollup;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;

import dev.idleledger.attribute.GpuHourlyTable;
import dev.idleledger.ingest.SilverTables.BillingPodSplit;
import dev.idleledger.ingest.SilverTables.PodInfo;
import dev.idleledger.rollup.GoldTables.WorkloadDaily;
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
    WorkloadDaily.DATE,
    WorkloadDaily.CLUSTER,
    WorkloadDaily.NAMESPACE,
    WorkloadDaily.WORKLOAD_KIND,
    WorkloadDaily.WORKLOAD_NAME
  };

  /** Aliases of the two sides of {@link #byWorkload}'s join: the split rows and the pods. */
  private static final String SPLIT = "s";

  private static final String POD = "p";

  private AwsSplitCost() {}

  /** What AWS's split charged the pods, with the cluster of the GPU instance they ran on (instances outside gpu_hourly are left out). */
  static Dataset<Row> onGpuInstances(Dataset<Row> podSplit, Dataset<Row> gpuHourly) {
    Dataset<Row> gpuInstances =
        gpuHourly
            .where(col(GpuHourlyTable.INSTANCE_ID).isNotNull())
            .select(GpuHourlyTable.INSTANCE_ID, GpuHourlyTable.CLUSTER)
            .distinct();
    return podSplit
        .join(gpuInstances, BillingPodSplit.INSTANCE_ID)
        .withColumn(
            WorkloadDaily.AWS_SPLIT_COST,
            col(BillingPodSplit.SPLIT_COST).plus(col(BillingPodSplit.UNUSED_COST)));
  }

  /** Per workload-day (the keys of workload_daily): {@code aws_split_cost} of the pods kube state ties to it. */
  static Dataset<Row> byWorkload(Dataset<Row> splitOnGpuInstances, Dataset<Row> podInfo) {
    Dataset<Row> s = splitOnGpuInstances.alias(SPLIT);
    Dataset<Row> p =
        podInfo
            .select(
                PodInfo.DATE,
                PodInfo.CLUSTER,
                PodInfo.NAMESPACE,
                PodInfo.POD,
                PodInfo.POD_UID,
                PodInfo.WORKLOAD_KIND,
                PodInfo.WORKLOAD_NAME)
            .alias(POD);
    // A pod name reused in one day (a recreated pod) is told apart by its uid where both sides have
    // one.
    Column samePod =
        inSplit(BillingPodSplit.DATE)
            .equalTo(inPod(PodInfo.DATE))
            .and(inSplit(GpuHourlyTable.CLUSTER).equalTo(inPod(PodInfo.CLUSTER)))
            .and(inSplit(BillingPodSplit.NAMESPACE).equalTo(inPod(PodInfo.NAMESPACE)))
            .and(inSplit(BillingPodSplit.POD).equalTo(inPod(PodInfo.POD)))
            .and(
                inSplit(BillingPodSplit.POD_UID)
                    .isNull()
                    .or(inPod(PodInfo.POD_UID).isNull())
                    .or(inSplit(BillingPodSplit.POD_UID).equalTo(inPod(PodInfo.POD_UID))));
    return s.join(p, samePod)
        .groupBy(
            inSplit(BillingPodSplit.DATE).as(WorkloadDaily.DATE),
            inSplit(GpuHourlyTable.CLUSTER).as(WorkloadDaily.CLUSTER),
            inSplit(BillingPodSplit.NAMESPACE).as(WorkloadDaily.NAMESPACE),
            inPod(PodInfo.WORKLOAD_KIND).as(WorkloadDaily.WORKLOAD_KIND),
            inPod(PodInfo.WORKLOAD_NAME).as(WorkloadDaily.WORKLOAD_NAME))
        .agg(sum(inSplit(WorkloadDaily.AWS_SPLIT_COST)).as(WorkloadDaily.AWS_SPLIT_COST));
  }

  private static Column inSplit(String column) {
    return col(SPLIT + "." + column);
  }

  private static Column inPod(String column) {
    return col(POD + "." + column);
  }
}
