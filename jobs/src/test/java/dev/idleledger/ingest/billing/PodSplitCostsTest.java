package dev.idleledger.ingest.billing;

import static dev.idleledger.ingest.billing.BillingFixtures.INSTANCE;
import static dev.idleledger.ingest.billing.BillingFixtures.curUsage;
import static dev.idleledger.ingest.billing.BillingFixtures.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.idleledger.testing.TestSpark;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * CUR 2.0 rows shaped like AWS's split cost allocation data for EKS: per pod and hour one {@code Usage} row per
 * resource, {@code line_item_operation = EKSPod-EC2}, usage types {@code USE1-EKS-EC2-GPU-Hours},
 * {@code -vCPU-Hours}, {@code -GB-Hours}, the pod's ARN in {@code line_item_resource_id}, the instance in
 * {@code split_line_item_parent_resource_id}, no unblended cost of their own (the instance row carries it).
 */
class PodSplitCostsTest {
  private static final LocalDate DAY = LocalDate.of(2026, 11, 1);
  private static final String POD_ARN =
      "arn:aws:eks:us-east-1:123456789012:pod/gpu-prod/ml-train/llama-ft-worker-0/5b1f0c1e-1111-4a55-9d0e-000000000001";
  private final SparkSession spark = TestSpark.session();

