package dev.idleledger.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

/**
 * The generator's truth against the bill it wrote and against figures worked out by hand from the pool
 * pattern (FleetPlan) and the instance catalog prices.
 */
class GroundTruthTest {
  private static final double EPS = 1e-9;
  private static final Set<String> INSTANCE_LINE_TYPES =
      Set.of("Usage", "DiscountedUsage", "SavingsPlanCoveredUsage");

  private static Path fleet() {
    return GeneratedFleets.fleet(TelemetryFormat.CSV);
  }

  private static List<CSVRecord> truth(String name) throws Exception {
    return GeneratedFleets.csv(fleet().resolve("truth").resolve(name));
  }

  private static double d(CSVRecord r, String column) {
    return Double.parseDouble(r.get(column));
  }

  /** node_cost per "instance@hour" recomputed from the CUR file by COST_MODEL.md §1. */
  private static Map<String, Double> curNodeCost() throws Exception {
    Map<String, Double> cost = new TreeMap<>();
    for (Path f : GeneratedFleets.files(fleet().resolve("billing/cur"), ".csv")) {
      for (CSVRecord r : GeneratedFleets.csv(f)) {
        String usage = r.get("line_item_usage_type");
        String type = r.get("line_item_line_item_type");
        if (!r.get("line_item_product_code").equals("AmazonEC2")
            || !INSTANCE_LINE_TYPES.contains(type)
            || !(usage.contains("BoxUsage") || usage.contains("SpotUsage"))) {
          continue;
        }
        double amortized =
            switch (type) {
              case "Usage" -> d(r, "line_item_unblended_cost");
              case "DiscountedUsage" -> d(r, "reservation_effective_cost");
              default -> d(r, "savings_plan_savings_plan_effective_cost");
            };
        assertEquals(1.0, d(r, "line_item_usage_amount"));
        cost.merge(
            r.get("line_item_resource_id")
                + "@"
                + Instant.parse(r.get("line_item_usage_start_date")),
            amortized,
            Double::sum);
      }
    }
    return cost;
  }

  @Test
  void truthConservesMoneyPerInstanceHour() throws Exception {
    Map<String, Double> bill = curNodeCost();
    List<CSVRecord> hours = truth("instance_hourly.csv");
    assertEquals(6 * 24, hours.size());
    assertEquals(bill.size(), hours.size(), "every billed instance-hour has a truth row");
    double gpuCost = 0;
    for (CSVRecord h : hours) {
      String key = h.get("instance_id") + "@" + Instant.parse(h.get("hour"));
      assertEquals(bill.get(key), d(h, "node_cost"), EPS, key);
      assertEquals(3600, d(h, "billed_seconds"), EPS);
      assertEquals(
          d(h, "node_cost"),
          d(h, "allocated_cost") + d(h, "unallocated_cost") + d(h, "unobserved_cost"),
          1e-9,
          key);
      gpuCost += d(h, "node_cost");
    }
    CSVRecord cluster = truth("cluster_daily.csv").get(0);
    assertEquals(gpuCost, d(cluster, "gpu_cost"), 1e-6);
    assertEquals(
        d(cluster, "gpu_cost"),
        d(cluster, "allocated_cost")
            + d(cluster, "unallocated_cost")
            + d(cluster, "unobserved_cost"),
        1e-6);
    assertEquals(
        d(cluster, "idle_cost") + d(cluster, "unallocated_cost"), d(cluster, "waste_cost"), 1e-9);
    assertEquals(
        23 * 24,
        d(cluster, "billed_gpu_hours"),
        1e-6,
        "GPU-equivalent: MIG slices add up to their GPU");
    assertEquals(
        d(cluster, "billed_gpu_hours"),
        d(cluster, "allocated_gpu_hours")
            + d(cluster, "unallocated_gpu_hours")
            + d(cluster, "unobserved_gpu_hours"),
        1e-6);
    double workloadCost = 0;
    double workloadUnused = 0;
    double workloadHours = 0;
    for (CSVRecord w : truth("workload_daily.csv")) {
      workloadCost += d(w, "cost");
      workloadUnused += d(w, "unused_capacity_cost");
      workloadHours += d(w, "gpu_hours");
      assertEquals(
          d(w, "cost"), d(w, "active_cost") + d(w, "idle_cost"), 1e-9, w.get("workload_name"));
      assertTrue(d(w, "idle_memory_held_cost") <= d(w, "idle_cost") + EPS);
      assertTrue(
          d(w, "unused_capacity_cost") <= d(w, "cost") + EPS
              && d(w, "unused_capacity_cost") >= d(w, "idle_cost") - 1e-3);
    }
    assertEquals(d(cluster, "allocated_cost"), workloadCost, 1e-6);
    assertEquals(d(cluster, "unused_capacity_cost"), workloadUnused, 1e-6);
    assertEquals(d(cluster, "allocated_gpu_hours"), workloadHours, 1e-6);
  }

