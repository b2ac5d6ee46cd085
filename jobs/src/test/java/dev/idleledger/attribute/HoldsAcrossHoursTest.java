package dev.idleledger.attribute;

import static dev.idleledger.testing.SilverRows.bill;
import static dev.idleledger.testing.SilverRows.node;
import static dev.idleledger.testing.SilverRows.pod;
import static dev.idleledger.testing.SilverRows.samples;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.rollup.DailyRollup;
import dev.idleledger.testing.SilverRows;
import dev.idleledger.testing.TestSpark;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * COST_MODEL.md §2 "a hold counts in the hours it covers", on real scrape patterns (one Spark run serves every
 * assertion). Each node is a one-GPU p5.4xlarge (or an 8-GPU p4d with a MIG GPU) billed a different price in hours
 * 10 and 11, so money that moved between hours would show. Silver rows are as ingest writes them: the hold cut at
 * midnight, its part past the hour in hold_seconds_next_hour (the ingest side is pinned in GpuSampleTransformTest).
 */
class HoldsAcrossHoursTest {
  private static final LocalDate DAY = LocalDate.of(2026, 11, 3);
  private static final Instant H10 = Instant.parse("2026-11-03T10:00:00Z");
  private static final Instant H11 = Instant.parse("2026-11-03T11:00:00Z");
  private static final Instant H23 = Instant.parse("2026-11-03T23:00:00Z");
  private static final String A100 = SilverRows.A100_40GB;

  /** Bills: 7.20 in hour 10 and 3.60 in hour 11, so r = 0.002 and 0.001 per second of a whole GPU billed 3600 s. */
  private static final double COST_10 = 7.2;

  private static final double COST_11 = 3.6;
  private static final double EPS = 1e-9;

  private static List<Row> hourly;
  private static List<Row> instanceHours;
  private static List<Row> workloads;

