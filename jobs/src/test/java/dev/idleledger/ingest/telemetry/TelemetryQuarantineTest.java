package dev.idleledger.ingest.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.RunFailedException;
import dev.idleledger.ingest.series.SampleArchive;
import dev.idleledger.quality.QualityRecorder;
import dev.idleledger.quality.SourceAccounting;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.testing.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every quarantine reason, the row accounting, and which folders a day reads (stragglers of dt=D+1). */
class TelemetryQuarantineTest {
  private static final String DB = "telemetry_quarantine_test";
  private static final LocalDate DATE = LocalDate.of(2026, 11, 1);
  private static final String GR = "DCGM_FI_PROF_GR_ENGINE_ACTIVE";
  private static final String MISSING_TIMESTAMP =
      "missing timestamp (required: an archived sample without one cannot be placed in time)";
  private static final String BROKEN_LINE =
      GR + "{UUID=\"GPU-\\q\",Hostname=\"n\"} 0.5 " + ms("2026-11-01T10:00:01Z");
  private static SparkSession spark;
  private static SourceAccounting accounting;
  private static Path root;

  private static long ms(String iso) {
    return Instant.parse(iso).toEpochMilli();
  }

  private static String line(String metric, String labels, String value, String iso) {
    return metric + "{" + labels + "} " + value + (iso == null ? "" : " " + ms(iso));
  }

  @BeforeAll
  static void ingest() throws IOException {
    spark = TestSpark.session();
    root = Files.createTempDirectory("telemetry-quarantine");
    Path day = root.resolve("dt=" + DATE);
    String q = "UUID=\"GPU-q\",Hostname=\"n\"";
    SampleArchive.write(
        day.resolve("a.prom"),
        String.join(
            "\n",
            "# dcgm-exporter, archived",
            line(GR, q, "0.5", "2026-11-01T10:00:00Z"),
            line(GR, q, "NaN", "2026-11-01T10:00:01Z"),
            line("DCGM_FI_DEV_FB_USED", q, "-5", "2026-11-01T10:00:01Z"),
            line("DCGM_FI_DEV_POWER_USAGE", q, "-1", "2026-11-01T10:00:01Z"),
            line(GR, "Hostname=\"n\"", "0.5", "2026-11-01T10:00:01Z"),
            BROKEN_LINE,
            line(GR, q, "0.5", "2026-10-31T23:59:59Z"),
            line(GR, q, "0.5", null),
            ""));
    // A promtool dump whose series ends in a staleness marker (NaN), and an OpenMetrics dump
    // (seconds).
    SampleArchive.write(
        day.resolve("c.prom"),
        String.join(
            "\n",
            "{Hostname=\"n\", UUID=\"GPU-q\", __name__=\""
                + GR
                + "\"} 0.4 "
                + ms("2026-11-01T10:00:03Z"),
            "{Hostname=\"n\", UUID=\"GPU-q\", __name__=\""
                + GR
                + "\"} NaN "
                + ms("2026-11-01T10:00:04Z"),
            ""));
    SampleArchive.write(
        day.resolve("d.prom"),
        String.join(
            "\n",
            "# TYPE " + GR + " gauge",
            GR + "{" + q + "} 0.6 " + ms("2026-11-01T10:00:05Z") / 1000 + ".000",
            GR + "{" + q + "} +Inf " + ms("2026-11-01T10:00:06Z") / 1000 + ".000",
            GR + "{" + q + "} 0.6",
            GR + "{" + q + "} 0.6 yesterday",
            "# EOF",
            ""));
    SampleArchive.write(
        day.resolve("b.csv"),
        "timestamp,metric,value,UUID,Hostname\n"
            + "yesterday,"
            + GR
            + ",0.1,GPU-q,n\n"
            + "2026-11-01T10:00:02Z,"
            + GR
            + ",abc,GPU-q,n\n"
            + "2026-11-01T10:00:02Z,"
            + GR
            + ",0.7,GPU-q,n\n");
    SampleArchive.write(
        day.resolve("novalue.csv"),
        "timestamp,metric,UUID\n2026-11-01T10:00:03Z," + GR + ",GPU-q\n");
    Path whole = day.resolve("corrupt.csv");
    SampleArchive.write(
        whole,
        "timestamp,metric,value,UUID\n"
            + ("2026-11-01T10:00:04Z," + GR + ",0.2,GPU-q\n").repeat(200));
    SampleArchive.gzipCutShort(whole, day.resolve("corrupt.csv.gz"));
    Path parquetDir = root.resolve("scratch-parquet");
    SampleArchive.writeParquet(
        spark,
        parquetDir,
        List.of(SampleArchive.sample("2026-11-01T10:00:05Z", GR, "0.3", "UUID", "GPU-q")),
        false,
        List.of(),
        Map.of());
    Path part;
    try (var files = Files.list(parquetDir)) {
      part =
          files
              .filter(p -> p.getFileName().toString().endsWith(".parquet"))
              .findFirst()
              .orElseThrow();
    }
    byte[] pq = Files.readAllBytes(part);
    Files.write(day.resolve("broken.parquet"), Arrays.copyOf(pq, pq.length / 2));
    // The next day: its hour=00 holds a straggler of D; later hours are not read for D.
    SampleArchive.write(
        root.resolve("dt=2026-11-02/hour=00/late.prom"),
        String.join(
            "\n",
            line(GR, q, "0.8", "2026-11-01T23:59:59Z"),
            line(GR, q, "0.9", "2026-11-02T00:00:01Z"),
            line(GR, q, "NaN", "2026-11-02T00:00:02Z"),
            ""));
    SampleArchive.write(
        root.resolve("dt=2026-11-02/hour=05/later.prom"),
        line(GR, q, "0.6", "2026-11-01T23:59:58Z") + "\n");

    var config = TestSpark.config("input.telemetry=" + root, "catalog.database=" + DB);
    accounting =
        new TelemetryIngest(spark, config)
            .run(DATE, new QualityRecorder(new LakeTables(spark, DB), "q-run", DATE))
            .orElseThrow();
  }

