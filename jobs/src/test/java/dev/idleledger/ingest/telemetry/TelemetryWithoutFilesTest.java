package dev.idleledger.ingest.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.ingest.SilverTables;
import dev.idleledger.quality.QualityRecorder;
import dev.idleledger.quality.QualityTables;
import dev.idleledger.quality.SourceAccounting;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.spark.WrittenRows;
import dev.idleledger.testing.TestSpark;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.TimeoutException;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A date the archive holds no file for (the lookback dates of a first night): telemetry's ingest knows its rows are
 * none without running a Spark job, writes nothing and accounts for nothing.
 */
class TelemetryWithoutFilesTest {
  @TempDir static Path archive;

  @Test
  void aDateWithoutFilesIsIngestedWithoutASparkJob() throws TimeoutException {
    SparkSession spark = TestSpark.session();
    LedgerConfig config =
        TestSpark.config("catalog.database=telemetry_without_files", "input.telemetry=" + archive);
    LocalDate date = LocalDate.of(2026, 11, 26);
    LakeTables tables = new LakeTables(spark, config);
    // Made before the date, as a night makes every table first.
    tables.ensure(SilverTables.GPU_SAMPLES);
    tables.ensure(QualityTables.QUARANTINE);
    QualityRecorder quality = new QualityRecorder(tables, "telemetry-without-files", date);
    WrittenRows written = WrittenRows.forDate(true);

    String group = "telemetry without files";
    spark.sparkContext().setJobGroup(group, group, false);
    SourceAccounting accounting;
    try {
      accounting =
          new TelemetryIngest(spark, config).noting(written).run(date, quality).orElseThrow();
    } finally {
      spark.sparkContext().clearJobGroup();
    }
    spark.sparkContext().listenerBus().waitUntilEmpty();

    assertEquals(
        0,
        spark.sparkContext().statusTracker().getJobIdsForGroup(group).length,
        "Spark jobs of the ingest");
    assertEquals(new SourceAccounting(TelemetryIngest.SOURCE, 0, 0, 0, 0, 0), accounting);
    assertTrue(written.isEmpty(SilverTables.GPU_SAMPLES), "gpu_samples noted as none");
    assertTrue(tables.holdsNoFiles(SilverTables.GPU_SAMPLES), "nothing written");
  }
}
