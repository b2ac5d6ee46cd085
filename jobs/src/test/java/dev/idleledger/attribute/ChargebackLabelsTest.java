package dev.idleledger.attribute;

import static dev.idleledger.testing.SilverRows.bill;
import static dev.idleledger.testing.SilverRows.node;
import static dev.idleledger.testing.SilverRows.samples;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.idleledger.rollup.DailyRollup;
import dev.idleledger.testing.SilverRows;
import dev.idleledger.testing.TestSpark;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * attribution.labels on the worked example's hour (COST_MODEL.md §4): the configured pod labels ride along on
 * gpu_hourly and workload_daily, keyed as configured, and an analyst can charge back by any of them.
 */
class ChargebackLabelsTest {
  private static final double NODE_COST = 22.9408;
  private static final Instant HOUR = Instant.parse("2026-11-01T10:00:00Z");
  private static List<Row> gpuHourly;
  private static Dataset<Row> workloadDaily;

  @BeforeAll
  static void attributeTheExampleHourWithLabelledPods() {
    SparkSession spark = TestSpark.session();
    // The worked example's hour, its pods labelled.
    // pod_info keeps kube-state-metrics' names: label_cost_center arrives for the pod label
    // cost-center.
    SilverRows f =
        SilverRows.on(LocalDate.of(2026, 11, 1))
            .add(node("node-a").instance("i-0a1b2c3d4e5f60718").type("p4d.24xlarge").gpus(8))
            .add(bill("i-0a1b2c3d4e5f60718").type("p4d.24xlarge").hour(HOUR).cost(NODE_COST))
            .add(
                SilverRows.pod("ml-train/train-7f9c")
                    .workload("CronJob", "nightly-train")
                    .type("training")
                    .team("ml")
                    .labels(Map.of("team", "ml", "cost_center", "cc-100", "project", "llm")))
            .add(
                SilverRows.pod("serving/chat-api-1")
                    .workload("Deployment", "chat-api")
                    .type("inference")
                    .team("web")
                    .labels(Map.of("cost_center", "cc-200", "app", "chat")))
            .add(
                SilverRows.pod("serving/chat-api-2")
                    .workload("Deployment", "chat-api")
                    .type("inference")
                    .team("web")
                    .labels(Map.of("cost_center", "cc-200", "app", "chat")))
            .add(
                a100("GPU-0")
                    .from(HOUR)
                    .forSeconds(1200)
                    .activity(0.92)
                    .fbUsed(30000)
                    .heldBy("ml-train/train-7f9c"))
            .add(
                a100("GPU-0")
                    .from(HOUR.plusSeconds(1200))
                    .forSeconds(1200)
                    .activity(0.0)
                    .fbUsed(30000)
                    .heldBy("ml-train/train-7f9c"))
            .add(
                a100("GPU-0")
                    .from(HOUR.plusSeconds(2400))
                    .forSeconds(600)
                    .activity(0.0)
                    .fbUsed(500))
            .add(
                a100("GPU-1")
                    .from(HOUR)
                    .forSeconds(3600)
                    .activity(0.30)
                    .fbUsed(20000)
                    .heldBy("serving/chat-api-1", "serving/chat-api-2"));
    for (int g = 2; g < 8; g++) {
      f.add(a100("GPU-" + g).from(HOUR).forSeconds(3600));
    }
    CostAttribution.Result result =
        f.attribute(spark, TestSpark.config("attribution.labels=team,cost-center"));
    gpuHourly = result.gpuHourly().collectAsList();
    workloadDaily = DailyRollup.workloadDaily(result.gpuHourly(), result.heldSamples());
  }

  /** Per-second samples of one of node-a's A100 40GB GPUs. */
  private static SilverRows.Samples a100(String uuid) {
    return samples("node-a", uuid).model(SilverRows.A100_40GB).fbTotal(40960);
  }

  @Test
  void aHolderRowCarriesOnlyTheConfiguredLabelsKeyedAsConfigured() {
    // project is on the pod but not in attribution.labels; cost-center is looked up under
    // kube-state-metrics' cost_center.
    assertEquals(Map.of("team", "ml", "cost-center", "cc-100"), labels(pod("train-7f9c")));
  }

  @Test
  void aPodWithoutAConfiguredLabelHasNoEntryForIt() {
    // chat-api's pods have no team label (their team comes from elsewhere): no "team" key, not a
    // null value.
    assertEquals(Map.of("cost-center", "cc-200"), labels(pod("chat-api-1")));
  }

  @Test
  void unallocatedRowsHaveNoLabels() {
    Row gpu5 =
        gpuHourly.stream()
            .filter(r -> "GPU-5".equals(r.getAs("unit_id")))
            .findFirst()
            .orElseThrow();
    assertNull(gpu5.getAs("labels"));
  }

  @Test
  void workloadDailyChargesBackByCostCenter() {
    workloadDaily.createOrReplaceTempView("labelled_workload_daily");
    Map<String, Double> byCostCenter = new TreeMap<>();
    TestSpark.session()
        .sql(
            "SELECT labels['cost-center'] AS cc, sum(cost) AS cost FROM labelled_workload_daily GROUP BY labels['cost-center']")
        .collectAsList()
        .forEach(r -> byCostCenter.put(r.getString(0), r.getDouble(1)));
    // r = 22.9408 / 8 GPUs / 3600 s.
    // cc-100: nightly-train held GPU 0 for 2400 s → r × 2400 = 1.911733.
    // cc-200: chat-api's two pods shared GPU 1 all hour → 2 × (r × 3600 / 2) = 2.8676.
    assertEquals(List.of("cc-100", "cc-200"), List.copyOf(byCostCenter.keySet()));
    assertEquals(NODE_COST / 8 * 2400 / 3600, byCostCenter.get("cc-100"), 1e-9);
    assertEquals(2.8676, byCostCenter.get("cc-200"), 1e-9);
  }

  private static Row pod(String name) {
    return gpuHourly.stream().filter(r -> name.equals(r.getAs("pod"))).findFirst().orElseThrow();
  }

  private static Map<String, String> labels(Row r) {
    return r.getJavaMap(r.fieldIndex("labels"));
  }
}
