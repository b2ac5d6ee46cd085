package dev.idleledger.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.cli.IdleLedger;
import dev.idleledger.testing.TestSpark;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The benchmark at a tiny size in the suite: the full pool pattern (MIG with unconfigured slices, a time-sliced GPU,
 * telemetry gaps, duplicates, stragglers, Spot/SP/RI bills) for two hours of 1 s samples, through the nightly job
 * and the DuckDB peer. Correctness only: nothing here asserts how fast anything ran.
 */
class NightlyBenchmarkTest {
  private static final FleetSize SIZE = FleetSize.of(23, 2);
  private static final List<LocalDate> DATES = List.of(FleetSize.START);
  private static Path dir;
  private static SizeResult result;

  @BeforeAll
  static void runTinyBench() throws IOException {
    dir = Files.createTempDirectory("bench-test");
    result =
        new NightlyBenchmark(
                TestSpark.session(),
                extra -> TestSpark.config(extra.toArray(String[]::new)),
                dir,
                true)
            .run(SIZE);
  }

  @Test
  void sparkAndDuckDbAgreeOnEveryWorkloadDayAndClusterDay() {
    assertTrue(result.agrees(), () -> result.disagreement().get().describe());
    CostFigures duck = result.duckdb().orElseThrow();
    // One pattern repetition is one cluster (ml-east); ten of its workloads hold GPUs in the first
    // two hours.
    assertTrue(
        duck.workloads().size() >= 10, "workload-days compared: " + duck.workloads().keySet());
    assertEquals(duck.workloads().size() + duck.clusters().size(), result.rowsCompared());
    double[] chat =
        duck.workloads()
            .get(
                CostFigures.workloadKey(
                    FleetSize.START, "ml-east", "serving", "Deployment", "chat-api"));
    assertTrue(chat != null && chat[0] > 0, "the time-sliced chat-api deployment is costed");
    double[] alice =
        duck.workloads()
            .get(
                CostFigures.workloadKey(
                    FleetSize.START, "ml-east", "research", "Notebook", "jupyter-alice"));
    assertTrue(alice != null && alice[0] > 0, "the MIG notebook is costed");
  }

  @Test
  void duckDbClusterMoneyMatchesTheGeneratorsTruth() throws IOException {
    CostFigures duck = result.duckdb().orElseThrow();
    Path truth =
        dir.resolve(NightlyBenchmark.databaseFor(SIZE).replace('_', '-'))
            .resolve("raw/truth/cluster_daily.csv");
    int checked = 0;
    try (Reader in = Files.newBufferedReader(truth)) {
      for (CSVRecord r :
          CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(in)) {
        double[] got =
            duck.clusters()
                .get(CostFigures.clusterKey(LocalDate.parse(r.get("date")), r.get("cluster")));
        for (int i = 0; i < CostFigures.CLUSTER_COLUMNS.size(); i++) {
          String column = CostFigures.CLUSTER_COLUMNS.get(i);
          assertEquals(
              Double.parseDouble(r.get(column)), got[i], 1e-6, r.get("cluster") + " " + column);
        }
        checked++;
      }
    }
    assertTrue(checked > 0);
  }

  @Test
  void everyStageIsTimedAndTheLakeMemoryAndSparkWorkAreMeasured() {
    for (String stage : SizeResult.STAGES) {
      assertTrue(result.stageSeconds().containsKey(stage), stage);
    }
    assertEquals(23, SIZE.gpus());
    assertEquals(23 * 2 * 3600L, SIZE.gpuSeconds());
    assertTrue(result.telemetrySamples() > 23 * 2 * 3600L, "at least one sample per GPU-second");
    assertTrue(result.lakeBytes() > 0);
    assertTrue(result.peakHeapBytes() > 0);
    // The night shuffles (the telemetry pivot at least) and runs thousands of tasks; CPU can't
    // exceed wall x cores.
    TaskTotals.Work work = result.sparkWork();
    assertTrue(work.tasks() > 100, work.toString());
    assertTrue(work.shuffleWriteBytes() > 0, work.toString());
    assertTrue(
        work.cpuSeconds() > 0 && result.cpuUtilization() <= 1.0,
        work + " share " + result.cpuUtilization());
  }

  @Test
  void aPlantedDisagreementIsNamed() {
    SparkSession spark = TestSpark.session();
    String source = NightlyBenchmark.databaseFor(SIZE);
    // One workload's idle cost off by a tenth of a cent: far above the tolerance, far below
    // anything a reader would see. Planted in global temp views (database global_temp), so the lake
    // itself stays as the night wrote it.
    spark
        .table(source + ".workload_daily")
        .withColumn(
            "idle_cost",
            when(col("workload_name").equalTo("chat-api"), col("idle_cost").plus(lit(0.001)))
                .otherwise(col("idle_cost")))
        .createOrReplaceGlobalTempView("workload_daily");
    spark.table(source + ".cluster_daily").createOrReplaceGlobalTempView("cluster_daily");

    Optional<CostComparison.Disagreement> d =
        CostComparison.firstDisagreement(
            CostFigures.fromLake(spark, "global_temp", DATES), result.duckdb().orElseThrow());
    assertTrue(d.isPresent(), "the planted error is found");
    assertEquals(
        CostFigures.workloadKey(FleetSize.START, "ml-east", "serving", "Deployment", "chat-api"),
        d.get().key());
    assertEquals("idle_cost", d.get().column());
    assertEquals(0.001, d.get().spark() - d.get().duckdb(), 1e-6);
  }

  @Test
  void toleranceIsAbsoluteBelowOneDollarAndRelativeAbove() {
    assertTrue(CostComparison.agree(0.5, 0.5 + 9e-7));
    assertFalse(CostComparison.agree(0.5, 0.5 + 2e-6));
    assertTrue(CostComparison.agree(2000.0, 2000.0 + 1.5e-3));
    assertFalse(CostComparison.agree(2000.0, 2000.0 + 2.5e-3));
  }

  @Test
  void aRowOnOneSideOnlyIsADisagreement() {
    CostFigures spark = new CostFigures();
    CostFigures duck = new CostFigures();
    spark.clusters.put(CostFigures.clusterKey(FleetSize.START, "ml-east"), new double[6]);
    Optional<CostComparison.Disagreement> d = CostComparison.firstDisagreement(spark, duck);
    assertTrue(d.isPresent());
    assertTrue(d.get().describe().contains("only Spark has this row"), d.get().describe());
  }

  @Test
  void badSizesAreUsageErrors() {
    assertEquals(IdleLedger.EXIT_USAGE, IdleLedger.execute("bench", "--sizes", "0", "--dry-run"));
    assertEquals(
        IdleLedger.EXIT_USAGE,
        IdleLedger.execute("bench", "--sizes", "16", "--hours", "25", "--dry-run"));
    assertEquals(IdleLedger.EXIT_OK, IdleLedger.execute("bench", "--sizes", "16,64", "--dry-run"));
  }

  @Test
  void theReportWritesOneCsvRowPerStageWithTheDuckDbRow() throws IOException {
    Path csv = dir.resolve("out/bench.csv");
    BenchReport.writeCsv(List.of(result), csv);
    List<String> lines = Files.readAllLines(csv);
    assertEquals(String.join(",", BenchReport.CSV_COLUMNS), lines.get(0));
    // five stages, the Spark cost-model total, and DuckDB
    assertEquals(1 + 7, lines.size());
    assertTrue(lines.stream().anyMatch(l -> l.contains(",duckdb,")));
  }
}
