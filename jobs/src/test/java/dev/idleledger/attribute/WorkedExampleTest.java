package dev.idleledger.attribute;

import static dev.idleledger.testing.SilverRows.bill;
import static dev.idleledger.testing.SilverRows.node;
import static dev.idleledger.testing.SilverRows.pod;
import static dev.idleledger.testing.SilverRows.samples;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idleledger.testing.SilverRows;
import dev.idleledger.testing.TestSpark;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.function.Predicate;
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
    // One p4d.24xlarge hour: GPU 0 trains 20 min, idles 20 min with the model loaded, then 10 min
    // free and 10 min unseen; GPU 1 is time-sliced by chat-api's two pods all hour at 30%; GPUs 2-7
    // are free all hour.
    SilverRows f =
        SilverRows.on(LocalDate.of(2026, 11, 1))
            .add(node("node-a").instance("i-0a1b2c3d4e5f60718").type("p4d.24xlarge").gpus(8))
            .add(bill("i-0a1b2c3d4e5f60718").type("p4d.24xlarge").hour(HOUR).cost(NODE_COST))
            .add(
                pod("ml-train/train-7f9c")
                    .workload("CronJob", "nightly-train")
                    .type("training")
                    .team("ml"))
            .add(
                pod("serving/chat-api-1")
                    .workload("Deployment", "chat-api")
                    .type("inference")
                    .team("web"))
            .add(
                pod("serving/chat-api-2")
                    .workload("Deployment", "chat-api")
                    .type("inference")
                    .team("web"))
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
    CostAttribution.Result result = f.attribute(spark, TestSpark.config());
    rows = result.gpuHourly().collectAsList();
    instanceHour = result.instanceHours().collectAsList().get(0);
  }

  /** Per-second samples of one of node-a's A100 40GB GPUs. */
  private static SilverRows.Samples a100(String uuid) {
    return samples("node-a", uuid).model(SilverRows.A100_40GB).fbTotal(40960);
  }

  @Test
  void gpuZeroSplitsIntoActiveIdleMemoryHeldUnallocatedAndUnobserved() {
    assertEquals(0.955867, sum("GPU-0", "active_cost"), 5e-7);
    assertEquals(0.955867, sum("GPU-0", "idle_cost"), 5e-7);
    assertEquals(
        0.955867,
        sum("GPU-0", "idle_memory_held_cost"),
        5e-7,
        "all of GPU 0's idle time had the model loaded");
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
    assertEquals(
        0.46,
        1 - (double) train.getAs("unused_capacity_cost") / (double) train.getAs("cost"),
        5e-7);
    assertEquals(1200.0, (double) train.getAs("state_seconds_active"), 1e-9);
    assertEquals(1200.0, (double) train.getAs("state_seconds_idle_memory_held"), 1e-9);
  }

  @Test
  void timeSlicedPodsShareTheirGpuEvenly() {
    for (String pod : List.of("chat-api-1", "chat-api-2")) {
      Row r = only(x -> pod.equals(x.getAs("pod")));
      assertEquals(1.433800, (double) r.getAs("cost"), 5e-7, pod);
      assertEquals(1.003660, (double) r.getAs("unused_capacity_cost"), 5e-7, pod);
      assertEquals(
          1800.0,
          (double) r.getAs("state_seconds_active"),
          1e-9,
          "half of each second is each pod's");
    }
  }

  @Test
  void instanceHourIsConservedAndWasteAddsUp() {
    double allocated =
        rows.stream().filter(r -> r.getAs("pod") != null).mapToDouble(r -> r.getAs("cost")).sum();
    double unallocated = rows.stream().mapToDouble(r -> r.getAs("unallocated_cost")).sum();
    double unobserved = rows.stream().mapToDouble(r -> r.getAs("unobserved_cost")).sum();
    double idle = rows.stream().mapToDouble(r -> r.getAs("idle_cost")).sum();
    assertEquals(4.779333, allocated, 5e-7);
    assertEquals(17.683533, unallocated, 5e-7);
    assertEquals(0.477933, unobserved, 5e-7);
    assertEquals(NODE_COST, allocated + unallocated + unobserved, 1e-9);
    assertEquals(18.639400, idle + unallocated, 5e-7);
    assertEquals(
        17.205600,
        rows.stream()
            .filter(r -> !List.of("GPU-0", "GPU-1").contains(r.<String>getAs("gpu_uuid")))
            .mapToDouble(r -> r.getAs("unallocated_cost"))
            .sum(),
        5e-7);
    assertEquals(NODE_COST, (double) instanceHour.getAs("gpu_cost"), 1e-9);
    assertEquals(NODE_COST, (double) instanceHour.getAs("attributed"), 1e-9);
    assertEquals("bill", instanceHour.getAs("price_source"));
  }

  @Test
  void everyRowOfTheExampleHourKeepsItsUnitsRate() {
    // r = 22.9408 / 8 / 3600 = 0.000796555... on each of the hour's rows: GPU 0's holder, nobody
    // and unobserved rows, and each chat-api pod's row (which pays r / 2 per second: 3600 x r / 2 =
    // 1.433800).
    assertEquals(
        10, rows.size(), "GPU 0: train-7f9c and nobody; GPU 1: two pods; GPUs 2-7: nobody");
    for (Row r : rows) {
      assertEquals(R, (double) r.getAs(GpuHourlyTable.RATE_PER_SECOND), 1e-15, r.toString());
    }
  }

  private static double sum(String uuid, String column) {
    return rows.stream()
        .filter(r -> uuid.equals(r.getAs("gpu_uuid")))
        .mapToDouble(r -> r.getAs(column))
        .sum();
  }

  private static Row only(Predicate<Row> p) {
    List<Row> found = rows.stream().filter(p).toList();
    assertEquals(1, found.size(), found.toString());
    return found.get(0);
  }
}
