package dev.idleledger.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

/**
 * The generator's expected recommendations for the full default pool pattern (one 24-hour day, 30 s samples), against
 * figures worked out by hand from FleetPlan and the catalog prices, and against its own cost truth.
 */
class ExpectedRecommendationsTest {
  private static final double EPS = 1e-6;

  private static Map<String, CSVRecord> expected() throws Exception {
    Map<String, CSVRecord> byKey = new TreeMap<>();
    for (CSVRecord r :
        GeneratedFleets.csv(
            GeneratedFleets.fleet(TelemetryFormat.CSV).resolve("truth/recommendations.csv"))) {
      byKey.put(r.get("kind") + " " + r.get("subject"), r);
    }
    return byKey;
  }

  private static CSVRecord get(String key) throws Exception {
    CSVRecord r = expected().get(key);
    assertTrue(r != null, key + " not in " + expected().keySet());
    return r;
  }

  private static double d(CSVRecord r, String column) {
    return Double.parseDouble(r.get(column));
  }

  private static double workloadCost(String name) throws Exception {
    return GeneratedFleets.csv(
            GeneratedFleets.fleet(TelemetryFormat.CSV).resolve("truth/workload_daily.csv"))
        .stream()
        .filter(r -> r.get("workload_name").equals(name))
        .mapToDouble(r -> d(r, "cost"))
        .sum();
  }

  @Test
  void everyKindIsPlantedInTheDefaultFleet() throws Exception {
    TreeSet<String> kinds = new TreeSet<>();
    expected().values().forEach(r -> kinds.add(r.get("kind")));
    assertEquals(
        new TreeSet<>(
            List.of(
                "COMMITMENT_COVERAGE",
                "CONSOLIDATE_UNALLOCATED",
                "CULL_IDLE_NOTEBOOK",
                "RELEASE_IDLE_TRAINING_GPUS",
                "RIGHTSIZE_GPU",
                "RIGHTSIZE_INFERENCE_REPLICAS")),
        kinds,
        expected().keySet().toString());
    for (CSVRecord r : expected().values()) {
      assertEquals("2026-11-01", r.get("window_end"));
      assertEquals("1", r.get("days_with_data"));
      assertTrue(d(r, "monthly_savings") >= 50, "below min_monthly_savings is not kept: " + r);
    }
  }

  @Test
  void onDemandFloorOfEachOnDemandTypeIsPricedAtThe28PercentDefault() throws Exception {
    // One instance of each on-demand type every hour; the Spot g6.xlarge and the SP / RI nodes are
    // not on demand.
    assertEquals(
        1.006 * 730 * 0.28,
        d(get("COMMITMENT_COVERAGE g5.xlarge/us-east-1"), "monthly_savings"),
        EPS);
    assertEquals(
        5.672 * 730 * 0.28,
        d(get("COMMITMENT_COVERAGE g5.12xlarge/us-east-1"), "monthly_savings"),
        EPS);
    assertEquals(
        0.8048 * 730 * 0.28,
        d(get("COMMITMENT_COVERAGE g6.xlarge/us-east-1"), "monthly_savings"),
        EPS);
    assertEquals("1", get("COMMITMENT_COVERAGE g6.xlarge/us-east-1").get("on_demand_floor"));
    assertTrue(
        expected().keySet().stream().noneMatch(k -> k.contains("p4d") || k.contains("p5")),
        "committed types need no commitment");
  }

  @Test
  void nodeHeldOnlyInWorkingHoursIsMostlyUnallocated() throws Exception {
    // Slot 4 (g6.xlarge on demand, 0.8048/h): jupyter-carol holds it 08:00-18:00, 02:00-03:00 is
    // unobserved, so 13 of its 24 billed hours are unallocated (share 0.54); one day in the window,
    // so × 30.
    CSVRecord node = get("CONSOLIDATE_UNALLOCATED ml-east/ip-10-0-10-24.ec2.internal");
    assertEquals(13 * 0.8048 * 30, d(node, "monthly_savings"), EPS);
    assertEquals("g6.xlarge", node.get("instance_type"));
  }

  @Test
  void timeSlicedReplicasNeedOnlyOne() throws Exception {
    // chat-api: two replicas on one time-sliced A10G whose demand never passes 0.6 → R = 2, R' = 1,
    // half its cost saved.
    CSVRecord chat = get("RIGHTSIZE_INFERENCE_REPLICAS ml-east/serving/Deployment/chat-api");
    assertEquals(
        List.of("2", "1"), List.of(chat.get("replicas"), chat.get("recommended_replicas")));
    assertEquals(workloadCost("chat-api") * 0.5 * 30, d(chat, "monthly_savings"), EPS);
    assertEquals(
        d(chat, "monthly_savings"),
        d(chat, "monthly_savings_at_list"),
        EPS,
        "on demand: list is what it paid");
  }

  @Test
  void notebookOnAWholeH100FitsAThreeSliceProfile() throws Exception {
    // nb-bob keeps 30% of an H100's 80 GB loaded (24 GB > 0.9 × 20 GB, ≤ 0.9 × 40 GB) and is mostly
    // idle.
    CSVRecord bob = get("RIGHTSIZE_GPU ml-east/research/StatefulSet/nb-bob");
    assertEquals("3g.40gb", bob.get("mig_profile"));
    assertEquals(workloadCost("nb-bob") * (1 - 3 / 7.0) * 30, d(bob, "monthly_savings"), EPS);
  }

  @Test
  void idleNotebooksAndTrainingThatHoldsGpusAreCaught() throws Exception {
    CSVRecord bob = get("CULL_IDLE_NOTEBOOK ml-east/research/StatefulSet/nb-bob");
    // Idle outside 09:00-18:00 with the kernel loaded: its savings are under its day's idle cost
    // less the first hour of each streak.
    assertTrue(
        d(bob, "monthly_savings") > 0 && d(bob, "monthly_savings") < workloadCost("nb-bob") * 30);
    get("CULL_IDLE_NOTEBOOK ml-east/research/Notebook/jupyter-alice");
    get("RELEASE_IDLE_TRAINING_GPUS ml-east/ml-train/CronJob/nightly-eval");
  }
}
