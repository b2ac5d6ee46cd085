package dev.idleledger.attribute;

import static dev.idleledger.testing.SilverRows.bill;
import static dev.idleledger.testing.SilverRows.node;
import static dev.idleledger.testing.SilverRows.samples;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.quality.QualityRecorder;
import dev.idleledger.rollup.DailyRollup;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.testing.SilverRows;
import dev.idleledger.testing.TestSpark;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.function.Predicate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GPU instances only on the bill (a GPU box outside Kubernetes, a cluster not yet onboarded), instance types the
 * catalog does not know, and the warnings they raise. One fleet-hour:
 * <ul>
 *   <li>i-0b111011y000000a1, p5.48xlarge, on the CUR only: 55.04 for the hour;</li>
 *   <li>gpu-vm-1, an Azure VM on the FOCUS export only, typed by its meter name "NC24ads A100 v4": 3.673;</li>
 *   <li>i-cpu, m5.large, and i-new, p7.48xlarge (a GPU family the catalog does not have yet), on the bill only;</li>
 *   <li>node odd-node (i-odd), type x9.weird, 2 GPUs of capacity, one seen, billed 10.0;</li>
 *   <li>node known (i-known), p5.4xlarge, billed 6.88 and seen all hour.</li>
 * </ul>
 */
class BillOnlyGpuInstanceTest {
  private static final LocalDate DATE = LocalDate.of(2026, 11, 3);
  private static final Instant HOUR = Instant.parse("2026-11-03T05:00:00Z");
  private static final String BILL_ONLY = "i-0b111011y000000a1";
  private static final double P5_48_HOUR = 55.04;
  private static final double NC24_HOUR = 3.673;
  private static List<Row> hourly;
  private static List<Row> instanceHours;
  private static List<Row> clusters;
  private static List<String> warnings;

  @BeforeAll
  static void attribute() {
    SparkSession spark = TestSpark.session();
    SilverRows f =
        SilverRows.on(DATE)
            .cluster("c3")
            .add(node("known").instance("i-known").billed(bill().hour(HOUR).cost(6.88)))
            .add(
                samples("known", "GPU-K")
                    .from(HOUR)
                    .forSeconds(3600)
                    .every(10)
                    .activity(0.5)
                    .fbUsed(1000))
            .add(
                node("odd-node")
                    .instance("i-odd")
                    .type("x9.weird")
                    .gpus(2)
                    .billed(bill().hour(HOUR).cost(10.0)))
            .add(
                samples("odd-node", "GPU-O")
                    .model("NVIDIA X")
                    .fbTotal(20000)
                    .from(HOUR)
                    .forSeconds(3600)
                    .every(10)
                    .activity(0.5)
                    .fbUsed(1000))
            .add(bill(BILL_ONLY).type("p5.48xlarge").hour(HOUR).cost(P5_48_HOUR))
            .add(
                bill("gpu-vm-1").source("focus").type("NC24ads A100 v4").hour(HOUR).cost(NC24_HOUR))
            .add(bill("i-cpu").type("m5.large").hour(HOUR).cost(0.096))
            .add(bill("i-new").type("p7.48xlarge").hour(HOUR).cost(100.0));
    CostAttribution.Result r = f.attribute(spark, TestSpark.config());
    Dataset<Row> gpuHourly = r.gpuHourly().cache();
    hourly = gpuHourly.collectAsList();
    instanceHours = r.instanceHours().collectAsList();
    clusters = DailyRollup.clusterDaily(gpuHourly, r.instanceHours()).collectAsList();
    // The recorder writes nothing until flushed; the warnings are what the night's log prints.
    QualityRecorder quality =
        new QualityRecorder(new LakeTables(spark, "bill_only_test"), "run", DATE);
    CatalogGaps.record(r.instances(), gpuHourly, quality);
    warnings = quality.warnings();
  }

  @Test
  void aGpuInstanceOnlyOnTheBillIsPublishedAsUnobservedGpusOfTheUnattributedCluster() {
    List<Row> rows = all(hourly, r -> BILL_ONLY.equals(r.getAs("instance_id")));
    assertEquals(8, rows.size(), "one placeholder row per GPU of the catalog's p5.48xlarge");
    for (Row row : rows) {
      assertEquals("unattributed", row.getAs("cluster"));
      assertNull(row.getAs("node"));
      assertEquals("p5.48xlarge", row.getAs("instance_type"));
      // node_cost × share / gpus = 55.04 × 1.0 / 8 = 6.88 per GPU, every billed second unobserved
      assertEquals(6.88, (double) row.getAs("unobserved_cost"), 1e-9);
      assertEquals(6.88, (double) row.getAs("cost"), 1e-9);
      assertEquals(3600.0, (double) row.getAs("state_seconds_unobserved"), 1e-9);
      assertEquals(
          0.0,
          (double) row.getAs("state_seconds_unallocated")
              + (double) row.getAs("state_seconds_active"),
          1e-12);
      assertEquals("bill", row.getAs("price_source"));
    }
    Row hour = only(instanceHours, r -> BILL_ONLY.equals(r.getAs("instance_id")));
    assertEquals(P5_48_HOUR, (double) hour.getAs("gpu_cost"), 1e-9);
    assertEquals(
        P5_48_HOUR,
        (double) hour.getAs("attributed"),
        1e-9,
        "conserved: the whole GPU cost is on gpu_hourly");
  }

