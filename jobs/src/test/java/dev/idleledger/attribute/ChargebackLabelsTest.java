package dev.idleledger.attribute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.idleledger.config.InstanceCatalog;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.rollup.DailyRollup;
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
    String a100 = "NVIDIA A100-SXM4-40GB";
    // pod_info keeps kube-state-metrics' names: label_cost_center arrives for the pod label cost-center.
    SilverFixtures f = new SilverFixtures(LocalDate.of(2026, 11, 1), "c1")
        .node("node-a", "i-0a1b2c3d4e5f60718", "p4d.24xlarge", 8)
        .bill("i-0a1b2c3d4e5f60718", "p4d.24xlarge", HOUR, NODE_COST, 1.0)
        .pod("ml-train", "train-7f9c", "CronJob", "nightly-train", "training", "ml",
            Map.of("team", "ml", "cost_center", "cc-100", "project", "llm"))
        .pod("serving", "chat-api-1", "Deployment", "chat-api", "inference", "web", Map.of("cost_center", "cc-200", "app", "chat"))
        .pod("serving", "chat-api-2", "Deployment", "chat-api", "inference", "web", Map.of("cost_center", "cc-200", "app", "chat"));
    SilverFixtures.Holder train = new SilverFixtures.Holder("ml-train", "train-7f9c");
    f.samples("node-a", "GPU-0", a100, null, null, HOUR, 1200, 1, 0.92, 30000, 40960, train);
    f.samples("node-a", "GPU-0", a100, null, null, HOUR.plusSeconds(1200), 1200, 1, 0.0, 30000, 40960, train);
    f.samples("node-a", "GPU-0", a100, null, null, HOUR.plusSeconds(2400), 600, 1, 0.0, 500, 40960);
    f.samples("node-a", "GPU-1", a100, null, null, HOUR, 3600, 1, 0.30, 20000, 40960,
        new SilverFixtures.Holder("serving", "chat-api-1"), new SilverFixtures.Holder("serving", "chat-api-2"));
    for (int g = 2; g < 8; g++) {
      f.samples("node-a", "GPU-" + g, a100, null, null, HOUR, 3600, 1, 0.0, 0, 40960);
    }
    LedgerConfig config = TestSpark.config("attribution.labels=team,cost-center");
    CostAttribution.Result result = new CostAttribution(spark, new CostAttribution.Settings(f.date, config.idleActivityThreshold,
        config.memoryHeldThreshold, config.gpuShare, InstanceCatalog.load(config), config.classifier, config.chargebackLabels))
        .attribute(f.samples(spark), f.nodes(spark), f.bills(spark), f.pods(spark));
    gpuHourly = result.gpuHourly().collectAsList();
    workloadDaily = DailyRollup.workloadDaily(result.gpuHourly(), result.heldSamples());
  }

  @Test
  void aHolderRowCarriesOnlyTheConfiguredLabelsKeyedAsConfigured() {
    // project is on the pod but not in attribution.labels; cost-center is looked up under kube-state-metrics' cost_center.
    assertEquals(Map.of("team", "ml", "cost-center", "cc-100"), labels(pod("train-7f9c")));
  }

  @Test
  void aPodWithoutAConfiguredLabelHasNoEntryForIt() {
    // chat-api's pods have no team label (their team comes from elsewhere): no "team" key, not a null value.
    assertEquals(Map.of("cost-center", "cc-200"), labels(pod("chat-api-1")));
  }

  @Test
  void unallocatedRowsHaveNoLabels() {
    Row gpu5 = gpuHourly.stream().filter(r -> "GPU-5".equals(r.getAs("unit_id"))).findFirst().orElseThrow();
    assertNull(gpu5.getAs("labels"));
  }

  @Test
  void workloadDailyChargesBackByCostCenter() {
    workloadDaily.createOrReplaceTempView("labelled_workload_daily");
    Map<String, Double> byCostCenter = new TreeMap<>();
    TestSpark.session().sql("SELECT labels['cost-center'] AS cc, sum(cost) AS cost FROM labelled_workload_daily GROUP BY labels['cost-center']")
        .collectAsList().forEach(r -> byCostCenter.put(r.getString(0), r.getDouble(1)));
    // r = 22.9408 / 8 GPUs / 3600 s. cc-100: nightly-train held GPU 0 for 2400 s → r × 2400 = 1.911733.
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
