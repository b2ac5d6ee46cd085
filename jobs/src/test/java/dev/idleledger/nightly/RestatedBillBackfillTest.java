package dev.idleledger.nightly;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.generate.FleetGenerator;
import dev.idleledger.generate.FleetSpec;
import dev.idleledger.generate.TelemetryFormat;
import dev.idleledger.tables.RecommendationKind;
import dev.idleledger.testing.TestSpark;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 17 §3: a CUR restated for a past month. The fleet's bill is delivered as AWS Data Exports does it with "create
 * new" delivery: one folder per execution and the period's manifest naming the latest one's files. The month is
 * backfilled, then AWS delivers a second execution in which every line of the first day is corrected to twice its
 * amount, and the month is backfilled again without {@code --force}: exactly that day is recomputed, its money follows
 * the new bill, the other days keep their rows, and the realized savings of the notebook culled on day 3 (its day-one
 * cost × 30, COST_MODEL via RECOMMENDATIONS.md "Did the fix pay?") are recomputed from the corrected day one.
 */
class RestatedBillBackfillTest {
  private static final LocalDate DAY1 = LocalDate.of(2026, 11, 10);
  private static final LocalDate DAY3 = DAY1.plusDays(2);
  private static final String DB = "restated_bill_backfill";
  private static final String EXPORT = "gpu-cur2";
  private static final String PERIOD = "BILLING_PERIOD=2026-11";
  private static final String NOTEBOOK = "ml-east/research/StatefulSet/nb-bob";
  private static final double RESTATEMENT = 2.0;
  private static final List<String> AMOUNTS =
      List.of(
          "line_item_unblended_cost",
          "reservation_effective_cost",
          "savings_plan_savings_plan_effective_cost");

  private static Path fleet;
  private static Path export;
  private static SparkSession spark;
  private static NightlyRun.Night restated;
  private static Map<LocalDate, Double> clusterCostBefore;
  private static Map<LocalDate, Double> clusterCostAfter;
  private static long gpuHourlyVersionBefore;
  private static Row notebookBefore;
  private static Row notebookAfter;
  private static double notebookDayOneTruth;

  @BeforeAll
  static void backfillTwice() throws IOException {
    fleet = Files.createTempDirectory("restated-bill");
    // The planted fix: nb-bob, an idle notebook, is culled from day 3 on (FleetSpec.fixFromDay).
    FleetGenerator.generate(
        new FleetSpec(DAY1, 3, 2, 5, TelemetryFormat.CSV, 30)
            .withHoursPerDay(2)
            .withFixFromDay(DAY3),
        fleet);
    export = fleet.resolve(EXPORT);
    deliver("0b8e3c1d-2f4a-4c6b-9d7e-1a3c5e7f9b02", 1.0);
    spark = TestSpark.session();
    LedgerConfig config =
        TestSpark.fleetConfig(
            fleet,
            DB,
            "recommend.window_days=1",
            "recommend.resolve_after_days=1",
            "input.billing.cur=" + export);

    new NightlyRun(spark, config).runRange(DAY1, DAY3);
    clusterCostBefore = clusterCost();
    gpuHourlyVersionBefore = gpuHourlyVersion();
    notebookBefore = notebookRecommendation();

    deliver("9f4d2a6c-8e1b-4d3f-a5c7-6b8d0f2e4a19", RESTATEMENT);
    restated = new NightlyRun(spark, config).runRange(DAY1, DAY3);
    clusterCostAfter = clusterCost();
    notebookAfter = notebookRecommendation();
    notebookDayOneTruth = truthCost(DAY1, "nb-bob");
  }

  @Test
  void onlyTheDayWhoseBillChangedIsRecomputed() {
    assertEquals(List.of(DAY1), restated.published());
    assertEquals(List.of(DAY1.plusDays(1), DAY3), restated.kept());
    // The kept dates' rows are not rewritten: gpu_hourly has one commit since the first backfill,
    // day one's.
    assertEquals(gpuHourlyVersionBefore + 1, gpuHourlyVersion());
  }

  @Test
  void theRestatedDaysMoneyFollowsTheNewBillAndTheOtherDaysDoNotMove() {
    assertTrue(clusterCostBefore.get(DAY1) > 0, "day one has GPU cost");
    assertEquals(RESTATEMENT * clusterCostBefore.get(DAY1), clusterCostAfter.get(DAY1), 1e-6);
    assertEquals(
        clusterCostBefore.get(DAY1.plusDays(1)), clusterCostAfter.get(DAY1.plusDays(1)), 1e-9);
    assertEquals(clusterCostBefore.get(DAY3), clusterCostAfter.get(DAY3), 1e-9);
  }

