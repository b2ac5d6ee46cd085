package dev.idleledger.attribute;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idleledger.config.InstanceCatalog;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.testing.TestSpark;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** COST_MODEL.md §4, the worked example, to 6 decimals. */
class WorkedExampleTest {
  private static final double NODE_COST = 22.9408;
  /** r = node_cost / 8 GPUs / 3600 s */
  private static final double R = NODE_COST / 8 / 3600;
  private static final Instant HOUR = Instant.parse("2026-11-01T10:00:00Z");
  private static List<Row> rows;
  private static Row instanceHour;

  @BeforeAll
  static void attributeTheExampleHour() {
    SparkSession spark = TestSpark.session();
    String a100 = "NVIDIA A100-SXM4-40GB";
    SilverFixtures f = new SilverFixtures(LocalDate.of(2026, 11, 1), "c1")
        .node("node-a", "i-0a1b2c3d4e5f60718", "p4d.24xlarge", 8)
        .bill("i-0a1b2c3d4e5f60718", "p4d.24xlarge", HOUR, NODE_COST, 1.0)
        .pod("ml-train", "train-7f9c", "CronJob", "nightly-train", "training", "ml")
        .pod("serving", "chat-api-1", "Deployment", "chat-api", "inference", "web")
        .pod("serving", "chat-api-2", "Deployment", "chat-api", "inference", "web");
    SilverFixtures.Holder train = new SilverFixtures.Holder("ml-train", "train-7f9c");
    f.samples("node-a", "GPU-0", a100, null, null, HOUR, 1200, 1, 0.92, 30000, 40960, train);
    f.samples("node-a", "GPU-0", a100, null, null, HOUR.plusSeconds(1200), 1200, 1, 0.0, 30000, 40960, train);
    f.samples("node-a", "GPU-0", a100, null, null, HOUR.plusSeconds(2400), 600, 1, 0.0, 500, 40960);
    f.samples("node-a", "GPU-1", a100, null, null, HOUR, 3600, 1, 0.30, 20000, 40960,
        new SilverFixtures.Holder("serving", "chat-api-1"), new SilverFixtures.Holder("serving", "chat-api-2"));
    for (int g = 2; g < 8; g++) {
      f.samples("node-a", "GPU-" + g, a100, null, null, HOUR, 3600, 1, 0.0, 0, 40960);
    }
    LedgerConfig config = TestSpark.config();
    CostAttribution.Result result = new CostAttribution(spark, new CostAttribution.Settings(f.date, config.idleActivityThreshold,
        config.memoryHeldThreshold, config.gpuShare, InstanceCatalog.load(config), config.classifier))
        .attribute(f.samples(spark), f.nodes(spark), f.bills(spark), f.pods(spark));
    rows = result.gpuHourly().collectAsList();
    instanceHour = result.instanceHours().collectAsList().get(0);
  }

  @Test
  void gpuZeroSplitsIntoActiveIdleMemoryHeldUnallocatedAndUnobserved() {
    assertEquals(0.955867, sum("GPU-0", "active_cost"), 5e-7);
    assertEquals(0.955867, sum("GPU-0", "idle_cost"), 5e-7);
    assertEquals(0.955867, sum("GPU-0", "idle_memory_held_cost"), 5e-7, "all of GPU 0's idle time had the model loaded");
    assertEquals(0.477933, sum("GPU-0", "unallocated_cost"), 5e-7);
    assertEquals(0.477933, sum("GPU-0", "unobserved_cost"), 5e-7);
    assertEquals(R * 1200, sum("GPU-0", "active_cost"), 1e-9);
  }

  @Test
  void cronJobCarriesItsCostAndUnusedCapacity() {
    Row train = only(r -> "train-7f9c".equals(r.getAs("pod")));
    assertEquals("CronJob", train.getAs("workload_kind"));
    assertEquals("nightly-train", train.getAs("workload_name"));
    assertEquals(1.911733, (double) train.getAs("cost"), 5e-7);
    assertEquals(1.032336, (double) train.getAs("unused_capacity_cost"), 5e-7);
    assertEquals(0.46, 1 - (double) train.getAs("unused_capacity_cost") / (double) train.getAs("cost"), 5e-7);
    assertEquals(1200.0, (double) train.getAs("state_seconds_active"), 1e-9);
    assertEquals(1200.0, (double) train.getAs("state_seconds_idle_memory_held"), 1e-9);
  }

  @Test
  void timeSlicedPodsShareTheirGpuEvenly() {
    for (String pod : List.of("chat-api-1", "chat-api-2")) {
      Row r = only(x -> pod.equals(x.getAs("pod")));
      assertEquals(1.433800, (double) r.getAs("cost"), 5e-7, pod);
      assertEquals(1.003660, (double) r.getAs("unused_capacity_cost"), 5e-7, pod);
      assertEquals(1800.0, (double) r.getAs("state_seconds_active"), 1e-9, "half of each second is each pod's");
    }
  }

  @Test
  void instanceHourIsConservedAndWasteAddsUp() {
    double allocated = rows.stream().filter(r -> r.getAs("pod") != null).mapToDouble(r -> r.getAs("cost")).sum();
    double unallocated = rows.stream().mapToDouble(r -> r.getAs("unallocated_cost")).sum();
    double unobserved = rows.stream().mapToDouble(r -> r.getAs("unobserved_cost")).sum();
    double idle = rows.stream().mapToDouble(r -> r.getAs("idle_cost")).sum();
    assertEquals(4.779333, allocated, 5e-7);
    assertEquals(17.683533, unallocated, 5e-7);
    assertEquals(0.477933, unobserved, 5e-7);
    assertEquals(NODE_COST, allocated + unallocated + unobserved, 1e-9);
    assertEquals(18.639400, idle + unallocated, 5e-7);
    assertEquals(17.205600, rows.stream().filter(r -> !List.of("GPU-0", "GPU-1").contains(r.<String>getAs("gpu_uuid")))
        .mapToDouble(r -> r.getAs("unallocated_cost")).sum(), 5e-7);
    assertEquals(NODE_COST, (double) instanceHour.getAs("gpu_cost"), 1e-9);
    assertEquals(NODE_COST, (double) instanceHour.getAs("attributed"), 1e-9);
    assertEquals("bill", instanceHour.getAs("price_source"));
  }

  @Test
  void everyRowOfTheExampleHourKeepsItsUnitsRate() {
    // r = 22.9408 / 8 / 3600 = 0.000796555... on each of the hour's rows: GPU 0's holder, nobody and unobserved rows,
    // and each chat-api pod's row (which pays r / 2 per second: 3600 x r / 2 = 1.433800).
    assertEquals(10, rows.size(), "GPU 0: train-7f9c and nobody; GPU 1: two pods; GPUs 2-7: nobody");
    for (Row r : rows) {
      assertEquals(R, (double) r.getAs(GpuHourlyTable.RATE_PER_SECOND), 1e-15, r.toString());
    }
  }

  private static double sum(String uuid, String column) {
    return rows.stream().filter(r -> uuid.equals(r.getAs("gpu_uuid"))).mapToDouble(r -> r.getAs(column)).sum();
  }

  private static Row only(java.util.function.Predicate<Row> p) {
    List<Row> found = rows.stream().filter(p).toList();
    assertEquals(1, found.size(), found.toString());
    return found.get(0);
  }
}
