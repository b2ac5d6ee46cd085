package dev.idleledger.recommend;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.config.InstanceCatalog;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.generate.FleetGenerator;
import dev.idleledger.generate.FleetSpec;
import dev.idleledger.generate.TelemetryFormat;
import dev.idleledger.nightly.NightlyRun;
import dev.idleledger.quality.QualityRecorder;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.tables.RecommendationKind;
import dev.idleledger.tables.RecommendationTables;
import dev.idleledger.testing.TestSpark;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A generated fleet (two nodes of the pool pattern, the first two hours of three days, 30 s scrapes) whose idle
 * notebook nb-bob is culled from the third day on (FleetSpec.fixFromDay). With a one-day window and resolution after
 * one quiet night, CULL_IDLE_NOTEBOOK opens on day 1, stays open on day 2 and resolves on day 3; the realized
 * savings are the notebook's day-1 cost (from the generator's own ground truth) x 30, since it held nothing after.
 *
 * <p>Three full nights (ingest, attribute, rollup, recommend) take minutes on two busy cores, over the suite's budget:
 * run it with {@code -Didle-ledger.slow-tests=true}.
 */
@EnabledIfSystemProperty(named = "idle-ledger.slow-tests", matches = "true")
class PlantedFixRealizedSavingsTest {
  private static final LocalDate START = LocalDate.of(2026, 11, 10);
  private static final String SUBJECT = "ml-east/research/StatefulSet/nb-bob";
  private static final Map<LocalDate, Row> bob = new HashMap<>();
  private static double bobDayOneCost;

  @BeforeAll
  static void runNights() throws Exception {
    Path parent = Files.createDirectories(Path.of("target", "generated-fleets"));
    Path fleet = Files.createTempDirectory(parent, "planted-fix");
    FleetGenerator.generate(
        new FleetSpec(START, 3, 2, 5, TelemetryFormat.PARQUET, 30)
            .withHoursPerDay(2)
            .withFixFromDay(START.plusDays(2)),
        fleet);
    LedgerConfig config =
        TestSpark.config(
            "catalog.database=planted_fix",
            "recommend.window_days=1",
            "recommend.resolve_after_days=1",
            "input.telemetry=" + fleet.resolve("telemetry"),
            "input.kube=" + fleet.resolve("kube"),
            "input.billing.cur=" + fleet.resolve("billing/cur"),
            "input.billing.focus=" + fleet.resolve("billing/focus"));
    SparkSession spark = TestSpark.session();
    LakeTables tables = new LakeTables(spark, config);
    NightlyRun nightly = new NightlyRun(spark, config);
    RecommendStage stage = new RecommendStage(spark, config, InstanceCatalog.load(config));
    String id =
        RecommendationKind.recommendationId(RecommendationKind.CULL_IDLE_NOTEBOOK.name(), SUBJECT);
    for (int d = 0; d < 3; d++) {
      LocalDate day = START.plusDays(d);
      nightly.runDate(day, "planted-fix");
      stage.run(day, new QualityRecorder(tables, "planted-fix", day));
      List<Row> rows =
          tables
              .read(RecommendationTables.RECOMMENDATIONS)
              .where(col("recommendation_id").equalTo(id))
              .collectAsList();
      if (!rows.isEmpty()) {
        bob.put(day, rows.get(0));
      }
    }
    try (Reader r = Files.newBufferedReader(fleet.resolve("truth/workload_daily.csv"))) {
      for (CSVRecord rec :
          CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
        if (rec.get("date").equals(START.toString()) && rec.get("workload_name").equals("nb-bob")) {
          bobDayOneCost = Double.parseDouble(rec.get("cost"));
        }
      }
    }
  }

  @Test
  void idleNotebookOpensBeforeTheFix() {
    assertEquals("OPEN", bob.get(START).getAs("status"));
    assertEquals("OPEN", bob.get(START.plusDays(1)).getAs("status"));
    assertTrue(bob.get(START).<String>getAs("action").contains("research/nb-bob"));
  }

  @Test
  void theFixResolvesItAndItsRealizedSavingsAreTheNotebooksFormerDailyCost() {
    Row after = bob.get(START.plusDays(2));
    assertEquals("RESOLVED", after.getAs("status"));
    assertTrue(bobDayOneCost > 0, "the truth has nb-bob's day-one cost");
    assertEquals(bobDayOneCost * 30, after.<Double>getAs("realized_monthly_savings"), 1e-6);
  }
}