  @Test
  void theCulledNotebooksRealizedSavingsAreRecomputedFromTheCorrectedDayOne() {
    assertTrue(notebookDayOneTruth > 0, "the generator's truth has nb-bob's day-one cost");
    assertEquals("RESOLVED", notebookBefore.getAs("status"));
    // One-day window: before = the day it was first seen (day 1), after = the night it resolved
    // (day 3, culled: 0).
    assertEquals(
        notebookDayOneTruth * 30, notebookBefore.<Double>getAs("realized_monthly_savings"), 1e-6);
    assertEquals("RESOLVED", notebookAfter.getAs("status"));
    assertEquals(
        RESTATEMENT * notebookDayOneTruth * 30,
        notebookAfter.<Double>getAs("realized_monthly_savings"),
        1e-6);
  }

  /**
   * Writes the generator's CUR as one "create new" delivery: the execution's folder under {@code data/}, and the
   * period's manifest naming only that execution's file, by its URI in the payer's bucket as AWS writes it. Every
   * amount of day one is multiplied by {@code dayOneFactor}: a corrected line in a later delivery.
   */
  private static void deliver(String executionId, double dayOneFactor) throws IOException {
    String relative = "data/" + PERIOD + "/" + executionId + "/" + EXPORT + "-00001.csv";
    Path chunk = export.resolve(relative);
    Files.createDirectories(chunk.getParent());
    Path generated = fleet.resolve("billing/cur/" + PERIOD + "/cur-00001.csv");
    try (Reader in = Files.newBufferedReader(generated);
        CSVPrinter out = new CSVPrinter(Files.newBufferedWriter(chunk), CSVFormat.DEFAULT)) {
      CSVFormat header = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get();
      var records = header.parse(in);
      List<String> columns = records.getHeaderNames();
      out.printRecord(columns);
      for (CSVRecord line : records) {
        List<String> cells = new ArrayList<>(line.toList());
        if (line.get("line_item_usage_start_date").startsWith(DAY1.toString())) {
          for (String amount : AMOUNTS) {
            int i = columns.indexOf(amount);
            if (i >= 0 && !cells.get(i).isEmpty()) {
              cells.set(i, String.valueOf(Double.parseDouble(cells.get(i)) * dayOneFactor));
            }
          }
        }
        out.printRecord(cells);
      }
    }
    Path manifest = export.resolve("metadata/" + PERIOD + "/" + EXPORT + "-Manifest.json");
    Files.createDirectories(manifest.getParent());
    Files.writeString(
        manifest,
        """
        {
          "executionId": "%s",
          "exportName": "%s",
          "bucket": "payer-billing",
          "billingPeriod": {"start": "2026-11-01T00:00:00.000Z", "end": "2026-12-01T00:00:00.000Z"},
          "compression": "NONE",
          "contentType": "text/csv",
          "dataFiles": ["s3://payer-billing/cur/%s/%s"],
          "additionalOutputFiles": []
        }
        """
            .formatted(executionId, EXPORT, EXPORT, relative));
  }

  private static Map<LocalDate, Double> clusterCost() {
    Map<LocalDate, Double> cost = new LinkedHashMap<>();
    for (Row r :
        spark
            .sql(
                "SELECT date, SUM(gpu_cost) FROM "
                    + DB
                    + ".cluster_daily GROUP BY date ORDER BY date")
            .collectAsList()) {
      cost.put(r.getDate(0).toLocalDate(), r.getDouble(1));
    }
    return cost;
  }

  private static long gpuHourlyVersion() {
    return spark
        .sql("DESCRIBE HISTORY " + DB + ".gpu_hourly")
        .selectExpr("max(version)")
        .first()
        .getLong(0);
  }

  private static Row notebookRecommendation() {
    String id =
        RecommendationKind.recommendationId(RecommendationKind.CULL_IDLE_NOTEBOOK.name(), NOTEBOOK);
    List<Row> rows =
        spark
            .table(DB + ".recommendations")
            .where(col("recommendation_id").equalTo(id))
            .collectAsList();
    assertEquals(1, rows.size(), "one recommendation for " + NOTEBOOK);
    return rows.get(0);
  }

  private static double truthCost(LocalDate date, String workload) throws IOException {
    try (Reader r = Files.newBufferedReader(fleet.resolve("truth/workload_daily.csv"))) {
      for (CSVRecord rec :
          CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
        if (rec.get("date").equals(date.toString()) && rec.get("workload_name").equals(workload)) {
          return Double.parseDouble(rec.get("cost"));
        }
      }
    }
    throw new AssertionError("no truth row for " + workload + " on " + date);
  }
}
