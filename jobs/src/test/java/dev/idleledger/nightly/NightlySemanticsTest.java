package dev.idleledger.nightly;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.generate.FleetGenerator;
import dev.idleledger.generate.FleetSpec;
import dev.idleledger.generate.TelemetryFormat;
import dev.idleledger.spark.QuerySettings;
import dev.idleledger.testing.BillRestatement;
import dev.idleledger.testing.FrameAssertions;
import dev.idleledger.testing.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.MapType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Re-runnable nights: the same date twice changes nothing (kept, or recomputed with {@code --force} to equal content,
 * whether Spark's queries ran interpreted or compiled); a restated bill reaches its day through the lookback.
 */
class NightlySemanticsTest {
  private static final LocalDate DAY1 = LocalDate.of(2026, 11, 10);
  private static final LocalDate DAY2 = DAY1.plusDays(1);
  private static final String DB = "nightly_semantics";
  private static final List<String> GOLD =
      List.of(
          "gpu_hourly",
          "workload_daily",
          "cluster_daily",
          "team_daily",
          "recommendations",
          "recommendation_history");

  /** How {@link #settingsNow} reads for a date under the threshold and for one at or above it. */
  private static final String SMALL =
      "false " + QuerySettings.EXPRESSIONS_INTERPRETED + " false 1 false false";

  private static final String LARGE =
      "true " + QuerySettings.EXPRESSIONS_COMPILED + " true 2 true true";

  private static Path fleet;
  private static LedgerConfig config;
  private static SparkSession spark;

  @BeforeAll
  static void generate() throws IOException {
    fleet = Files.createTempDirectory("semantics-fleet");
    FleetGenerator.generate(
        new FleetSpec(DAY1, 2, 1, 3, TelemetryFormat.CSV, 30).withHoursPerDay(2), fleet);
    spark = TestSpark.session();
    config = TestSpark.fleetConfig(fleet, DB);
  }

  @Test
  void runningTheSameNightTwiceChangesNothingAndLookbackRestatementsLand() throws IOException {
    NightlyRun night = new NightlyRun(spark, config);
    night.run(DAY2, 1);
    List<String> first = snapshot();
    night.run(DAY2, 1);
    assertEquals(first, snapshot(), "same nights, same tables");

    double day1Before = gpuCost(DAY1);
    double day2Before = gpuCost(DAY2);
    BillRestatement.scaleDay(fleet.resolve("billing/cur"), DAY1, 2.0);
    night.run(DAY2, 1);
    assertEquals(2 * day1Before, gpuCost(DAY1), 1e-6, "the restated bill for day 1 reached day 1");
    assertEquals(day2Before, gpuCost(DAY2), 1e-9, "day 2 did not move");
    assertNotEquals(first, snapshot());
  }

  /**
   * Issue 17 §2: with unchanged inputs a plain re-run keeps every date (IncrementalNightTest), so the re-run here is
   * forced: every date is recomputed from the same raw files and each gold table must hold the same rows, compared
   * row by row in key order, doubles within 1e-9 (FrameAssertions.assertSameFrame shows the rows that differ), on
   * every column but {@code ticket_synced_at} (the wall clock of a ticket sync; the gold tables carry no run id). Its own database: the restatement test above
   * changes the bill of the shared one.
   *
   * <p>The two nights also run the two ways Spark can execute a query, so equal tables say the ledger's figures do
   * not depend on it. The night sets how queries run from the raw input its dates read (QuerySettings; the
   * threshold's own edges are in QuerySettingsTest): this two-hour fleet reads far less than a threshold of 1,000,000
   * MiB, so the first night runs interpreted, without adaptive execution, in one shuffle partition; and more than 0,
   * so the forced re-run runs compiled, adaptive, in the configured two. Each is seen from inside the night, as each
   * date's stages and recommend end; when a night ends the session has its own settings back (here: whole-stage set,
   * two shuffle partitions, expressions and adaptive execution at Spark's defaults).
   */
  @Test
  void aForcedReRunOfTheSameNightGivesEveryGoldTableEqualContentInterpretedOrCompiled() {
    String db = DB + "_rerun";
    Map<String, Long> first = new LinkedHashMap<>();
    try {
      runWithCodegenThreshold(db, "1000000", false);
      for (String t : GOLD) {
        first.put(
            t,
            spark
                .sql("DESCRIBE HISTORY " + db + "." + t)
                .agg(max(col("version")))
                .first()
                .getLong(0));
      }
      NightlyRun.Night again = runWithCodegenThreshold(db, "0", true);
      assertEquals(List.of(DAY1, DAY2), again.published(), "--force recomputed both dates");
    } finally {
      testSettings();
    }
    for (String t : GOLD) {
      long before = first.get(t);
      // The dated tables are replaced date by date; recommend merges its rows and commits nothing
      // when none changed.
      if (!t.startsWith("recommendation")) {
        assertTrue(
            spark
                    .sql("DESCRIBE HISTORY " + db + "." + t)
                    .agg(max(col("version")))
                    .first()
                    .getLong(0)
                > before,
            t + " was written again");
      }
      // EXCEPT cannot compare maps (the labels column): a map is compared as its entries, sorted.
      String columns =
          Arrays.stream(spark.table(db + "." + t).schema().fields())
              .filter(f -> !f.name().equals("ticket_synced_at"))
              .map(
                  f ->
                      f.dataType() instanceof MapType
                          ? "array_sort(map_entries(`" + f.name() + "`)) AS `" + f.name() + "`"
                          : "`" + f.name() + "`")
              .collect(Collectors.joining(", "));
      // Ordered by every column that is not a double: each row's key comes first, so both sides
      // line up row by row even where a sum differs in its last bits.
      String order =
          Arrays.stream(spark.table(db + "." + t).schema().fields())
              .filter(f -> !f.name().equals("ticket_synced_at"))
              .filter(f -> !(f.dataType() instanceof DoubleType))
              .map(f -> "`" + f.name() + "`")
              .collect(Collectors.joining(", ", " ORDER BY ", ""));
      String now = "SELECT " + columns + " FROM " + db + "." + t + order;
      String then =
          "SELECT " + columns + " FROM " + db + "." + t + " VERSION AS OF " + before + order;
      assertTrue(spark.sql(now).count() > 0, t + " has rows to compare");
      // Row by row, money within a billionth of a dollar: one shuffle partition and two add a
      // day's seconds up in different orders, which moves a double's last bits and nothing more.
      FrameAssertions.assertSameFrame(
          t + " (first run, small, vs forced re-run, large)",
          spark.sql(then),
          spark.sql(now),
          1e-9);
    }
  }

  /**
   * Runs DAY2 with a lookback of one day into {@code db} at {@code spark.codegen_min_input_mib=threshold}, and checks
   * the code generation every date's stages ran with and that the session has its settings back afterwards.
   */
  private static NightlyRun.Night runWithCodegenThreshold(
      String db, String threshold, boolean force) {
    Map<String, String> seen = new LinkedHashMap<>();
    NightlyRun.Night night = runSeeingSettings(db, threshold, force, 1, seen);
    String expected = threshold.equals("0") ? LARGE : SMALL;
    for (LocalDate date : List.of(DAY1, DAY2)) {
      for (String stage : List.of("ingest", "attribute", "rollup")) {
        assertEquals(
            expected,
            seen.get(date + " " + stage),
            date + " " + stage + " with spark.codegen_min_input_mib=" + threshold + ": " + seen);
      }
    }
    assertEquals(
        expected,
        seen.get(DAY2 + " recommend"),
        "recommend with spark.codegen_min_input_mib=" + threshold + ": " + seen);
    assertEquals("true", spark.conf().get(QuerySettings.WHOLE_STAGE), "after the night");
    assertEquals("2", spark.conf().get(QuerySettings.SHUFFLE_PARTITIONS), "after the night");
    assertFalse(
        spark.conf().getAll().contains(QuerySettings.EXPRESSIONS),
        "expressions unset after the night, as before it");
    assertFalse(
        spark.conf().getAll().contains(QuerySettings.ADAPTIVE),
        "adaptive execution unset after the night, as before it");
    for (String statistics :
        List.of(QuerySettings.FILE_STATISTICS, QuerySettings.STATISTICS_SKIPPING)) {
      assertFalse(
          spark.conf().getAll().contains(statistics),
          statistics + " unset after the night, as before it");
    }
    return night;
  }

  /**
   * Runs DAY2 with {@code lookbackDays} into {@code db} at {@code spark.codegen_min_input_mib=threshold}, putting into
   * {@code seen} how queries ran as each date's stage ended ({@link #settingsNow}), from a session at its test
   * settings.
   */
  private static NightlyRun.Night runSeeingSettings(
      String db, String threshold, boolean force, int lookbackDays, Map<String, String> seen) {
    LedgerConfig c =
        TestSpark.fleetConfig(
            fleet,
            db,
            // Two-hour days save little a month: with no savings floor the recommendation tables
            // have rows to compare too.
            "recommend.min_monthly_savings=0",
            "spark.codegen_min_input_mib=" + threshold);
    testSettings();
    return new NightlyRun(spark, c)
        .force(force)
        .onStageDone((date, stage, seconds) -> seen.put(date + " " + stage, settingsNow()))
        .run(DAY2, lookbackDays);
  }

  /**
   * The session as the tests build it: whole-stage set, two shuffle partitions, the others at Spark's and Delta's
   * defaults.
   */
  private static void testSettings() {
    spark.conf().set(QuerySettings.WHOLE_STAGE, "true");
    spark.conf().unset(QuerySettings.EXPRESSIONS);
    spark.conf().unset(QuerySettings.ADAPTIVE);
    spark.conf().set(QuerySettings.SHUFFLE_PARTITIONS, "2");
    spark.conf().unset(QuerySettings.FILE_STATISTICS);
    spark.conf().unset(QuerySettings.STATISTICS_SKIPPING);
  }

  /**
   * Whole-stage code generation, expression code generation, adaptive execution, shuffle partitions, Delta's file
   * statistics and skipping by them.
   */
  private static String settingsNow() {
    return String.join(
        " ",
        spark.conf().get(QuerySettings.WHOLE_STAGE),
        spark.conf().get(QuerySettings.EXPRESSIONS),
        spark.conf().get(QuerySettings.ADAPTIVE),
        spark.conf().get(QuerySettings.SHUFFLE_PARTITIONS),
        spark.conf().get(QuerySettings.FILE_STATISTICS),
        spark.conf().get(QuerySettings.STATISTICS_SKIPPING));
  }

  /**
   * Recommend reads a week, not only the dates recomputed tonight, so it runs as that week's raw input says. The
   * threshold sits between one date's input and the two dates' sum: a forced night that recomputes DAY2 alone runs
   * DAY2's stages as a small date, and recommend (its window holds DAY1 too, recorded by the first night) as a large
   * one. Before, recommend followed the recomputed dates and ran small over a window larger than the threshold.
   */
  @Test
  void recommendRunsAsItsWholeWindowsInputSaysNotOnlyTonightsDates() {
    String db = DB + "_window";
    try {
      runSeeingSettings(db, "1000000", false, 1, new LinkedHashMap<>());
      Map<LocalDate, Long> rawBytes = new LinkedHashMap<>();
      spark
          .sql("SELECT date, SUM(size_bytes) FROM " + db + ".run_inputs GROUP BY date")
          .collectAsList()
          .forEach(r -> rawBytes.put(r.getDate(0).toLocalDate(), r.getLong(1)));
      assertEquals(List.of(DAY1, DAY2), rawBytes.keySet().stream().sorted().toList());
      long one = Math.max(rawBytes.get(DAY1), rawBytes.get(DAY2));
      long both = rawBytes.get(DAY1) + rawBytes.get(DAY2);
      double thresholdBytes = both - Math.min(rawBytes.get(DAY1), rawBytes.get(DAY2)) / 2.0;
      assertTrue(one < thresholdBytes && thresholdBytes <= both, rawBytes.toString());

      Map<String, String> seen = new LinkedHashMap<>();
      NightlyRun.Night night =
          runSeeingSettings(db, String.valueOf(thresholdBytes / (1024.0 * 1024.0)), true, 0, seen);
      assertEquals(List.of(DAY2), night.published(), "only DAY2 recomputed");
      for (String stage : List.of("ingest", "attribute", "rollup")) {
        assertEquals(SMALL, seen.get(DAY2 + " " + stage), stage + ": " + seen);
      }
      assertEquals(LARGE, seen.get(DAY2 + " recommend"), "recommend: " + seen);
    } finally {
      testSettings();
    }
  }

  private double gpuCost(LocalDate d) {
    return spark
        .sql("SELECT SUM(gpu_cost) FROM " + DB + ".cluster_daily WHERE date = DATE'" + d + "'")
        .first()
        .getDouble(0);
  }

  private List<String> snapshot() {
    // recommendations carries the ticket columns (ticket_system, ticket_key, ticket_url,
    // ticket_state, ticket_error, ticket_synced_at).
    return Stream.of(
            "gpu_hourly",
            "workload_daily",
            "cluster_daily",
            "team_daily",
            "gpu_samples",
            "billing_hourly",
            "pod_info",
            "recommendations",
            "recommendation_history")
        .flatMap(
            t ->
                spark.sql("SELECT * FROM " + DB + "." + t).collectAsList().stream()
                    .map(r -> t + " " + r)
                    .sorted())
        .toList();
  }
}
