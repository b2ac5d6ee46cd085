package dev.idleledger.nightly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.spark.QuerySettings;
import dev.idleledger.testing.TestSpark;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real H100 trace end to end (shared/data/h100-trace, README there): five phases with known holders, one
 * on-demand p5.4xlarge billed 6.88 for hour 02:00 (no telemetry) and hour 03:00 (about 200 s of telemetry).
 */
class H100TraceNightlyTest {
  private static final String DB = "h100_trace";
  private static final double HOURLY = 6.88;
  private static SparkSession spark;

  /** Whole-stage and expression code generation as each stage of the date ended, and as the session was after. */
  private static final Map<String, String> settingsSeen = new LinkedHashMap<>();

  @BeforeAll
  static void runTheNight() {
    spark = TestSpark.session();
    Path trace = TestSpark.sharedDir().resolve("data/h100-trace");
    // The trace folder is laid out as a generated fleet's (telemetry, kube, billing/cur).
    LedgerConfig config = TestSpark.fleetConfig(trace, DB);
    // The session as it is built (whole-stage on, two shuffle partitions, expressions and adaptive
    // execution at Spark's defaults), so that putting it back after the date is seen.
    spark.conf().set(QuerySettings.WHOLE_STAGE, "true");
    spark.conf().unset(QuerySettings.EXPRESSIONS);
    spark.conf().unset(QuerySettings.ADAPTIVE);
    spark.conf().set(QuerySettings.SHUFFLE_PARTITIONS, "2");
    spark.conf().unset(QuerySettings.FILE_STATISTICS);
    spark.conf().unset(QuerySettings.STATISTICS_SKIPPING);
    new NightlyRun(spark, config)
        .onStageDone((date, stage, seconds) -> settingsSeen.put(stage, querySettings()))
        .runDate(LocalDate.of(2026, 11, 28), NightlyRun.newRunId());
    settingsSeen.put("after", querySettings());
  }

  /** Whole-stage code generation, expressions, adaptive execution, shuffle partitions, Delta's file statistics. */
  private static String querySettings() {
    return String.join(
        " ",
        spark.conf().get(QuerySettings.WHOLE_STAGE),
        // Set in the session, or "unset" (a plain get answers Spark's default).
        explicit(QuerySettings.EXPRESSIONS),
        explicit(QuerySettings.ADAPTIVE),
        spark.conf().get(QuerySettings.SHUFFLE_PARTITIONS),
        explicit(QuerySettings.FILE_STATISTICS),
        explicit(QuerySettings.STATISTICS_SKIPPING));
  }

  private static String explicit(String key) {
    return spark.conf().getAll().get(key).getOrElse(() -> "unset");
  }

  /**
   * A date run on its own chooses how its queries run as a night does for each date: the trace's few kilobytes are
   * far below spark.codegen_min_input_mib (1), so every stage runs interpreted, without adaptive execution, in one
   * shuffle partition, without Delta file statistics; then the session has its settings back. (The threshold's own
   * edges: QuerySettingsTest.)
   */
  @Test
  void theDateRunsAsASmallDateByItsInputAndThenPutsTheSessionBack() {
    String small = "false " + QuerySettings.EXPRESSIONS_INTERPRETED + " false 1 false false";
    assertEquals(
        Map.of(
            "ingest", small,
            "attribute", small,
            "rollup", small,
            "after", "true unset unset 2 unset unset"),
        settingsSeen);
  }

  @Test
  void bothBilledHoursAreConservedAndHourTwoIsAllUnobserved() {
    List<Row> hours =
        spark
            .sql(
                "SELECT hour(hour) AS h, SUM(cost), SUM(unobserved_cost) FROM "
                    + DB
                    + ".gpu_hourly GROUP BY 1 ORDER BY 1")
            .collectAsList();
    assertEquals(2, hours.size(), hours.toString());
    assertEquals(HOURLY, hours.get(0).getDouble(1), 1e-9);
    assertEquals(HOURLY, hours.get(0).getDouble(2), 1e-9, "02:00 was billed with no telemetry");
    assertEquals(HOURLY, hours.get(1).getDouble(1), 1e-9);
    double observedSeconds = 3600 * (1 - hours.get(1).getDouble(2) / HOURLY);
    assertTrue(
        observedSeconds > 180 && observedSeconds < 220,
        "about 200 s observed in 03:00, got " + observedSeconds);
  }

  @Test
  void trainingPhaseIsActiveAndTheMemoryHeldPhaseIsIdleWithMemoryHeld() {
    Row t = workload("llama-ft");
    assertEquals("PyTorchJob", t.getAs("workload_kind"));
    assertEquals("training", t.getAs("workload_type"));
    assertEquals("ml-platform", t.getAs("team"));
    assertEquals(45.0, hours(t, "active_gpu_hours") * 3600, 3.0, "training phase 45 s");
    assertEquals(
        30.0,
        hours(t, "idle_memory_held_gpu_hours") * 3600,
        3.0,
        "60 GiB allocated, no kernels, 30 s");
  }

  @Test
  void inferencePhaseIsTheDeploymentsAndMostlyActive() {
    Row i = workload("llm-serve");
    assertEquals("Deployment", i.getAs("workload_kind"));
    assertEquals("inference", i.getAs("workload_type"));
    assertEquals(45.0, hours(i, "gpu_hours") * 3600, 3.0);
    assertTrue(hours(i, "active_gpu_hours") > hours(i, "idle_gpu_hours"));
  }

  @Test
  void notebookCellsShowUpAsAFewActiveSecondsEach() {
    Row n = workload("jupyter-alice");
    assertEquals("notebook", n.getAs("workload_type"));
    double active = hours(n, "active_gpu_hours") * 3600;
    assertTrue(active >= 8 && active <= 14, "four cells of 2-3 active seconds, got " + active);
    assertTrue((double) n.getAs("longest_idle_streak_seconds") >= 5);
  }

  @Test
  void theUnallocatedPhaseIsNobodysAndCountsAsWaste() {
    Row c = spark.sql("SELECT * FROM " + DB + ".cluster_daily").first();
    assertEquals("h100-lab", c.getAs("cluster"));
    assertEquals(2 * HOURLY, (double) c.getAs("gpu_cost"), 1e-9);
    assertEquals(0.0, (double) c.getAs("reconciliation_delta"), 1e-9);
    assertEquals(30.0, (double) c.<Double>getAs("unallocated_gpu_hours") * 3600, 3.0);
  }

  private static Row workload(String name) {
    return spark
        .sql("SELECT * FROM " + DB + ".workload_daily WHERE workload_name = '" + name + "'")
        .first();
  }

  private static double hours(Row r, String column) {
    return r.<Double>getAs(column);
  }
}
