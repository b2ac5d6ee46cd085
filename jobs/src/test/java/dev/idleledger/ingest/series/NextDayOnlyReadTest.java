package dev.idleledger.ingest.series;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.spark.StageFrames;
import dev.idleledger.testing.TestSpark;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A date whose only file is the next day's (read for its stragglers) and which has none: its samples are an empty
 * local frame, which Spark folds on the driver (issue #20); with one straggler they are read as before.
 */
class NextDayOnlyReadTest {
  private static final LocalDate DATE = LocalDate.of(2026, 11, 27);
  private static final String METRIC = "DCGM_FI_DEV_GPU_UTIL";
  private final SparkSession spark = TestSpark.session();

  @TempDir Path tmp;

  @Test
  void withoutStragglersTheSamplesAreKnownEmpty() {
    SampleArchive.writeCsv(
        tmp.resolve("dt=" + DATE.plusDays(1)).resolve("a.csv"),
        List.of(
            SampleArchive.sample("2026-11-28T00:00:00Z", METRIC, "10", "gpu", "0"),
            SampleArchive.sample("2026-11-28T00:00:30Z", METRIC, "20", "gpu", "0")),
        false);
    SeriesRead read = new SeriesArchiveReader(spark).read(tmp.toString(), DATE, Set.of(METRIC));
    assertTrue(StageFrames.knownEmpty(read.samples()));
    assertTrue(StageFrames.knownEmpty(read.series()), "and so is every grouped query over them");
    assertEquals(0, read.rowsRead());
    assertEquals(0, read.rowsIgnored());
  }

  @Test
  void aStragglerIsReadAsBefore() {
    SampleArchive.writeCsv(
        tmp.resolve("dt=" + DATE.plusDays(1)).resolve("a.csv"),
        List.of(
            SampleArchive.sample("2026-11-27T23:59:50Z", METRIC, "10", "gpu", "0"),
            SampleArchive.sample("2026-11-28T00:00:30Z", METRIC, "20", "gpu", "0")),
        false);
    SeriesRead read = new SeriesArchiveReader(spark).read(tmp.toString(), DATE, Set.of(METRIC));
    assertFalse(StageFrames.knownEmpty(read.samples()));
    assertEquals(1, read.rowsRead());
    assertEquals(1L, read.samples().count());
  }
}