  /** One split row of the instance-hour of BillingFixtures.curUsage (p4d.24xlarge, 10:00Z). */
  static Map<String, String> split(
      String arn, String resource, String splitCost, String unusedCost, String... overrides) {
    String[] base = {
      CurLineItems.PRODUCT,
      "AmazonEKS",
      CurLineItems.USAGE_TYPE,
      "USE1-EKS-EC2-" + resource + "-Hours",
      CurLineItems.OPERATION,
      "EKSPod-EC2",
      CurLineItems.RESOURCE_ID,
      arn,
      CurLineItems.USAGE_AMOUNT,
      "4.0",
      CurLineItems.UNBLENDED,
      "0.0",
      CurLineItems.PUBLIC_ON_DEMAND,
      "0.0",
      CurLineItems.INSTANCE_TYPE,
      "",
      CurLineItems.PRICING_TERM,
      "",
      CurLineItems.SPLIT_PARENT,
      INSTANCE,
      CurLineItems.SPLIT_COST,
      splitCost,
      CurLineItems.SPLIT_UNUSED_COST,
      unusedCost,
      "split_line_item_split_usage",
      "4.0",
      "split_line_item_split_usage_ratio",
      "0.5",
      "split_line_item_public_on_demand_split_cost",
      "16.3863"
    };
    String[] all = new String[base.length + overrides.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(overrides, 0, all, base.length, overrides.length);
    return curUsage(all);
  }

  @SafeVarargs
  private List<Row> splits(Map<String, String>... rows) {
    return PodSplitCosts.of(frame(spark, rows), DAY)
        .orderBy("instance_id", "namespace", "pod", "resource")
        .collectAsList();
  }

  @Test
  void eachPodsResourceRowsAreKeptWithTheirSplitAndUnusedCost() {
    List<Row> rows =
        splits(
            curUsage(
                CurLineItems.TYPE, "SavingsPlanCoveredUsage", CurLineItems.SP_EFFECTIVE, "22.9408"),
            split(POD_ARN, "GPU", "3.0185", "0.7546"),
            split(POD_ARN, "vCPU", "0.3622", "0.0906"),
            split(POD_ARN, "GB", "0.4830", "0.1207"));

    assertEquals(
        List.of("gpu 3.0185 0.7546", "memory 0.483 0.1207", "vcpu 0.3622 0.0906"),
        rows.stream()
            .map(
                r ->
                    r.getAs("resource")
                        + " "
                        + r.getAs("split_cost")
                        + " "
                        + r.getAs("unused_cost"))
            .toList());
    Row gpu = rows.get(0);
    assertEquals(INSTANCE, gpu.getAs("instance_id"));
    assertEquals("gpu-prod", gpu.getAs("eks_cluster"));
    assertEquals("ml-train", gpu.getAs("namespace"));
    assertEquals("llama-ft-worker-0", gpu.getAs("pod"));
    assertEquals("5b1f0c1e-1111-4a55-9d0e-000000000001", gpu.getAs("pod_uid"));
    assertEquals("USD", gpu.getAs("currency"));
  }

  @Test
  void splitRowsAreNeverInstanceTimeAndTheInstanceRowKeepsItsMoney() {
    List<Row> charges =
        CurLineItems.toCharges(
                frame(
                    spark,
                    curUsage(
                        CurLineItems.TYPE,
                        "SavingsPlanCoveredUsage",
                        CurLineItems.SP_EFFECTIVE,
                        "22.9408"),
                    split(POD_ARN, "GPU", "3.0185", "0.7546"),
                    // Even a split row that names AmazonEC2 and a box-usage type is a pod's share,
                    // not the instance.
                    split(
                        POD_ARN,
                        "GPU",
                        "3.0185",
                        "0.7546",
                        CurLineItems.PRODUCT,
                        "AmazonEC2",
                        CurLineItems.USAGE_TYPE,
                        "USE1-BoxUsage:p4d.24xlarge")))
            .orderBy(BillingCharges.LINE)
            .collectAsList();
    assertEquals(
        List.of(true, false, false),
        charges.stream().map(c -> c.<Boolean>getAs(BillingCharges.IS_INSTANCE_HOUR)).toList());
    assertEquals(
        "split cost allocation (per-pod cross-check, not summed)",
        charges.get(1).getAs(BillingCharges.CHARGE_KIND));
    List<Row> hours =
        InstanceHours.total(
                InstanceHours.spread(
                    CurLineItems.toCharges(
                        frame(
                            spark,
                            curUsage(
                                CurLineItems.TYPE,
                                "SavingsPlanCoveredUsage",
                                CurLineItems.SP_EFFECTIVE,
                                "22.9408"),
                            split(POD_ARN, "GPU", "3.0185", "0.7546"))),
                    DAY),
                "cur")
            .collectAsList();
    assertEquals(1, hours.size());
    assertEquals(22.9408, hours.get(0).<Double>getAs("node_cost"), 1e-9);
  }

  @Test
  void aDailyRowCountsOnlyItsPartInTheDateAndEcsTasksAndBadRowsAreLeftOut() {
    List<Row> rows =
        splits(
            // Daily granularity: 2026-10-31T12:00 → 2026-11-01T12:00, 12 of its 24 hours in the
            // date: 24 × 12/24 = 12, 2.4 × 12/24 = 1.2.
            split(
                POD_ARN,
                "GPU",
                "24.0",
                "2.4",
                CurLineItems.START,
                "2026-10-31T12:00:00Z",
                CurLineItems.END,
                "2026-11-01T12:00:00Z"),
            // A pod ARN without the uid segment.
            split(
                "arn:aws:eks:us-east-1:123456789012:pod/gpu-prod/serving/llm-serve-6c9d7b-x2k4q",
                "GPU",
                "1.5",
                ""),
            split(
                "arn:aws:ecs:us-east-1:123456789012:task/batch/0f1e2d3c4b5a69788796a5b4c3d2e1f0",
                "vCPU",
                "0.5",
                "0.1"),
            split(POD_ARN, "vCPU", "abc", "0.1"),
            // The day before only.
            split(
                POD_ARN,
                "GB",
                "9.9",
                "9.9",
                CurLineItems.START,
                "2026-10-31T10:00:00Z",
                CurLineItems.END,
                "2026-10-31T11:00:00Z"));

    assertEquals(2, rows.size(), rows.toString());
    Row daily = rows.get(0);
    assertEquals("llama-ft-worker-0 gpu", daily.getAs("pod") + " " + daily.getAs("resource"));
    assertEquals(12.0, daily.<Double>getAs("split_cost"), 1e-9);
    assertEquals(1.2, daily.<Double>getAs("unused_cost"), 1e-9);
    Row noUid = rows.get(1);
    assertEquals("llm-serve-6c9d7b-x2k4q", noUid.getAs("pod"));
    assertNull(noUid.getAs("pod_uid"));
    assertEquals(1.5, noUid.<Double>getAs("split_cost"), 1e-9);
    assertEquals(0.0, noUid.<Double>getAs("unused_cost"), 1e-9, "an empty unused cost is none");

    Row bad = CurLineItems.toCharges(frame(spark, split(POD_ARN, "vCPU", "abc", "0.1"))).first();
    assertEquals("non-numeric " + CurLineItems.SPLIT_COST, bad.getAs(BillingCharges.REJECT_REASON));
    assertFalse(bad.<Boolean>getAs(BillingCharges.IS_INSTANCE_HOUR));
  }
}