  @Test
  void anAzureVmBilledUnderItsMeterNameFindsItsCatalogShape() {
    Row vm = only(hourly, r -> "gpu-vm-1".equals(r.getAs("instance_id")));
    assertEquals("unattributed", vm.getAs("cluster"));
    // NC24ads A100 v4 = Standard_NC24ads_A100_v4: 1 GPU, so 3.673 × 1.0 / 1 on the one placeholder
    assertEquals(NC24_HOUR, (double) vm.getAs("unobserved_cost"), 1e-9);
  }

  @Test
  void nonGpuAndUncataloguedInstancesOnTheBillAreNotGpuCost() {
    assertTrue(
        all(
                hourly,
                r ->
                    "i-cpu".equals(r.getAs("instance_id"))
                        || "i-new".equals(r.getAs("instance_id")))
            .isEmpty());
    assertTrue(
        all(
                instanceHours,
                r ->
                    "i-cpu".equals(r.getAs("instance_id"))
                        || "i-new".equals(r.getAs("instance_id")))
            .isEmpty());
  }

  @Test
  void theUnattributedClusterHasADayRowThatReconciles() {
    Row c = only(clusters, r -> "unattributed".equals(r.getAs("cluster")));
    assertEquals(P5_48_HOUR + NC24_HOUR, (double) c.getAs("gpu_cost"), 1e-9);
    assertEquals(P5_48_HOUR + NC24_HOUR, (double) c.getAs("unobserved_cost"), 1e-9);
    assertEquals(0.0, (double) c.getAs("reconciliation_delta"), 1e-9);
    assertEquals(9L, (long) c.getAs("gpus"), "8 + 1 placeholders, told apart by their instance");
    assertEquals(9.0, (double) c.getAs("unobserved_gpu_hours"), 1e-9);
    Row known = only(clusters, r -> "c3".equals(r.getAs("cluster")));
    assertEquals(0.0, (double) known.getAs("reconciliation_delta"), 1e-9);
  }

  @Test
  void anUnknownGpuTypeOnANodeIsCostedWithTheAssumedGpusAndWarnedAbout() {
    // x9.weird: capacity 2, one GPU seen → 2 GPUs assumed; 10.0 / 2 = 5.0 per GPU, the unseen one
    // unobserved
    double unseen =
        all(hourly, r -> "i-odd".equals(r.getAs("instance_id"))).stream()
            .mapToDouble(r -> r.getAs("unobserved_cost"))
            .sum();
    assertEquals(5.0, unseen, 1e-6);
    String w = only(warnings, s -> s.startsWith(CatalogGaps.UNKNOWN_TYPES));
    assertTrue(w.contains("x9.weird on 1 instance(s): 2 GPUs assumed per instance"), w);
  }

  @Test
  void warningsNameTheUncataloguedGpuFamilyAndTheBillOnlyGpus() {
    String uncounted = only(warnings, s -> s.startsWith(CatalogGaps.UNCOUNTED_TYPES));
    assertTrue(uncounted.contains("p7.48xlarge on 1 instance(s)"), uncounted);
    assertTrue(
        !uncounted.contains("m5.large"), "a CPU type on the bill is not a GPU gap: " + uncounted);
    String billOnly = only(warnings, s -> s.startsWith(CatalogGaps.BILL_ONLY));
    assertTrue(billOnly.contains(BILL_ONLY + ", p5.48xlarge, 8 GPUs, 55.04 USD"), billOnly);
    assertTrue(billOnly.contains("gpu-vm-1, NC24ads A100 v4, 1 GPUs, 3.67 USD"), billOnly);
  }

  private static <T> List<T> all(List<T> rows, Predicate<T> p) {
    return rows.stream().filter(p).toList();
  }

  private static <T> T only(List<T> rows, Predicate<T> p) {
    List<T> found = all(rows, p);
    assertEquals(1, found.size(), found.toString());
    return found.get(0);
  }
}