  @Test
  void curAndFocusCarryTheSameGpuMoney() throws Exception {
    Map<String, Double> focus = new TreeMap<>();
    for (Path f : GeneratedFleets.files(fleet().resolve("billing/focus"), ".csv")) {
      for (CSVRecord r : GeneratedFleets.csv(f)) {
        String resource = r.get("ResourceId");
        String unit = r.get("ConsumedUnit").toLowerCase();
        if (r.get("ChargeCategory").equals("Usage")
            && Set.of("hours", "hrs", "hour").contains(unit)) {
          String instance = resource.substring(resource.lastIndexOf('/') + 1);
          assertTrue(instance.startsWith("i-"), resource);
          focus.merge(
              instance + "@" + Instant.parse(r.get("ChargePeriodStart")),
              d(r, "EffectiveCost"),
              Double::sum);
        }
      }
    }
    Map<String, Double> cur = curNodeCost();
    assertEquals(cur.keySet(), focus.keySet());
    cur.forEach((k, v) -> assertEquals(v, focus.get(k), EPS, k));
  }

  @Test
  void billMixesCommitmentsSpotAndLinesThatAreNotGpuTime() throws Exception {
    Set<String> lineTypes = new TreeSet<>();
    Set<String> usageKinds = new TreeSet<>();
    for (Path f : GeneratedFleets.files(fleet().resolve("billing/cur"), ".csv")) {
      for (CSVRecord r : GeneratedFleets.csv(f)) {
        lineTypes.add(r.get("line_item_line_item_type"));
        String u = r.get("line_item_usage_type");
        usageKinds.add(
            u.contains(":")
                ? u.substring(u.indexOf('-') + 1, u.indexOf(':'))
                : u.replaceFirst("^USE1-", ""));
      }
    }
    assertEquals(
        Set.of(
            "DiscountedUsage",
            "RIFee",
            "SavingsPlanCoveredUsage",
            "SavingsPlanNegation",
            "Tax",
            "Usage"),
        lineTypes);
    assertTrue(
        usageKinds.containsAll(
            List.of("BoxUsage", "SpotUsage", "EBS", "HeavyUsage", "DataTransfer-Out-Bytes")),
        usageKinds.toString());
  }

  private static CSVRecord hour(String instanceType, String hour, int occurrence) throws Exception {
    return truth("instance_hourly.csv").stream()
        .filter(r -> r.get("instance_type").equals(instanceType) && r.get("hour").equals(hour))
        .toList()
        .get(occurrence);
  }

