package dev.idleledger.nightly;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.generate.FleetGenerator;
import dev.idleledger.generate.FleetSpec;
import dev.idleledger.generate.TelemetryFormat;
import dev.idleledger.testing.BillRestatement;
import dev.idleledger.testing.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The nightly recomputes a date only when its inputs changed since it was published (run_inputs): one lake, nights
 * of D−2 … D run in order, each test changing one input and checking which dates were recomputed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IncrementalNightTest {
  private static final LocalDate D = LocalDate.of(2026, 11, 22);
  private static final String DB = "incremental_night";
  private static final List<String> SILVER_AND_GOLD =
      List.of(
          "gpu_samples",
          "pod_info",
          "node_info",
          "billing_hourly",
          "gpu_hourly",
          "workload_daily",
          "cluster_daily",
          "team_daily");
  private static Path fleet;
  private static SparkSession spark;
  private static LedgerConfig config;
  private static final AtomicInteger firstNightJobs = new AtomicInteger();

  @BeforeAll
  static void firstNight() throws IOException {
    fleet = Files.createTempDirectory("incremental-fleet");
    FleetGenerator.generate(
        new FleetSpec(D.minusDays(2), 3, 2, 7, TelemetryFormat.PARQUET, 60).withHoursPerDay(2),
        fleet);
    spark = TestSpark.session();
    config = TestSpark.fleetConfig(fleet, DB);
    NightlyRun.Night first =
        countingJobs(firstNightJobs, () -> new NightlyRun(spark, config).run(D, 2));
    assertEquals(
        List.of(D.minusDays(2), D.minusDays(1), D),
        first.published(),
        "an empty lake publishes every date");
  }

  @Test
  @Order(1)
  void aSecondIdenticalNightCommitsNothingAndRunsFewSparkJobs() {
    // (--force recomputing every date whatever changed: NightlySemanticsTest.)
    Map<String, Long> versions = versions(DB);

    AtomicInteger jobs = new AtomicInteger();
    NightlyRun.Night again = countingJobs(jobs, () -> new NightlyRun(spark, config).run(D, 2));
    assertEquals(List.of(), again.published());
    assertEquals(List.of(D.minusDays(2), D.minusDays(1), D), again.kept());
    assertEquals(
        List.of(), again.recommended(), "nothing changed, so recommend and tickets did not run");
    assertEquals(
        versions, versions(DB), "no new commit to any silver, gold or recommendation table");
    assertTrue(
        jobs.get() * 10 < firstNightJobs.get(),
        "the kept night ran " + jobs.get() + " Spark jobs, the first one " + firstNightJobs.get());
  }

  @Test
  @Order(2)
  void aLateTelemetryFileRecomputesTheTwoDatesThatReadItsFolderAndMatchesAFromScratchRun()
      throws IOException {
    writeLateFileForDayBefore(D);
    NightlyRun.Night night = new NightlyRun(spark, config).run(D, 2);
    // dt=D is read by D (its own folder) and by D-1 (stragglers of D-1); D-2 reads dt=D-2 and
    // dt=D-1 only.
    assertEquals(List.of(D.minusDays(1), D), night.published());
    assertEquals(List.of(D.minusDays(2)), night.kept());

    String scratch = DB + "_scratch";
    new NightlyRun(spark, TestSpark.fleetConfig(fleet, scratch)).run(D, 2);
    assertEquals(
        snapshot(scratch),
        snapshot(DB),
        "incremental tables equal a from-scratch run on the same files");
  }

  @Test
  @Order(3)
  void aRestatedBillForTheOldestDateRecomputesOnlyThatDateAndItsFiguresFollowTheBill()
      throws IOException {
    LocalDate restated = D.minusDays(2);
    double before = gpuCost(restated);
    double otherBefore = gpuCost(D.minusDays(1));
    // Every money column of the date's CUR lines doubled: with the whole-node share the GPU cost is
    // the bill's amortized cost x the GPU share of the node, so the date's gpu_cost doubles; the
    // other dates' lines are untouched.
    BillRestatement.scaleDay(fleet.resolve("billing/cur"), restated, 2.0);
    NightlyRun.Night night = new NightlyRun(spark, config).run(D, 2);
    assertEquals(
        List.of(restated),
        night.published(),
        "the month's file changed, but only this date's lines did");
    assertEquals(2 * before, gpuCost(restated), 1e-6 * before);
    assertEquals(otherBefore, gpuCost(D.minusDays(1)), 0.0);
  }

  @Test
  @Order(4)
  void aChangedActivityThresholdRecomputesEveryDate() {
    NightlyRun.Night night =
        new NightlyRun(spark, TestSpark.fleetConfig(fleet, DB, "idle.activity_threshold=0.02"))
            .run(D, 2);
    assertEquals(List.of(D.minusDays(2), D.minusDays(1), D), night.published());
    assertEquals(List.of(D), night.recommended());
    assertEquals(
        "0",
        String.valueOf(
            spark
                .sql(
                    "SELECT count(*) FROM "
                        + DB
                        + ".run_inputs WHERE run_id <> '"
                        + night.runId()
                        + "'")
                .first()
                .get(0)),
        "every date's manifest is now the one of this run");
  }

  private static <T> T countingJobs(AtomicInteger jobs, Supplier<T> work) {
    SparkListener listener =
        new SparkListener() {
          @Override
          public void onJobStart(SparkListenerJobStart jobStart) {
            jobs.incrementAndGet();
          }
        };
    spark.sparkContext().addSparkListener(listener);
    try {
      return work.get();
    } finally {
      try {
        spark.sparkContext().listenerBus().waitUntilEmpty();
      } catch (TimeoutException e) {
        throw new IllegalStateException(e);
      }
      spark.sparkContext().removeSparkListener(listener);
    }
  }

  private static Map<String, Long> versions(String database) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String t :
        Stream.concat(
                SILVER_AND_GOLD.stream(),
                Stream.of("recommendations", "recommendation_history", "run_inputs"))
            .toList()) {
      out.put(
          t,
          spark
              .sql("DESCRIBE HISTORY " + database + "." + t)
              .agg(max(col("version")))
              .first()
              .getLong(0));
    }
    return out;
  }

  private static List<String> snapshot(String database) {
    return Stream.concat(
            SILVER_AND_GOLD.stream(), Stream.of("recommendations", "recommendation_history"))
        .flatMap(
            t ->
                spark.sql("SELECT * FROM " + database + "." + t).collectAsList().stream()
                    .map(r -> t + " " + r)
                    .sorted())
        .toList();
  }

  private static double gpuCost(LocalDate d) {
    return spark
        .sql("SELECT SUM(gpu_cost) FROM " + DB + ".cluster_daily WHERE date = DATE'" + d + "'")
        .first()
        .getDouble(0);
  }

  /**
   * A straggler file of {@code day − 1} that the archiver delivered late into {@code dt=day/}: the last 5 minutes of
   * one node's samples of that day, moved 10 minutes later (past the generated hours, so they are new samples).
   */
  private static void writeLateFileForDayBefore(LocalDate day) throws IOException {
    Path dayBefore = fleet.resolve("telemetry").resolve("dt=" + day.minusDays(1));
    Path source;
    try (Stream<Path> files = Files.list(dayBefore)) {
      source =
          files.filter(p -> p.toString().endsWith(".parquet")).sorted().findFirst().orElseThrow();
    }
    Dataset<Row> samples = spark.read().parquet(source.toString());
    Timestamp last = samples.agg(max("timestamp")).first().getTimestamp(0);
    Instant moved = last.toInstant().plusSeconds(600);
    assertTrue(
        moved.isBefore(day.atStartOfDay(ZoneOffset.UTC).toInstant()),
        "the moved samples still belong to the day before");
    Dataset<Row> late =
        samples
            .where(col("timestamp").gt(lit(Timestamp.from(last.toInstant().minusSeconds(300)))))
            .withColumn("timestamp", col("timestamp").plus(expr("INTERVAL 10 MINUTES")));
    Path tmp = Files.createTempDirectory("late-file");
    late.coalesce(1).write().mode("overwrite").parquet(tmp.resolve("out").toString());
    Path part;
    try (Stream<Path> parts = Files.list(tmp.resolve("out"))) {
      part =
          parts
              .filter(p -> p.getFileName().toString().startsWith("part-"))
              .findFirst()
              .orElseThrow();
    }
    Files.copy(
        part,
        fleet
            .resolve("telemetry")
            .resolve("dt=" + day)
            .resolve("dcgm-late-" + day.minusDays(1) + ".parquet"));
  }
}
