package dev.idleledger.nightly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.attribute.GpuHourlyTable;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.generate.FleetGenerator;
import dev.idleledger.generate.FleetSpec;
import dev.idleledger.generate.TelemetryFormat;
import dev.idleledger.ingest.SilverTables;
import dev.idleledger.rollup.GoldTables;
import dev.idleledger.spark.LakeCatalog;
import dev.idleledger.spark.LakeTableProperties;
import dev.idleledger.spark.TableSpec;
import dev.idleledger.testing.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The first night of this release on a lake the previous release (commit a4df4d3) wrote: every table is upgraded
 * in place (new columns with their comments, the lake's table properties), new tables are created, the old night's
 * rows and files are untouched, and the new night is published beside them. The old lake is a fixture
 * (src/test/resources/lakes/README.md says how it was made).
 */
class PreviousReleaseLakeTest {
  private static final String FIXTURE = "/lakes/release-a4df4d3/warehouse/idle_ledger.db";
  private static final String DB = "previous_release_lake";
  private static final LocalDate OLD_NIGHT = LocalDate.of(2026, 11, 1);
  private static final LocalDate NEW_NIGHT = LocalDate.of(2026, 11, 2);

  /** Tables the previous release wrote, with a date column, whose old night is compared row by row. */
  private static final List<TableSpec> DATED =
      List.of(
          SilverTables.GPU_SAMPLES,
          SilverTables.POD_INFO,
          SilverTables.BILLING_HOURLY,
          GpuHourlyTable.SPEC,
          GoldTables.WORKLOAD_DAILY,
          GoldTables.CLUSTER_DAILY,
          GoldTables.TEAM_DAILY);

  /** Every table this release writes. */
  private static final List<TableSpec> ALL = LakeSchema.ALL;

  private static SparkSession spark;
  private static final Map<String, List<String>> oldColumns = new HashMap<>();
  private static final Map<String, List<String>> oldRows = new HashMap<>();
  private static final Map<String, List<String>> oldFiles = new HashMap<>();

  @BeforeAll
  static void runThisReleaseOnTheOldLake() throws Exception {
    Path lake = Files.createTempDirectory("previous-release-lake");
    copyTree(
        Path.of(PreviousReleaseLakeTest.class.getResource(FIXTURE).toURI()),
        Path.of(LakeCatalog.databaseLocation(lake.toString(), DB)));
    spark = TestSpark.session();
    // What a session of this release does first: register the tables it finds in the lake's
    // folders.
    LakeCatalog.register(spark, lake.toUri().toString().replaceAll("/$", ""), DB);
    for (TableSpec spec : DATED) {
      String table = DB + "." + spec.name();
      List<String> columns = Arrays.asList(spark.table(table).columns());
      oldColumns.put(spec.name(), columns);
      oldRows.put(spec.name(), rows(table, columns, OLD_NIGHT));
      oldFiles.put(spec.name(), files(table, OLD_NIGHT));
    }

    Path fleet = Files.createTempDirectory("previous-release-fleet");
    FleetGenerator.generate(
        new FleetSpec(NEW_NIGHT, 1, 1, 42, TelemetryFormat.PARQUET, 60).withHoursPerDay(2), fleet);
    LedgerConfig config = TestSpark.fleetConfig(fleet, DB, "lake.root=" + lake);
    new NightlyRun(spark, config).run(NEW_NIGHT, 0);
  }

  @Test
  void theFixtureIsALakeWithoutThisReleasesColumnsAndTables() {
    assertFalse(
        oldColumns.get("gpu_samples").contains("hold_seconds_next_hour"),
        "the fixture must be from before the column");
    assertFalse(
        oldColumns.get("workload_daily").contains("aws_split_cost"),
        "the fixture must be from before the column");
    assertTrue(
        oldRows.get("cluster_daily").size() > 0 && oldRows.get("gpu_samples").size() > 0,
        "the fixture holds a night");
  }

  @Test
  void everyColumnOfThisReleaseIsInTheLakeWithItsComment() {
    for (TableSpec spec : ALL) {
      Map<String, StructField> lake =
          Arrays.stream(spark.table(DB + "." + spec.name()).schema().fields())
              .collect(Collectors.toMap(StructField::name, f -> f));
      for (TableSpec.Column c : spec.columns()) {
        StructField f = lake.get(c.name());
        assertTrue(f != null, spec.name() + "." + c.name() + " missing after the upgrade");
        assertEquals(
            c.comment(),
            f.getComment().getOrElse(() -> null),
            spec.name() + "." + c.name() + " comment");
      }
    }
    String describe =
        spark.sql("DESCRIBE TABLE " + DB + ".workload_daily").collectAsList().toString();
    assertTrue(
        describe.contains("aws_split_cost,double,what AWS split cost allocation data"), describe);
  }

  @Test
  void theOldNightsRowsAndFilesAreUntouchedAndItsNewColumnsAreNull() {
    for (TableSpec spec : DATED) {
      String table = DB + "." + spec.name();
      List<String> columns = oldColumns.get(spec.name());
      assertEquals(
          oldRows.get(spec.name()),
          rows(table, columns, OLD_NIGHT),
          table + " rows of " + OLD_NIGHT);
      assertEquals(
          oldFiles.get(spec.name()),
          files(table, OLD_NIGHT),
          table + ": the old night's files were rewritten");
      for (TableSpec.Column c : spec.columns()) {
        if (!columns.contains(c.name())) {
          long set =
              spark
                  .table(table)
                  .where("date = DATE'" + OLD_NIGHT + "' AND " + c.name() + " IS NOT NULL")
                  .count();
          assertEquals(0, set, table + "." + c.name() + " is new: null on the old night's rows");
        }
      }
    }
  }

  @Test
  void theNewNightIsPublishedAndReconciles() {
    Row night =
        spark
            .sql(
                "SELECT count(*), max(abs(reconciliation_delta)), sum(gpu_cost) FROM "
                    + DB
                    + ".cluster_daily WHERE date = DATE'"
                    + NEW_NIGHT
                    + "'")
            .first();
    assertTrue(night.getLong(0) > 0, "cluster_daily has the new night");
    assertTrue(night.getDouble(1) <= 1e-6, "the new night reconciles: " + night);
    assertTrue(night.getDouble(2) > 0, "the new night is priced: " + night);
    assertTrue(
        spark
                .table(DB + ".gpu_samples")
                .where("date = DATE'" + NEW_NIGHT + "' AND hold_seconds_next_hour IS NOT NULL")
                .count()
            > 0,
        "the new column is written for the new night");
    Row inputs =
        spark
            .sql(
                "SELECT count(*), count(DISTINCT run_id) FROM "
                    + DB
                    + ".run_inputs WHERE date = DATE'"
                    + NEW_NIGHT
                    + "'")
            .first();
    assertTrue(
        inputs.getLong(0) > 0,
        "run_inputs, new in this release, was created and records the night's inputs");
    assertEquals(1, inputs.getLong(1), "one run published the night");
  }

  @Test
  void everyTableCarriesTheLakesProperties() {
    for (TableSpec spec : ALL) {
      Map<String, String> properties =
          spark.sql("SHOW TBLPROPERTIES " + DB + "." + spec.name()).collectAsList().stream()
              .collect(Collectors.toMap(r -> r.getString(0), r -> r.getString(1)));
      for (Map.Entry<String, String> p : LakeTableProperties.DEFAULTS.entrySet()) {
        assertEquals(p.getValue(), properties.get(p.getKey()), spec.name() + " " + p.getKey());
      }
    }
  }

  private static List<String> rows(String table, List<String> columns, LocalDate date) {
    return spark
        .table(table)
        .where("date = DATE'" + date + "'")
        .selectExpr(columns.toArray(String[]::new))
        .collectAsList()
        .stream()
        .map(Row::toString)
        .sorted()
        .toList();
  }

  private static List<String> files(String table, LocalDate date) {
    return Arrays.stream(spark.table(table).where("date = DATE'" + date + "'").inputFiles())
        .sorted()
        .toList();
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
