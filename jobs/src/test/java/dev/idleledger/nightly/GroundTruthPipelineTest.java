package dev.idleledger.nightly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.testing.FleetLake;
import dev.idleledger.testing.TestSpark;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pipeline against the generator's own ground truth: a two-day fleet with MIG, time-slicing, telemetry gaps,
 * an exporter restart, duplicates, next-day stragglers, a billed hour without telemetry, Spot, SP and RI rows,
 * billed through both CUR and FOCUS. Every money and GPU-hour figure must match to 1e-6.
 */
class GroundTruthPipelineTest {
  private static final double TOLERANCE = 1e-6;
  private static String DB;
  private static Path fleet;

  @BeforeAll
  static void runTwoNights() {
    FleetLake.Lake lake = FleetLake.get();
    DB = lake.database();
    fleet = lake.fleet();
  }

  @Test
  void workloadDailyEqualsTheGeneratorsTruth() throws IOException {
    compare(
        "workload_daily",
        List.of("date", "cluster", "namespace", "workload_kind", "workload_name"),
        List.of(
            "gpu_hours",
            "active_gpu_hours",
            "idle_gpu_hours",
            "idle_memory_held_gpu_hours",
            "cost",
            "idle_cost",
            "idle_memory_held_cost",
            "unused_capacity_cost",
            "pods",
            "gpus"),
        List.of("workload_type", "team"));
  }

  @Test
  void clusterDailyEqualsTheGeneratorsTruth() throws IOException {
    compare(
        "cluster_daily",
        List.of("date", "cluster"),
        List.of(
            "billed_gpu_hours",
            "allocated_gpu_hours",
            "unallocated_gpu_hours",
            "unobserved_gpu_hours",
            "gpu_cost",
            "allocated_cost",
            "idle_cost",
            "unallocated_cost",
            "unobserved_cost",
            "unused_capacity_cost",
            "waste_cost"),
        List.of());
  }

  @Test
  void everyClusterDayReconciles() {
    List<Row> rows =
        TestSpark.session()
            .sql("SELECT reconciliation_delta FROM " + DB + ".cluster_daily")
            .collectAsList();
    assertFalse(rows.isEmpty());
    rows.forEach(r -> assertEquals(0.0, r.getDouble(0), TOLERANCE));
    List<Row> failed =
        TestSpark.session()
            .sql("SELECT check, source, detail FROM " + DB + ".run_quality WHERE NOT passed")
            .collectAsList();
    assertTrue(failed.isEmpty(), failed.toString());
  }

  private void compare(String table, List<String> key, List<String> numbers, List<String> texts)
      throws IOException {
    Map<String, CSVRecord> truth = new HashMap<>();
    try (Reader in = Files.newBufferedReader(fleet.resolve("truth/" + table + ".csv"))) {
      for (CSVRecord r :
          CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(in)) {
        truth.put(keyOf(key, c -> r.get(c)), r);
      }
    }
    List<Row> produced =
        TestSpark.session().sql("SELECT * FROM " + DB + "." + table).collectAsList();
    List<String> problems = new ArrayList<>();
    for (Row row : produced) {
      String k = keyOf(key, c -> String.valueOf(row.<Object>getAs(c)));
      CSVRecord expected = truth.remove(k);
      if (expected == null) {
        problems.add("not in truth: " + k);
        continue;
      }
      for (String c : numbers) {
        double want = Double.parseDouble(expected.get(c));
        double got = ((Number) row.getAs(c)).doubleValue();
        if (Math.abs(want - got) > TOLERANCE) {
          problems.add(k + " " + c + ": truth " + want + ", pipeline " + got);
        }
      }
      for (String c : texts) {
        if (!expected.get(c).equals(row.getAs(c))) {
          problems.add(k + " " + c + ": truth " + expected.get(c) + ", pipeline " + row.getAs(c));
        }
      }
    }
    truth.keySet().forEach(k -> problems.add("missing from " + table + ": " + k));
    assertTrue(
        problems.isEmpty(),
        problems.size()
            + " differences:\n"
            + String.join("\n", problems.subList(0, Math.min(40, problems.size()))));
    assertFalse(produced.isEmpty());
  }

  private static String keyOf(List<String> key, Function<String, String> value) {
    return String.join("|", key.stream().map(value).toList());
  }
}