  @BeforeAll
  static void attribute() {
    SparkSession spark = TestSpark.session();
    SilverRows f = SilverRows.on(DAY).cluster("c13");

    // A: 15 s scrapes at phase 7 s, 10:00:07 ... 11:59:37. Active through the 10:59:52 sample, idle
    // (memory-held) after.
    f.add(node("a"))
        .add(bill("i-a").hour(H10).cost(COST_10))
        .add(bill("i-a").hour(H11).cost(COST_11))
        .add(pod("ml/scrape-15").workload("Job", "scrape-15").type("training").team("ml"))
        .add(
            samples("a", "GPU-A")
                .from(H10.plusSeconds(7))
                .forSeconds(3600)
                .every(15)
                .activity(0.9)
                .fbUsed(60000)
                .heldBy("ml/scrape-15"))
        .add(
            samples("a", "GPU-A")
                .from(H11.plusSeconds(7))
                .forSeconds(3585)
                .every(15)
                .activity(0.0)
                .fbUsed(60000)
                .heldBy("ml/scrape-15"));

    // B: 30 s scrapes at phase 10 s in hour 23, 23:00:10 ... 23:59:40: the last would hold to
    // 00:00:10, cut at 24:00.
    f.add(node("b").billed(bill().hour(H23).cost(COST_11)))
        .add(pod("ml/late-job").workload("Job", "late-job").type("training").team("ml"))
        .add(
            samples("b", "GPU-B")
                .from(H23.plusSeconds(10))
                .forSeconds(3600)
                .every(30)
                .activity(0.0)
                .fbUsed(100)
                .heldBy("ml/late-job"));

    // C: 1 s samples with a 5 s gap across 11:00: the 10:59:57 sample holds until 11:00:02.
    f.add(node("c").billed(bill().hour(H10).forHours(2).cost(COST_11)))
        .add(pod("ml/gap-job").workload("Job", "gap-job").type("training").team("ml"))
        .add(
            samples("c", "GPU-C")
                .from(H10)
                .forSeconds(3597)
                .activity(0.5)
                .fbUsed(60000)
                .heldBy("ml/gap-job"))
        .add(
            samples("c", "GPU-C")
                .at(H10.plusSeconds(3597))
                .holding(5)
                .activity(0.5)
                .fbUsed(60000)
                .heldBy("ml/gap-job"))
        .add(
            samples("c", "GPU-C")
                .from(H11.plusSeconds(2))
                .forSeconds(3598)
                .activity(0.5)
                .fbUsed(60000)
                .heldBy("ml/gap-job"));

    // D: a time-sliced GPU, two pods on every sample, scraped as A.
    f.add(node("d"))
        .add(bill("i-d").hour(H10).cost(COST_10))
        .add(bill("i-d").hour(H11).cost(COST_11))
        .add(pod("serving/chat-0").workload("Deployment", "chat").type("inference").team("serving"))
        .add(pod("serving/chat-1").workload("Deployment", "chat").type("inference").team("serving"))
        .add(
            samples("d", "GPU-D")
                .from(H10.plusSeconds(7))
                .forSeconds(7185)
                .every(15)
                .activity(0.3)
                .fbUsed(60000)
                .heldBy("serving/chat-0", "serving/chat-1"));

    // E: p4d, GPU 7 MIG-partitioned with one 3g.20gb instance (4 of 7 slices unconfigured), scraped
    // as A; the other 7 GPUs never report. Billed 8 x 3.60 in hour 10 and 8 x 7.20 in hour 11.
    f.add(node("e").type("p4d.24xlarge").gpus(7))
        .add(bill("i-e").type("p4d.24xlarge").hour(H10).cost(8 * COST_11))
        .add(bill("i-e").type("p4d.24xlarge").hour(H11).cost(8 * COST_10))
        .add(pod("research/nb-e").workload("Notebook", "nb-e").type("notebook").team("research"))
        .add(
            samples("e", "GPU-E")
                .model(A100)
                .mig("3g.20gb", "1")
                .fbTotal(20096)
                .from(H10.plusSeconds(7))
                .forSeconds(7185)
                .every(15)
                .activity(0.4)
                .fbUsed(10000)
                .heldBy("research/nb-e"));

    CostAttribution.Result r = f.attribute(spark, TestSpark.config());
    Dataset<Row> gpuHourly = r.gpuHourly().cache();
    hourly = gpuHourly.collectAsList();
    instanceHours = r.instanceHours().collectAsList();
    workloads = DailyRollup.workloadDaily(gpuHourly, r.heldSamples()).collectAsList();
    gpuHourly.unpersist();
  }

  @Test
  void holdAcrossHourIsSplitAtTheBoundary() {
    // The 10:59:52 sample holds [10:59:52, 11:00:07): 8 s of hour 10, 7 s of hour 11, both active
    // (a = 0.9). Hour 10, r = 7.20 / 3600 = 0.002: observed 10:00:07-11:00:00 = 3593 s active ->
    // 7.186; 10:00:00-10:00:07 unobserved -> 0.014.
    Row h10 = row("GPU-A", "scrape-15", H10);
    assertEquals(3593, (double) h10.getAs("state_seconds_active"), EPS);
    assertEquals(3593 * 0.002, (double) h10.getAs("active_cost"), EPS);
    assertEquals(7 * 0.002, (double) row("GPU-A", null, H10).getAs("unobserved_cost"), EPS);
    // Hour 11, r = 3.60 / 3600 = 0.001: active 7 s (the carried-over hold), idle memory-held
    // 11:00:07-11:59:52 = 3585 s,
    // unobserved 11:59:52-12:00:00 = 8 s.
    Row h11 = row("GPU-A", "scrape-15", H11);
    assertEquals(7, (double) h11.getAs("state_seconds_active"), EPS);
    assertEquals(3585, (double) h11.getAs("state_seconds_idle_memory_held"), EPS);
    assertEquals(7 * 0.001, (double) h11.getAs("active_cost"), EPS);
    assertEquals(3585 * 0.001, (double) h11.getAs("idle_memory_held_cost"), EPS);
    assertEquals(8 * 0.001, (double) row("GPU-A", null, H11).getAs("unobserved_cost"), EPS);
    // Unused capacity = sum r x (1 - a): hour 10 7.186 x 0.1; hour 11 0.007 x 0.1 + 3.585 x 1.
    assertEquals(3593 * 0.002 * 0.1, (double) h10.getAs("unused_capacity_cost"), EPS);
    assertEquals(7 * 0.001 * 0.1 + 3.585, (double) h11.getAs("unused_capacity_cost"), EPS);
    // The idle streak is the 239 idle samples of hour 11 (11:00:07-11:59:52), whichever hour the
    // parts of a hold fall in.
    assertEquals(3585, (double) workload("scrape-15").getAs("longest_idle_streak_seconds"), EPS);
    assertConserved("i-a");
  }

