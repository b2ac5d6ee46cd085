package dev.idleledger.maintain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.cli.IdleLedger;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.generate.FleetGenerator;
import dev.idleledger.generate.FleetSpec;
import dev.idleledger.generate.TelemetryFormat;
import dev.idleledger.ingest.SilverTables;
import dev.idleledger.nightly.NightlyRun;
import dev.idleledger.spark.TableSpec;
import dev.idleledger.testing.TestSpark;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An aging lake: one night re-run three times with --force (each run replaces the date's files, so the table folders
 * hold three generations), then {@code maintain}. OPTIMIZE leaves fewer live files; VACUUM at the 168-hour floor
 * removes none of files replaced minutes ago, so time travel to the first re-run still reads the same rows.
 */
class LakeMaintenanceTest {
  private static final LocalDate NIGHT = LocalDate.of(2026, 11, 9);
  private static final String DB = "lake_maintenance";
  private static final int RERUNS = 3;
  private static SparkSession spark;
  private static long firstRerunVersion;
  private static Map<String, LakeMaintenance.TableResult> results;
  private static MaintainSettings settings;

  @BeforeAll
  static void threeRerunsThenMaintain() throws Exception {
    Path fleet = Files.createTempDirectory("maintain-fleet");
    FleetGenerator.generate(
        new FleetSpec(NIGHT, 1, 1, 9, TelemetryFormat.PARQUET, 60).withHoursPerDay(1), fleet);
    spark = TestSpark.session();
    LedgerConfig config = TestSpark.fleetConfig(fleet, DB);
    NightlyRun nightly = new NightlyRun(spark, config).force(true);
    for (int run = 1; run <= RERUNS; run++) {
      nightly.run(NIGHT, 0);
      if (run == 1) {
        firstRerunVersion = latestVersion(DB + ".cluster_daily");
      }
    }
    settings = MaintainSettings.from(config);
    results =
        new LakeMaintenance(spark, DB, settings)
            .run(Optional.empty()).stream()
                .collect(Collectors.toMap(r -> r.before().table(), Function.identity()));
  }

  @Test
  void optimizeLeavesFewerLiveFilesInTheSilverTables() {
    long before = 0;
    long after = 0;
    for (TableSpec spec : SilverTables.ALL) {
      LakeMaintenance.TableResult r = results.get(spec.name());
      before += r.before().liveFiles();
      after += r.after().liveFiles();
      // One date, compacted: at most one file (none when the table has no rows for it).
      assertTrue(r.after().liveFiles() <= 1, spec.name() + " after OPTIMIZE: " + r.after());
      // Without --from/--to: the maintain.recent_days newest dates, ending at the table's newest;
      // nothing for a table without rows (billing_pod_split: this fleet's bill has no split cost).
      LocalDate from = NIGHT.minusDays(settings.recentDays() - 1L);
      String expected = spark.table(DB + "." + spec.name()).isEmpty() ? "" : from + ".." + NIGHT;
      assertEquals(expected, r.optimized(), spec.name() + " compacts the newest dates");
    }
    assertTrue(after < before, "live silver files " + before + " -> " + after);
  }

  @Test
  void everyRerunsGenerationOfFilesIsStoredAndVacuumWithinRetentionKeepsThem() {
    LakeMaintenance.TableResult samples = results.get("gpu_samples");
    // Every re-run wrote at least one file for the date and replaced the previous run's.
    assertTrue(samples.before().storedFiles() >= RERUNS, samples.before().toString());
    // VACUUM keeps files replaced within 168 hours (all of them, minutes old); OPTIMIZE only adds
    // its output.
    assertTrue(
        samples.after().storedFiles() >= samples.before().storedFiles(),
        samples.after().toString());
    assertTrue(
        results.containsKey("cluster_daily") && results.get("cluster_daily").optimized().isEmpty(),
        "gold tables are vacuumed, not compacted");
  }

  @Test
  void timeTravelToTheFirstRerunStillReadsItsRows() {
    String now = rows("SELECT * FROM " + DB + ".cluster_daily");
    String then = rows("SELECT * FROM " + DB + ".cluster_daily VERSION AS OF " + firstRerunVersion);
    assertTrue(!now.isEmpty(), "cluster_daily has the night");
    // Same inputs each time: the first re-run's rows equal today's (checked_at-free gold table).
    assertEquals(now, then);
    Row samples = spark.sql("SELECT count(*) FROM " + DB + ".gpu_samples VERSION AS OF 1").first();
    assertEquals(
        spark.table(DB + ".gpu_samples").count(),
        samples.getLong(0),
        "gpu_samples' first version is readable");
  }

  @Test
  void retentionBelowDeltasSafetyCheckIsRefusedInOneLine() {
    PrintStream original = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code =
          IdleLedger.execute(
              "maintain", "--dry-run", "--set", "maintain.vacuum_retention_hours=167");
    } finally {
      System.setErr(original);
    }
    String text = err.toString(StandardCharsets.UTF_8);
    assertEquals(IdleLedger.EXIT_USAGE, code, text);
    assertEquals(1, text.lines().count(), text);
    assertTrue(
        text.contains(
            "maintain.vacuum_retention_hours: 167 is below Delta's safety check of 168 hours"),
        text);
  }

  @Test
  void dryRunNamesTheTablesTheDatesAndTheRetention() {
    PrintStream original = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code =
          IdleLedger.execute(
              "maintain",
              "--dry-run",
              "--from",
              "2026-11-01",
              "--to",
              "2026-11-07",
              "--set",
              "maintain.vacuum_retention_hours=336");
    } finally {
      System.setErr(original);
    }
    String text = err.toString(StandardCharsets.UTF_8);
    assertEquals(IdleLedger.EXIT_OK, code, text);
    assertTrue(
        text.contains(
            "OPTIMIZE gpu_samples, pod_info, node_info, billing_hourly, billing_pod_split for 2026-11-01 .. 2026-11-07"),
        text);
    assertTrue(text.contains("retaining 336 hours"), text);
  }

  private static long latestVersion(String table) {
    return spark.sql("DESCRIBE HISTORY " + table + " LIMIT 1").first().getLong(0);
  }

  private static String rows(String query) {
    return spark.sql(query).collectAsList().stream()
        .map(Row::toString)
        .sorted()
        .collect(Collectors.joining("\n"));
  }
}
