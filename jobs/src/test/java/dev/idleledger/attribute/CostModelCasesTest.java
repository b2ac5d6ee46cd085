package dev.idleledger.attribute;

import static dev.idleledger.testing.SilverRows.bill;
import static dev.idleledger.testing.SilverRows.node;
import static dev.idleledger.testing.SilverRows.pod;
import static dev.idleledger.testing.SilverRows.samples;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.rollup.DailyRollup;
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
 * The cost model's harder cases on one small fleet-hour (one Spark run serves every assertion): MIG slices and
 * their unconfigured remainder, GPUs billed but never seen, catalog prices where no bill covers a GPU, an
 * unknown instance type, and the same step-shaped work scraped every 1, 10 and 30 seconds.
 */
class CostModelCasesTest {
  private static final Instant HOUR = Instant.parse("2026-11-02T00:00:00Z");
  private static final double P4D_HOUR = 32.7726;
  private static final double PER_GPU = P4D_HOUR / 8;
  private static final double P5_HOUR = 6.88;
  private static final double L4_ON_DEMAND = 0.8048;
  private static final String A100 = SilverRows.A100_40GB;
  private static List<Row> hourly;
  private static List<Row> instanceHours;
  private static List<Row> workloads;
  private static List<Row> clusters;

  @BeforeAll
  static void attribute() {
    SparkSession spark = TestSpark.session();
    SilverRows f =
        SilverRows.on(LocalDate.of(2026, 11, 2))
            .cluster("c2")
            // A p4d with 7 GPUs of capacity, one of its A100s MIG-partitioned: a 3g.20gb instance
            // held by a notebook, a 2g.10gb nobody holds, 2 slices unconfigured; the other 7 GPUs
            // never report.
            .add(node("mig-node").instance("i-mig").type("p4d.24xlarge").gpus(7))
            .add(bill("i-mig").type("p4d.24xlarge").hour(HOUR).cost(P4D_HOUR))
            .add(pod("research/nb-0").workload("Notebook", "nb").type("notebook").team("research"))
            .add(
                samples("mig-node", "GPU-M")
                    .model(A100)
                    .mig("3g.20gb", "1")
                    .fbTotal(20096)
                    .from(HOUR)
                    .forSeconds(3600)
                    .activity(0.5)
                    .fbUsed(8000)
                    .heldBy("research/nb-0"))
            .add(
                samples("mig-node", "GPU-M")
                    .model(A100)
                    .mig("2g.10gb", "2")
                    .fbTotal(9984)
                    .from(HOUR)
                    .forSeconds(3600))
            // An L4 no bill covers (priced from the catalog), seen half the hour.
            .add(node("l4-node").instance("i-nobill").type("g6.xlarge").gpus(1))
            .add(
                samples("l4-node", "GPU-L4")
                    .model("NVIDIA L4")
                    .fbTotal(23034)
                    .from(HOUR)
                    .forSeconds(1800)
                    .activity(0.2)
                    .fbUsed(4000)
                    .heldBy("serving/web-0"))
            // An instance type neither billed nor in the catalog.
            .add(node("odd-node").instance("i-odd").type("x9.weird").gpus(1))
            .add(
                samples("odd-node", "GPU-X")
                    .model("NVIDIA X")
                    .fbTotal(23034)
                    .from(HOUR)
                    .forSeconds(100)
                    .activity(0.2)
                    .fbUsed(4000)
                    .heldBy("serving/odd-0"));
    // The same job on one-GPU p5.4xlarges scraped every 1, 10 and 30 s: 20 min at 80%, 20 min idle
    // with its model
    // loaded, 20 min free.
    for (int step : new int[] {1, 10, 30}) {
      String node = "step" + step;
      String pod = "ml/job-" + step;
      f.add(node(node).type("p5.4xlarge").gpus(1))
          .add(bill("i-" + node).type("p5.4xlarge").hour(HOUR).cost(P5_HOUR))
          .add(pod(pod).workload("Job", "job-" + step).type("training").team("ml"))
          .add(
              samples(node, "GPU-" + node)
                  .from(HOUR)
                  .forSeconds(1200)
                  .every(step)
                  .activity(0.8)
                  .fbUsed(60000)
                  .heldBy(pod))
          .add(
              samples(node, "GPU-" + node)
                  .from(HOUR.plusSeconds(1200))
                  .forSeconds(1200)
                  .every(step)
                  .activity(0.0)
                  .fbUsed(60000)
                  .heldBy(pod))
          .add(
              samples(node, "GPU-" + node)
                  .from(HOUR.plusSeconds(2400))
                  .forSeconds(1200)
                  .every(step)
                  .activity(0.0)
                  .fbUsed(500));
    }
    CostAttribution.Result r = f.attribute(spark, TestSpark.config());
    Dataset<Row> gpuHourly = r.gpuHourly().cache();
    hourly = gpuHourly.collectAsList();
    instanceHours = r.instanceHours().collectAsList();
    workloads = DailyRollup.workloadDaily(gpuHourly, r.heldSamples()).collectAsList();
    clusters = DailyRollup.clusterDaily(gpuHourly, r.instanceHours()).collectAsList();
  }

