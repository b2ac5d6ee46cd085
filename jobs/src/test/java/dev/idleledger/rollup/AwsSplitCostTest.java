package dev.idleledger.rollup;

import static org.apache.spark.sql.functions.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idleledger.testing.TestSpark;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** AWS's split (silver billing_pod_split) per workload-day through kube state's pod → workload identity. */
class AwsSplitCostTest {
  private final SparkSession spark = TestSpark.session();

  private Dataset<Row> podSplit() {
    return spark.sql(
        "SELECT * FROM VALUES"
            // i-0gpu, worker pod: GPU 3.0185 + 0.7546, vCPU 0.3622 + 0.0906 → 4.2259
            + " (DATE'2026-11-01', 'i-0gpu', 'gpu-prod', 'ml-train', 'llama-ft-worker-0', 'uid-w0', 'gpu', 3.0185D, 0.7546D),"
            + " (DATE'2026-11-01', 'i-0gpu', 'gpu-prod', 'ml-train', 'llama-ft-worker-0', 'uid-w0', 'vcpu', 0.3622D, 0.0906D),"
            // the job's launcher holds no GPU but ran on the GPU instance: vCPU 0.1 + 0.02 → counts
            // for the job too
            + " (DATE'2026-11-01', 'i-0gpu', 'gpu-prod', 'ml-train', 'llama-ft-launcher', NULL, 'vcpu', 0.1D, 0.02D),"
            // an earlier pod of the same name (other uid) belongs to another workload
            + " (DATE'2026-11-01', 'i-0gpu', 'gpu-prod', 'ml-train', 'llama-ft-worker-0', 'uid-old', 'gpu', 1.0D, 0.0D),"
            // a pod kube state never saw (a DaemonSet pod of another agent): in no workload
            + " (DATE'2026-11-01', 'i-0gpu', 'gpu-prod', 'kube-system', 'aws-node-x7k2p', 'uid-n', 'vcpu', 0.05D, 0.01D),"
            // the same workload's pod on a CPU-only instance: not GPU money, left out
            + " (DATE'2026-11-01', 'i-0cpu', 'gpu-prod', 'ml-train', 'llama-ft-worker-1', 'uid-w1', 'vcpu', 0.7D, 0.3D)"
            + " AS t(date, instance_id, eks_cluster, namespace, pod, pod_uid, resource, split_cost, unused_cost)");
  }

  private Dataset<Row> gpuHourly() {
    // The archiver's cluster name differs from the EKS name in the ARN; the instance decides the
    // cluster.
    return spark.sql(
        "SELECT * FROM VALUES ('i-0gpu', 'prod-east'), ('i-0gpu', 'prod-east'), (NULL, 'prod-east')"
            + " AS t(instance_id, cluster)");
  }

  private Dataset<Row> podInfo() {
    return spark.sql(
        "SELECT * FROM VALUES"
            + " (DATE'2026-11-01', 'prod-east', 'ml-train', 'llama-ft-worker-0', 'uid-w0', 'PyTorchJob', 'llama-ft'),"
            + " (DATE'2026-11-01', 'prod-east', 'ml-train', 'llama-ft-launcher', 'uid-l', 'PyTorchJob', 'llama-ft'),"
            + " (DATE'2026-11-01', 'prod-east', 'ml-train', 'llama-ft-worker-0', 'uid-old', 'PyTorchJob', 'llama-ft-v1'),"
            + " (DATE'2026-11-01', 'prod-east', 'ml-train', 'llama-ft-worker-1', 'uid-w1', 'PyTorchJob', 'llama-ft')"
            + " AS t(date, cluster, namespace, pod, pod_uid, workload_kind, workload_name)");
  }

  @Test
  void aWorkloadGetsTheSplitAndUnusedCostOfAllItsPodsOnGpuInstances() {
    Dataset<Row> onGpu = AwsSplitCost.onGpuInstances(podSplit(), gpuHourly());
    List<Row> rows =
        AwsSplitCost.byWorkload(onGpu, podInfo()).orderBy("workload_name").collectAsList();

    assertEquals(2, rows.size(), rows.toString());
    Row job = rows.get(0);
    assertEquals(
        "2026-11-01 prod-east ml-train PyTorchJob llama-ft",
        job.getAs("date")
            + " "
            + job.getAs("cluster")
            + " "
            + job.getAs("namespace")
            + " "
            + job.getAs("workload_kind")
            + " "
            + job.getAs("workload_name"));
    // worker 3.0185 + 0.7546 + 0.3622 + 0.0906 = 4.2259, launcher 0.1 + 0.02 = 0.12 → 4.3459;
    // worker-1 on i-0cpu left out
    assertEquals(4.3459, job.<Double>getAs("aws_split_cost"), 1e-9);
    assertEquals("llama-ft-v1", rows.get(1).getAs("workload_name"));
    assertEquals(1.0, rows.get(1).<Double>getAs("aws_split_cost"), 1e-9);
    // Everything on the GPU instance: 4.3459 + 1.0 + kube-system 0.06 = 5.4059 (the 0.06 reaches no
    // workload).
    assertEquals(5.4059, onGpu.agg(sum("aws_split_cost")).first().getDouble(0), 1e-9);
  }
}