  private static CSVRecord workload(String name) throws Exception {
    return truth("workload_daily.csv").stream()
        .filter(r -> r.get("workload_name").equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void hourBilledWithNoTelemetryIsAllUnobserved() throws Exception {
    // Slot 4 (the second g6.xlarge, on demand at the catalog's 0.8048/h) reports nothing from 02:00
    // to 03:00.
    CSVRecord h = hour("g6.xlarge", "2026-11-01T02:00:00Z", 1);
    assertEquals(0.8048, d(h, "unobserved_cost"), EPS);
    assertEquals(0, d(h, "allocated_cost") + d(h, "unallocated_cost"), EPS);
  }

  @Test
  void telemetryGapLeavesOneSampleIntervalUnobserved() throws Exception {
    // p4d on a Savings Plan: 32.7726 × 0.70 = 22.9408/h. The 15 s outage at 01:20 drops the
    // 01:20:00 sample of the 30 s grid; the 01:19:30 sample then holds one median interval, so 30 s
    // of the hour are unobserved on all 8 GPUs.
    CSVRecord h = hour("p4d.24xlarge", "2026-11-01T01:00:00Z", 0);
    assertEquals(22.9408, d(h, "node_cost"), EPS);
    assertEquals(22.9408 * 30 / 3600, d(h, "unobserved_cost"), 1e-9);
  }

  @Test
  void workloadCostsMatchAHandComputation() throws Exception {
    // ocr: one replica on the g5.xlarge (1.006/h on demand) all day, no gaps.
    CSVRecord ocr = workload("ocr");
    assertEquals(24 * 1.006, d(ocr, "cost"), 1e-6);
    assertEquals(24, d(ocr, "gpu_hours"), 1e-9);
    assertEquals(
        List.of("Deployment", "inference", "docs", "1", "1"),
        List.of(
            ocr.get("workload_kind"),
            ocr.get("workload_type"),
            ocr.get("team"),
            ocr.get("pods"),
            ocr.get("gpus")));

    // chat-api: two replicas time-slicing GPU 0 of the g5.12xlarge (5.672/4 per GPU-hour); the 30 s
    // gap at 00:40 is unobserved.
    CSVRecord chat = workload("chat-api");
    double perGpuHour = 5.672 / 4;
    assertEquals(24 * perGpuHour - perGpuHour * 30 / 3600, d(chat, "cost"), 1e-6);
    assertEquals(
        (86400 - 30) / 3600.0,
        d(chat, "gpu_hours"),
        1e-9,
        "two holders of one GPU: one GPU-equivalent");
    assertEquals("2", chat.get("pods"));
    assertEquals("1", chat.get("gpus"));

    // debug shell: a bare pod holding one g5.12xlarge GPU 10:00-12:00 and doing nothing with
    // nothing loaded.
    CSVRecord debug =
        truth("workload_daily.csv").stream()
            .filter(r -> r.get("workload_name").startsWith("debug-shell"))
            .findFirst()
            .orElseThrow();
    assertEquals(
        List.of("Pod", "other", "unassigned"),
        List.of(debug.get("workload_kind"), debug.get("workload_type"), debug.get("team")));
    assertEquals(2 * perGpuHour, d(debug, "cost"), 1e-6);
    assertEquals(2 * perGpuHour, d(debug, "idle_cost"), 1e-6);
    assertEquals(0, d(debug, "idle_memory_held_cost"), EPS);

    // nightly-eval: CronJob pod on 2 A100s (22.9408/8 per GPU-hour) 01:00-04:00, minus the 30 s
    // unobserved at 01:20; the minute of duplicated samples at 01:00 counts once.
    CSVRecord eval = workload("nightly-eval");
    double a100 = 22.9408 / 8;
    assertEquals(2 * 3 * a100 - 2 * a100 * 30 / 3600, d(eval, "cost"), 1e-6);
    assertEquals(
        List.of("CronJob", "training", "unassigned"),
        List.of(eval.get("workload_kind"), eval.get("workload_type"), eval.get("team")));
    assertTrue(
        d(eval, "idle_memory_held_cost") > 0, "held idle after its burst with the model loaded");

    CSVRecord bob = workload("nb-bob");
    assertEquals(
        List.of("StatefulSet", "notebook", "unassigned"),
        List.of(bob.get("workload_kind"), bob.get("workload_type"), bob.get("team")));
    double active = d(bob, "active_gpu_hours");
    assertTrue(active > 0.4 && active < 1.2, "active ~8% of 9 working hours, got " + active);
    assertFalse(truth("workload_daily.csv").isEmpty());
  }
}