  @Test
  void migInstanceCarriesItsSliceShareOfTheGpu() {
    Row nb = only(hourly, r -> "nb-0".equals(r.getAs("pod")));
    assertEquals(PER_GPU * 3 / 7, (double) nb.getAs("cost"), 1e-9);
    assertEquals("3g.20gb", nb.getAs("mig_profile"));
    assertEquals(
        3600.0 * 3 / 7, (double) nb.getAs("state_seconds_active"), 1e-6, "GPU-equivalent seconds");
  }

  @Test
  void unusedAndUnconfiguredSlicesAreUnallocated() {
    Row idleSlice = only(hourly, r -> "2g.10gb".equals(r.getAs("mig_profile")));
    assertEquals(PER_GPU * 2 / 7, (double) idleSlice.getAs("unallocated_cost"), 1e-9);
    Row unconfigured = only(hourly, r -> "unconfigured".equals(r.getAs("mig_profile")));
    assertEquals(
        PER_GPU * 2 / 7,
        (double) unconfigured.getAs("unallocated_cost"),
        1e-9,
        "7 - 3 - 2 = 2 slices nobody configured");
    assertEquals(0.0, (double) unconfigured.getAs("unobserved_cost"), 1e-12);
  }

  @Test
  void gpusBilledButNeverSeenAreUnobservedAndTheInstanceHourIsConserved() {
    double unobserved =
        hourly.stream()
            .filter(r -> "i-mig".equals(r.getAs("instance_id")))
            .mapToDouble(r -> r.getAs("unobserved_cost"))
            .sum();
    assertEquals(PER_GPU * 7, unobserved, 1e-9, "7 of the 8 A100s never reported");
    Row mig = only(instanceHours, r -> "i-mig".equals(r.getAs("instance_id")));
    assertEquals(P4D_HOUR, (double) mig.getAs("gpu_cost"), 1e-9);
    assertEquals(P4D_HOUR, (double) mig.getAs("attributed"), 1e-9);
  }

  @Test
  void gpuWithNoBillIsPricedFromTheCatalogAndSaysSo() {
    Row web = only(hourly, r -> "web-0".equals(r.getAs("pod")));
    assertEquals("catalog", web.getAs("price_source"));
    assertEquals(L4_ON_DEMAND / 3600 * 1800, (double) web.getAs("cost"), 1e-9);
    assertEquals(
        0.0,
        (double) web.getAs("unobserved_cost"),
        1e-12,
        "without a bill there is no billed time to miss");
  }

  @Test
  void gpuWithNeitherBillNorCatalogPriceCostsNothingAndSaysSo() {
    Row odd = only(hourly, r -> "odd-0".equals(r.getAs("pod")));
    assertEquals("none", odd.getAs("price_source"));
    assertEquals(0.0, (double) odd.getAs("cost"), 1e-12);
  }

  @Test
  void scrapeIntervalsOf10And30SecondsCostTheSameAs1Second() {
    Row one = only(workloads, r -> "job-1".equals(r.getAs("workload_name")));
    for (String name : List.of("job-10", "job-30")) {
      Row other = only(workloads, r -> name.equals(r.getAs("workload_name")));
      for (String column :
          List.of(
              "cost", "idle_cost", "idle_memory_held_cost", "unused_capacity_cost", "gpu_hours")) {
        assertEquals(
            (double) one.getAs(column), (double) other.getAs(column), 1e-9, name + " " + column);
      }
    }
    assertEquals(P5_HOUR / 3, (double) one.getAs("idle_cost"), 1e-9);
    assertEquals(P5_HOUR * 2 / 3, (double) one.getAs("cost"), 1e-9);
  }

  @Test
  void idleStreakAndP95ComeFromTheSeconds() {
    for (String name : List.of("job-1", "job-10", "job-30")) {
      Row w = only(workloads, r -> name.equals(r.getAs("workload_name")));
      assertEquals(1200.0, (double) w.getAs("longest_idle_streak_seconds"), 1e-9, name);
      assertEquals(0.8, (double) w.getAs("p95_activity"), 1e-9, name);
      assertEquals(0.8 * 0.5, (double) w.getAs("avg_activity"), 1e-9, name);
    }
  }

  @Test
  void clusterDayReconcilesToTheBillPlusCatalogPricedTime() {
    Row c = only(clusters, r -> "c2".equals(r.getAs("cluster")));
    double expected = P4D_HOUR + 3 * P5_HOUR + L4_ON_DEMAND / 2;
    assertEquals(expected, (double) c.getAs("gpu_cost"), 1e-9);
    assertEquals(0.0, (double) c.getAs("reconciliation_delta"), 1e-9);
    assertEquals(
        (double) c.getAs("idle_cost") + (double) c.getAs("unallocated_cost"),
        (double) c.getAs("waste_cost"),
        1e-12);
    assertTrue((double) c.getAs("unobserved_gpu_hours") > 6.99, "7 unseen A100s for an hour");
  }

  private static Row only(List<Row> rows, Predicate<Row> p) {
    List<Row> found = rows.stream().filter(p).toList();
    assertEquals(1, found.size(), found.toString());
    return found.get(0);
  }
}