  @Test
  void lastHoldOfTheDayIsCutAtMidnight() {
    // Hour 23: observed 23:00:10-24:00:00 = 3590 s idle (the last sample holds 20 s, not 30),
    // unobserved 10 s; r = 0.001.
    Row late = row("GPU-B", "late-job", H23);
    assertEquals(3590, (double) late.getAs("state_seconds_idle"), EPS);
    assertEquals(3.59, (double) late.getAs("idle_cost"), EPS);
    assertEquals(0.01, (double) row("GPU-B", null, H23).getAs("unobserved_cost"), EPS);
    assertFalse(
        hourly.stream()
            .anyMatch(
                r ->
                    "GPU-B".equals(r.getAs("unit_id"))
                        && !H23.equals(((Timestamp) r.getAs("hour")).toInstant())),
        "nothing of the next date is counted");
    assertEquals(3590.0 / 3600, (double) workload("late-job").getAs("gpu_hours"), EPS);
    assertConserved("i-b");
  }

  @Test
  void gapAcrossAnHourIsObservedInBothHours() {
    // [10:59:57, 11:00:02): 3 s of hour 10 and 2 s of hour 11, so both hours are fully observed:
    // 3600 s x 0.001 = 3.60 each, nothing unobserved (counting the hold in hour 10 alone gave it
    // 3602 s and left hour 11 2 s short).
    for (Instant hour : List.of(H10, H11)) {
      Row g = row("GPU-C", "gap-job", hour);
      assertEquals(3600, (double) g.getAs("state_seconds_active"), EPS, hour.toString());
      assertEquals(COST_11, (double) g.getAs("cost"), EPS, hour.toString());
    }
    assertTrue(
        hourly.stream()
            .noneMatch(
                r ->
                    "GPU-C".equals(r.getAs("unit_id")) && (double) r.getAs("unobserved_cost") > 0));
    assertConserved("i-c");
  }

  @Test
  void sharedGpuSplitsEachHoursPartAmongItsHolders() {
    // Each of 2 pods gets r / 2 per second: hour 10 3593 s x 0.002 / 2 = 3.593; hour 11
    // (11:00:00-11:59:52) 3592 s x 0.001 / 2 = 1.796.
    for (String pod : List.of("chat-0", "chat-1")) {
      assertEquals(3593 * 0.002 / 2, (double) row("GPU-D", pod, H10).getAs("cost"), EPS, pod);
      assertEquals(
          3593.0 / 2, (double) row("GPU-D", pod, H10).getAs("state_seconds_active"), EPS, pod);
      assertEquals(3592 * 0.001 / 2, (double) row("GPU-D", pod, H11).getAs("cost"), EPS, pod);
      // unused capacity r x (1 - 0.3) over each pod's share of the seconds
      assertEquals(
          3592 * 0.001 / 2 * 0.7,
          (double) row("GPU-D", pod, H11).getAs("unused_capacity_cost"),
          EPS,
          pod);
    }
    assertEquals(7 * 0.002, (double) row("GPU-D", null, H10).getAs("unobserved_cost"), EPS);
    assertEquals(8 * 0.001, (double) row("GPU-D", null, H11).getAs("unobserved_cost"), EPS);
    assertEquals(3593 * 0.002 + 3592 * 0.001, (double) workload("chat").getAs("cost"), EPS);
    assertConserved("i-d");
  }

