package dev.idleledger.ingest.telemetry;

import static dev.idleledger.ingest.series.SampleArchive.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idleledger.ingest.series.SampleArchive;
import dev.idleledger.ingest.series.SampleArchive.Sample;
import dev.idleledger.ingest.series.SeriesArchiveReader;
import dev.idleledger.ingest.series.SeriesRead;
import dev.idleledger.quality.SourceAccounting;
import dev.idleledger.testing.FrameAssertions;
import dev.idleledger.testing.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One tiny set of samples written as Prometheus text (gzip), CSV (ISO and epoch-ms timestamps, one file
 * gzip), Parquet (TIMESTAMP, and INT64 epoch ms with cluster as a top-level column), a {@code promtool tsdb
 * dump} (gzip) and a {@code promtool tsdb dump-openmetrics} gives the same gpu_samples rows, and those rows
 * are what COST_MODEL §2 says they are.
 */
class TelemetryEncodingsTest {
  private static final LocalDate DATE = LocalDate.of(2026, 11, 1);
  private static final String CONTAINER = "main \"x\", y\\z"; // needs escaping in every encoding
  private static final List<String> ROOTS =
      List.of("prom", "csv", "parquet", "promtool", "openmetrics");
  private static final List<String> DBS = ROOTS.stream().map(r -> "enc_" + r + "_samples").toList();
  private static final List<SourceAccounting> ACCOUNTING = new ArrayList<>();
  private static SparkSession spark;

  static List<Sample> samples() {
    List<Sample> s = new ArrayList<>();
    String[] a = {
      "cluster",
      "c1",
      "Hostname",
      "node-a",
      "gpu",
      "0",
      "UUID",
      "GPU-a",
      "modelName",
      "NVIDIA A100-SXM4-40GB",
      "pod",
      "train-1",
      "namespace",
      "ml",
      "container",
      CONTAINER
    };
    for (int i = 0; i < 3; i++) {
      String ts = "2026-11-01T10:00:0" + i + "Z";
      s.add(sample(ts, "DCGM_FI_PROF_GR_ENGINE_ACTIVE", "0.9", a));
      s.add(sample(ts, "DCGM_FI_DEV_FB_USED", "30000", a));
      s.add(sample(ts, "DCGM_FI_DEV_POWER_USAGE", "300.5", a));
      s.add(sample(ts, "DCGM_FI_DEV_GPU_TEMP", "41", a));
    }
    // A conflicting duplicate of one series: the maximum is kept.
    s.add(sample("2026-11-01T10:00:01Z", "DCGM_FI_PROF_GR_ENGINE_ACTIVE", "0.95", a));
    // A time-sliced GPU named with the old exporters' spellings, scraped every 10 s: one series per
    // pod.
    for (int i = 0; i < 3; i++) {
      String ts = "2026-11-01T10:00:" + i + "0Z";
      for (String pod : List.of("chat-1", "chat-2")) {
        s.add(
            sample(
                ts,
                "DCGM_FI_PROF_GR_ENGINE_ACTIVE",
                pod.equals("chat-1") ? "0.2" : "0.3",
                "cluster",
                "c1",
                "hostname",
                "node-b",
                "gpu",
                "1",
                "UUID",
                "GPU-b",
                "pod_name",
                pod,
                "pod_namespace",
                "serving",
                "container_name",
                "api"));
      }
    }
    // A MIG-enabled GPU scraped every 30 s: the parent's own series is not a unit.
    for (int i = 0; i < 3; i++) {
      String ts = "2026-11-01T10:0" + (i / 2) + ":" + (i % 2 == 0 ? "00" : "30") + "Z";
      s.add(
          sample(
              ts,
              "DCGM_FI_DEV_FB_USED",
              "1000",
              "cluster",
              "c1",
              "Hostname",
              "node-a",
              "gpu",
              "2",
              "UUID",
              "GPU-c"));
      s.add(
          sample(
              ts,
              "DCGM_FI_DEV_FB_USED",
              "500",
              "cluster",
              "c1",
              "Hostname",
              "node-a",
              "gpu",
              "2",
              "UUID",
              "GPU-c",
              "GPU_I_ID",
              "1",
              "GPU_I_PROFILE",
              "3g.40gb"));
    }
    return s;
  }

