package dev.idleledger.nightly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.RunFailedException;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.testing.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.commons.io.FileUtils;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A night holds its dates' checks and writes them to {@code run_quality} in one commit; a night that fails on a check
 * writes every check it holds before it stops, the passing dates' as well as the failing one's.
 */
class NightQualityChecksTest {
  private static final String DB = "night_quality_checks";
  private static final LocalDate TRACE_DAY = LocalDate.of(2026, 11, 28);

  @TempDir static Path dir;

  @Test
  void aNightFailingOnItsNewestDateHasWrittenEveryDatesChecksInOneCommit() throws IOException {
    SparkSession spark = TestSpark.session();
    Path trace = copyOfTheTrace();
    // One row of the trace's day that cannot be read, beside the trace's 2,412: more than a
    // share of 0.0001 quarantined fails the day's telemetry check. The day before reads the
    // same folder (for its stragglers) and finds none of its own rows there, so it passes.
    Files.writeString(
        trace.resolve("telemetry/dt=" + TRACE_DAY + "/unreadable.csv"),
        "timestamp,metric,value,cluster,Hostname,gpu,UUID,device,modelName,namespace,pod,container\n"
            + TRACE_DAY
            + "T12:00:00Z,DCGM_FI_DEV_GPU_UTIL,not-a-number,h100-lab,gpu-node-1,0,"
            + "GPU-f23f1c32-9f9d-11bd-9160-8a0da07a5cdd,nvidia0,NVIDIA H100 80GB HBM3,,,\n");
    LedgerConfig config = TestSpark.fleetConfig(trace, DB, "quality.max_quarantine_share=0.0001");

    RunFailedException failed =
        assertThrows(
            RunFailedException.class, () -> new NightlyRun(spark, config).run(TRACE_DAY, 1));
    assertTrue(failed.getMessage().contains("quarantine_share (telemetry)"), failed.getMessage());

    List<Row> checks =
        spark
            .sql(
                "SELECT CAST(date AS STRING), `check`, source, passed FROM "
                    + DB
                    + ".run_quality ORDER BY date, `check`, source")
            .collectAsList();
    List<Row> dayBefore =
        checks.stream()
            .filter(r -> r.getString(0).equals(TRACE_DAY.minusDays(1).toString()))
            .toList();
    assertTrue(
        dayBefore.stream().anyMatch(r -> r.getString(1).equals("rows_accounted")),
        "the passing day's accounting is written: " + checks);
    assertTrue(
        dayBefore.stream().allMatch(r -> r.getBoolean(3)), "the day before passes: " + dayBefore);
    assertTrue(
        checks.stream()
            .anyMatch(
                r ->
                    r.getString(0).equals(TRACE_DAY.toString())
                        && r.getString(1).equals("quarantine_share")
                        && r.getString(2).equals("telemetry")
                        && !r.getBoolean(3)),
        "the failing check is written: " + checks);

    // The table's creation, then the night's one append.
    long writes =
        spark
            .sql("DESCRIBE HISTORY " + DB + ".run_quality")
            .where("operation <> 'CREATE TABLE'")
            .count();
    assertEquals(1, writes, "commits to run_quality besides its creation");
  }

  private static Path copyOfTheTrace() throws IOException {
    Path to = dir.resolve("trace");
    FileUtils.copyDirectory(TestSpark.sharedDir().resolve("data/h100-trace").toFile(), to.toFile());
    return to;
  }
}