  @Test
  void migSliceAndItsUnconfiguredRemainderSplitAtTheBoundary() {
    // Per GPU: 3.60 in hour 10, 7.20 in hour 11. The 3g.20gb instance (3/7) is held and active:
    // hour 10 observed 3593 s at r = 3.60 x 3/7 / 3600, hour 11 3592 s at r = 7.20 x 3/7 / 3600;
    // the unconfigured 4/7 is unallocated for the same seconds.
    double r10 = COST_11 * 3 / 7 / 3600;
    double r11 = COST_10 * 3 / 7 / 3600;
    assertEquals(3593 * r10, (double) row("GPU-E/1", "nb-e", H10).getAs("active_cost"), EPS);
    assertEquals(
        3593 * 3.0 / 7,
        (double) row("GPU-E/1", "nb-e", H10).getAs("state_seconds_active"),
        EPS,
        "GPU-equivalent seconds");
    assertEquals(3592 * r11, (double) row("GPU-E/1", "nb-e", H11).getAs("active_cost"), EPS);
    assertEquals(7 * r10, (double) row("GPU-E/1", null, H10).getAs("unobserved_cost"), EPS);
    assertEquals(8 * r11, (double) row("GPU-E/1", null, H11).getAs("unobserved_cost"), EPS);
    Row free10 = row("GPU-E/unconfigured", null, H10);
    assertEquals(3593 * COST_11 * 4 / 7 / 3600, (double) free10.getAs("unallocated_cost"), EPS);
    assertEquals(7 * COST_11 * 4 / 7 / 3600, (double) free10.getAs("unobserved_cost"), EPS);
    Row free11 = row("GPU-E/unconfigured", null, H11);
    assertEquals(3592 * COST_10 * 4 / 7 / 3600, (double) free11.getAs("unallocated_cost"), EPS);
    assertEquals(8 * COST_10 * 4 / 7 / 3600, (double) free11.getAs("unobserved_cost"), EPS);
    assertConserved("i-e");
  }

  /** allocated + unallocated + unobserved = node_cost x share (whole-node: 1) in every billed hour of the instance. */
  private static void assertConserved(String instance) {
    List<Row> hours =
        instanceHours.stream().filter(r -> instance.equals(r.getAs("instance_id"))).toList();
    assertFalse(hours.isEmpty(), instance);
    for (Row h : hours) {
      Instant hour = ((Timestamp) h.getAs("hour")).toInstant();
      double rows =
          hourly.stream()
              .filter(
                  r ->
                      instance.equals(r.getAs("instance_id"))
                          && hour.equals(((Timestamp) r.getAs("hour")).toInstant()))
              .mapToDouble(
                  r ->
                      (double) r.getAs("active_cost")
                          + (double) r.getAs("idle_cost")
                          + (double) r.getAs("unallocated_cost")
                          + (double) r.getAs("unobserved_cost"))
              .sum();
      assertEquals((double) h.getAs("gpu_cost"), rows, EPS, instance + " " + hour);
      assertEquals(
          (double) h.getAs("gpu_cost"), (double) h.getAs("attributed"), EPS, instance + " " + hour);
    }
  }

  private static Row row(String unit, String pod, Instant hour) {
    return only(
        hourly,
        r ->
            r.getAs("unit_id").toString().endsWith(unit)
                && Objects.equals(pod, r.getAs("pod"))
                && hour.equals(((Timestamp) r.getAs("hour")).toInstant()));
  }

  private static Row workload(String name) {
    return only(workloads, r -> name.equals(r.getAs("workload_name")));
  }

  private static Row only(List<Row> rows, Predicate<Row> p) {
    List<Row> found = rows.stream().filter(p).toList();
    assertEquals(1, found.size(), found.toString());
    return found.get(0);
  }
}