  @Test
  void everyRejectedRowIsQuarantinedWithItsReasonAndLine() {
    Map<String, String> byFileLine =
        spark
            .sql("SELECT file, line, reason FROM " + DB + ".quarantine WHERE source = 'telemetry'")
            .collectAsList()
            .stream()
            .collect(
                Collectors.toMap(
                    r ->
                        r.getString(0).substring(r.getString(0).lastIndexOf('/') + 1)
                            + ":"
                            + (r.isNullAt(1) ? "-" : r.getLong(1)),
                    r -> r.getString(2)));
    assertEquals("NaN value", byFileLine.remove("a.prom:3"));
    assertEquals("negative FB", byFileLine.remove("a.prom:4"));
    assertEquals("negative power", byFileLine.remove("a.prom:5"));
    assertEquals("missing UUID", byFileLine.remove("a.prom:6"));
    assertEquals("broken Prometheus escaping", byFileLine.remove("a.prom:7"));
    assertEquals(MISSING_TIMESTAMP, byFileLine.remove("a.prom:9"));
    assertEquals("NaN value", byFileLine.remove("c.prom:2"));
    assertEquals("infinite value", byFileLine.remove("d.prom:3"));
    assertEquals(MISSING_TIMESTAMP, byFileLine.remove("d.prom:4"));
    assertEquals("unparseable timestamp", byFileLine.remove("d.prom:5"));
    assertEquals("unparseable timestamp", byFileLine.remove("b.csv:2"));
    assertEquals("non-numeric value", byFileLine.remove("b.csv:3"));
    assertEquals("CSV missing required column(s): value", byFileLine.remove("novalue.csv:-"));
    assertTrue(byFileLine.remove("corrupt.csv.gz:-").startsWith("corrupt gzip"));
    assertTrue(
        byFileLine.remove("broken.parquet:-").startsWith("truncated or corrupt Parquet file"));
    assertEquals(Map.of(), byFileLine, "nothing else is quarantined (D+1's rows are D+1's)");
    List<String> files =
        spark.sql("SELECT DISTINCT file FROM " + DB + ".quarantine").collectAsList().stream()
            .map(r -> r.getString(0))
            .toList();
    // Rejected rows and rejected files name their folder the same way (one spelling of the root's
    // URI).
    assertEquals(
        1,
        files.stream().map(f -> f.substring(0, f.indexOf("/dt=2026-11-01/"))).distinct().count(),
        files.toString());
  }

  @Test
  void quarantineKeepsTheRawText() {
    Row r =
        spark
            .sql(
                "SELECT raw, run_id, date FROM "
                    + DB
                    + ".quarantine WHERE reason = 'broken Prometheus escaping'")
            .first();
    assertEquals(BROKEN_LINE, r.getString(0));
    assertEquals("q-run", r.getString(1));
  }

  @Test
  void goodRowsStillLoadAndStragglersOfTheNextDayLandInTheirDay() {
    List<String> rows =
        spark
            .sql("SELECT ts, gr_engine_active FROM " + DB + ".gpu_samples ORDER BY ts")
            .collectAsList()
            .stream()
            .map(r -> r.getTimestamp(0).toInstant() + "=" + r.getDouble(1))
            .toList();
    assertEquals(
        List.of(
            "2026-11-01T10:00:00Z=0.5",
            "2026-11-01T10:00:02Z=0.7",
            "2026-11-01T10:00:03Z=0.4",
            "2026-11-01T10:00:05Z=0.6",
            "2026-11-01T23:59:59Z=0.8"),
        rows);
  }

  @Test
  void rowAccountingBalances() {
    // read: 8 sample lines of a.prom, 2 of c.prom, 4 of d.prom, 3 rows of b.csv, 1 straggler, 3
    // unusable files (one row each) = 21; used: a.prom 1, c.prom 1, d.prom 1, b.csv 1, the
    // straggler = 5; ignored: yesterday's row of a.prom; quarantined: the other 21 - 5 - 1 = 15.
    assertEquals(new SourceAccounting("telemetry", 21, 5, 15, 0, 1), accounting);
    assertTrue(accounting.balances());
  }

  @Test
  void aDayWithoutFoldersIsEmptyButAMissingRootIsAnError() {
    var config = TestSpark.config("input.telemetry=" + root, "catalog.database=" + DB);
    LocalDate empty = LocalDate.of(2026, 12, 24);
    SourceAccounting none =
        new TelemetryIngest(spark, config)
            .run(empty, new QualityRecorder(new LakeTables(spark, DB), "e", empty))
            .orElseThrow();
    assertEquals(new SourceAccounting("telemetry", 0, 0, 0, 0, 0), none);

    String missing = root.resolve("no-such-archive").toString();
    var bad = TestSpark.config("input.telemetry=" + missing, "catalog.database=" + DB);
    RunFailedException e =
        assertThrows(
            RunFailedException.class,
            () ->
                new TelemetryIngest(spark, bad)
                    .run(DATE, new QualityRecorder(new LakeTables(spark, DB), "m", DATE)));
    assertTrue(e.getMessage().contains(missing), e.getMessage());
  }

  @Test
  void anEmptyInputRootMeansTheSourceIsAbsent() {
    var config = TestSpark.config("input.telemetry=", "catalog.database=" + DB);
    assertTrue(
        new TelemetryIngest(spark, config)
            .run(DATE, new QualityRecorder(new LakeTables(spark, DB), "a", DATE))
            .isEmpty());
  }
}
