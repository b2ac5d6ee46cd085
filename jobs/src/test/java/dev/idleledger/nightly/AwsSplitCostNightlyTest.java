package dev.idleledger.nightly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.testing.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The H100 trace's night with split cost allocation data enabled on its CUR: AWS's own per-pod rows for hour 03:00
 * (GPU, vCPU and memory of each pod on i-0c0ffee0000000001) land in workload_daily.aws_split_cost beside cost, and
 * never in the instance's cost.
 */
class AwsSplitCostNightlyTest {
  private static final String DB = "aws_split_cost_night";
  private static final String SPLIT_COLUMNS =
      ",split_line_item_parent_resource_id,split_line_item_split_usage,"
          + "split_line_item_split_usage_ratio,split_line_item_split_cost,split_line_item_unused_cost";
  private static SparkSession spark;

  @TempDir static Path tmp;

  /** A pod's split row for hour 03:00, in the trace CUR's columns, then the split columns. */
  private static String splitRow(
      String namespace,
      String pod,
      String uid,
      String resource,
      String usage,
      String ratio,
      String cost,
      String unused) {
    String arn =
        "arn:aws:eks:us-east-1:123456789012:pod/h100-lab/" + namespace + "/" + pod + "/" + uid;
    return "2026-11-01T00:00:00Z,123456789012,Usage,2026-11-28T03:00:00Z,2026-11-28T04:00:00Z,AmazonEKS,USE1-EKS-EC2-"
        + resource
        + "-Hours,EKSPod-EC2,"
        + arn
        + ","
        + usage
        + ",0.0,USD,0.0,,,us-east-1,,,i-0c0ffee0000000001,"
        + usage
        + ","
        + ratio
        + ","
        + cost
        + ","
        + unused;
  }

  @BeforeAll
  static void runTheNight() throws IOException {
    spark = TestSpark.session();
    Path trace = TestSpark.sharedDir().resolve("data/h100-trace");
    List<String> cur =
        Files.readAllLines(trace.resolve("billing/cur/BILLING_PERIOD=2026-11/cur-00001.csv"));
    String llama = "5b1f0c1e-1111-4a55-9d0e-000000000001";
    String serve = "5b1f0c1e-2222-4a55-9d0e-000000000002";
    List<String> rows =
        List.of(
            cur.get(0) + SPLIT_COLUMNS,
            // The trace's own rows (two instance-hours at 6.88, an EBS line), without split data.
            cur.get(1) + ",,,,,",
            cur.get(2) + ",,,,,",
            cur.get(3) + ",,,,,",
            // llama-ft-worker-0: GPU 1.2637 + 0.4212, vCPU 0.1264 + 0.0421, memory 0.1404 + 0.0468
            // = 2.0406
            splitRow(
                "ml-train", "llama-ft-worker-0", llama, "GPU", "0.5", "0.5", "1.2637", "0.4212"),
            splitRow(
                "ml-train", "llama-ft-worker-0", llama, "vCPU", "8.0", "0.5", "0.1264", "0.0421"),
            splitRow(
                "ml-train", "llama-ft-worker-0", llama, "GB", "64.0", "0.25", "0.1404", "0.0468"),
            // llm-serve: GPU 1.2637 + 0.4212 = 1.6849
            splitRow(
                "serving",
                "llm-serve-6c9d7b-x2k4q",
                serve,
                "GPU",
                "0.5",
                "0.5",
                "1.2637",
                "0.4212"),
            // a DaemonSet pod kube state's archive does not show: 0.0632 + 0.0211 = 0.0843, on no
            // workload
            splitRow(
                "kube-system",
                "dcgm-exporter-q8x5d",
                "5b1f0c1e-9999-4a55-9d0e-000000000009",
                "vCPU",
                "0.5",
                "0.03",
                "0.0632",
                "0.0211"));
    Path period = Files.createDirectories(tmp.resolve("cur/BILLING_PERIOD=2026-11"));
    Files.writeString(
        period.resolve("cur-00001.csv"), rows.stream().collect(Collectors.joining("\n", "", "\n")));

    // The trace's telemetry and kube state, with the split-cost bill written above.
    LedgerConfig config =
        TestSpark.fleetConfig(trace, DB, "input.billing.cur=" + tmp.resolve("cur"));
    new NightlyRun(spark, config).runDate(LocalDate.of(2026, 11, 28), NightlyRun.newRunId());
  }

  private static Row workload(String name) {
    return spark
        .sql("SELECT * FROM " + DB + ".workload_daily WHERE workload_name = '" + name + "'")
        .first();
  }

  @Test
  void eachWorkloadShowsWhatAwsSplitChargedItsPodsBesideOurCost() {
    Row llama = workload("llama-ft");
    assertEquals(2.0406, llama.<Double>getAs("aws_split_cost"), 1e-9);
    assertEquals(1.6849, workload("llm-serve").<Double>getAs("aws_split_cost"), 1e-9);
    Row notebook = workload("jupyter-alice");
    assertTrue(
        notebook.isNullAt(notebook.fieldIndex("aws_split_cost")),
        "no split rows for its pod: no AWS figure");
    // Our figure is the GPU time really held (tens of seconds of a 6.88 hour), far below AWS's
    // request-based share.
    assertTrue(
        llama.<Double>getAs("cost") < 0.5 * llama.<Double>getAs("aws_split_cost"),
        llama.toString());
  }

  @Test
  void splitRowsStayOutOfTheInstanceCostAndTheirTotalIsInRunQuality() {
    Row c =
        spark.sql("SELECT gpu_cost, reconciliation_delta FROM " + DB + ".cluster_daily").first();
    assertEquals(
        2 * 6.88,
        c.getDouble(0),
        1e-9,
        "two instance-hours at 6.88, nothing added by the pods' rows");
    assertEquals(0.0, c.getDouble(1), 1e-9);
    Row q =
        spark
            .sql("SELECT value, detail FROM " + DB + ".run_quality WHERE check = 'aws_split_cost'")
            .first();
    // 2.0406 + 1.6849 + 0.0843 = 3.8098 on the GPU instance, 3.7255 of it on workload_daily rows
    assertEquals(3.8098, q.getDouble(0), 1e-9);
    assertTrue(
        q.getString(1).contains("3.725500 on workload_daily rows")
            && q.getString(1).contains("0.084300 on pods"),
        q.getString(1));
    List<String> splitPods =
        spark
            .sql("SELECT DISTINCT pod FROM " + DB + ".billing_pod_split ORDER BY pod")
            .collectAsList()
            .stream()
            .map(r -> r.getString(0))
            .toList();
    assertEquals(
        List.of("dcgm-exporter-q8x5d", "llama-ft-worker-0", "llm-serve-6c9d7b-x2k4q"), splitPods);
  }
}