  @BeforeAll
  static void ingestEveryEncoding() throws IOException {
    spark = TestSpark.session();
    List<Sample> samples = samples();
    Path base = Files.createTempDirectory("telemetry-encodings");
    Path prom = base.resolve("prom/dt=" + DATE);
    SampleArchive.writeProm(prom.resolve("a.prom"), samples);
    SampleArchive.gzip(prom.resolve("a.prom"), prom.resolve("a.prom.gz"));
    Path csv = base.resolve("csv/dt=" + DATE + "/hour=10");
    SampleArchive.writeCsv(csv.resolve("a.csv"), samples.subList(0, 10), false);
    SampleArchive.writeCsv(csv.resolve("b.csv"), samples.subList(10, samples.size()), true);
    SampleArchive.gzip(csv.resolve("b.csv"), csv.resolve("b.csv.gz"));
    // Two Parquet layouts in one day: TIMESTAMP with labels only in the map, and INT64 epoch ms
    // with cluster a
    // top-level column that wins over a stale map entry.
    SampleArchive.writeParquet(
        spark,
        base.resolve("parquet/dt=" + DATE + "/ts"),
        samples.subList(0, 10),
        false,
        List.of(),
        Map.of());
    SampleArchive.writeParquet(
        spark,
        base.resolve("parquet/dt=" + DATE + "/ms"),
        samples.subList(10, samples.size()),
        true,
        List.of("cluster"),
        Map.of("cluster", "wrong"));
    Path promtool = base.resolve("promtool/dt=" + DATE);
    SampleArchive.writePromtoolDump(promtool.resolve("dump.prom"), samples);
    SampleArchive.gzip(promtool.resolve("dump.prom"), promtool.resolve("dump.prom.gz"));
    SampleArchive.writeOpenMetrics(base.resolve("openmetrics/dt=" + DATE + "/dump.prom"), samples);
    // The stage's transform on each archive, without the Delta writes (those are the trace and S3
    // tests' job).
    GpuSampleTransform transform = new GpuSampleTransform(10);
    for (int i = 0; i < ROOTS.size(); i++) {
      String root = base.resolve(ROOTS.get(i)).toString();
      SeriesRead read =
          new SeriesArchiveReader(spark).read(root, DATE, GpuSampleTransform.metrics());
      Dataset<Row> units =
          transform.seriesUnits(read.series(GpuSampleTransform.rowRejected())).persist();
      Dataset<Row> classified = transform.classify(read.samples(), units);
      transform
          .toGpuSamples(GpuSampleTransform.usable(classified), units)
          .createOrReplaceTempView(DBS.get(i));
      spark.table(DBS.get(i)).cache();
      ACCOUNTING.add(
          TelemetryIngest.count(
              read, TelemetryIngest.RuleCounts.of(units), spark.table(DBS.get(i))));
    }
  }

  private static List<String> silver(String view) {
    return ordered(view).collectAsList().stream().map(Row::toString).toList();
  }

  private static Dataset<Row> ordered(String view) {
    return spark.sql("SELECT * FROM " + view + " ORDER BY unit_id, ts");
  }

  @Test
  void everyEncodingGivesTheSameSilverRows() {
    List<String> prom = silver(DBS.get(0));
    assertEquals(9, prom.size(), String.join("\n", prom));
    for (String db : DBS.subList(1, DBS.size())) {
      FrameAssertions.assertSameFrame(
          db + " against " + DBS.get(0), ordered(DBS.get(0)), ordered(db), 0.0);
    }
  }

  @Test
  void everyEncodingAccountsTheSameRows() {
    // 13 rows on GPU-a (3 x 3 metrics, a duplicate, 3 GPU_TEMP ignored), 6 on GPU-b, 6 on GPU-c (3
    // of the MIG parent, ignored).
    SourceAccounting expected = new SourceAccounting("telemetry", 25, 18, 0, 1, 6);
    assertEquals(DBS.size(), ACCOUNTING.size());
    ACCOUNTING.forEach(a -> assertEquals(expected, a));
  }

  @Test
  void eachSilverRowCountsTheRawRowsItMergedAndTheirRepeats() {
    for (String db : DBS) {
      List<String> perUnit =
          spark
              .sql(
                  "SELECT unit_id, sum(raw_rows), sum(duplicate_rows) FROM "
                      + db
                      + " GROUP BY unit_id ORDER BY unit_id")
              .collectAsList()
              .stream()
              .map(Row::toString)
              .toList();
      // GPU-a: 3 x 3 metrics and the repeat of one; GPU-b: two pods' series x 3 samples; GPU-c/1:
      // the MIG instance's 3.
      assertEquals(List.of("[GPU-a,10,1]", "[GPU-b,6,0]", "[GPU-c/1,3,0]"), perUnit, db);
    }
  }

  @Test
  void unitsHoldersAndHoldTimesFollowTheCostModel() {
    for (String db : DBS) {
      List<Row> rows =
          spark
              .sql(
                  "SELECT unit_id, node, cluster, count(*), collect_set(hold_seconds), "
                      + "collect_set(array_join(transform(holders, h -> h.namespace || '/' || h.pod || '/' || h.container), ',')), max(gr_engine_active), "
                      + "min(mig_profile), max(fb_used_mib) FROM "
                      + db
                      + " GROUP BY unit_id, node, cluster ORDER BY unit_id")
              .collectAsList();
      assertEquals(3, rows.size(), db);
      Row a = rows.get(0);
      assertEquals(
          List.of("GPU-a", "node-a", "c1", 3L),
          List.of(a.get(0), a.get(1), a.get(2), a.get(3)),
          db);
      assertEquals(
          List.of(1.0),
          a.getList(4),
          db + ": 1 s scrapes hold 1 s; the last one the median spacing");
      assertEquals(List.of("ml/train-1/" + CONTAINER), a.getList(5), db);
      assertEquals(0.95, a.getDouble(6), db);
      Row b = rows.get(1);
      assertEquals(
          List.of("GPU-b", "node-b", "c1", 3L),
          List.of(b.get(0), b.get(1), b.get(2), b.get(3)),
          db);
      assertEquals(
          List.of(10.0), b.getList(4), db + ": 10 s scrapes are within the 10 s gap limit");
      assertEquals(List.of("serving/chat-1/api,serving/chat-2/api"), b.getList(5), db);
      assertEquals(0.3, b.getDouble(6), db);
      Row c = rows.get(2);
      assertEquals(
          List.of("GPU-c/1", "node-a", "c1", 3L),
          List.of(c.get(0), c.get(1), c.get(2), c.get(3)),
          db);
      assertEquals(
          List.of(30.0),
          c.getList(4),
          db + ": 30 s scrapes are over the limit and hold their median spacing");
      assertEquals(List.of(""), c.getList(5), db);
      assertEquals("3g.40gb", c.getString(7), db);
      assertEquals(
          500.0, c.getDouble(8), db + ": the MIG parent's own series (1000) is not a unit");
    }
  }
}
