package dev.idleledger.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.ingest.billing.BillingIngest;
import dev.idleledger.ingest.kube.KubeStateIngest;
import dev.idleledger.ingest.telemetry.TelemetryIngest;
import dev.idleledger.quality.QualityRecorder;
import dev.idleledger.quality.SourceAccounting;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.testing.S3ApiServer;
import dev.idleledger.testing.TestSpark;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The H100 trace read from, and the silver lake written to, a real S3 API server through s3a://. */
class S3IngestTest {
  private static final String BUCKET = "ledger";
  private static final String DB = "s3_ingest_test";
  private static final LocalDate DATE = LocalDate.of(2026, 11, 28);
  private static S3ApiServer server;
  private static SparkSession spark;
  private static SourceAccounting telemetry;
  private static SourceAccounting kube;
  private static SourceAccounting billing;

  @BeforeAll
  static void ingestFromS3() {
    server = S3ApiServer.start();
    server.createBucket(BUCKET);
    Path trace = TestSpark.sharedDir().resolve("data/h100-trace");
    server.upload(
        BUCKET,
        "raw/telemetry/dt=2026-11-28/dcgm-gpu-node-1.csv.gz",
        trace.resolve("telemetry/dt=2026-11-28/dcgm-gpu-node-1.csv.gz"));
    server.upload(
        BUCKET,
        "raw/kube/dt=2026-11-28/ksm-h100-lab.prom",
        trace.resolve("kube/dt=2026-11-28/ksm-h100-lab.prom"));

    spark = TestSpark.session();
    // The shared session is already built, so S3A is pointed at the server on its live Hadoop
    // configuration.
    server.configure(spark.sparkContext().hadoopConfiguration());
    LedgerConfig config =
        TestSpark.config(
            "input.telemetry=s3a://" + BUCKET + "/raw/telemetry",
            "input.kube=s3a://" + BUCKET + "/raw/kube",
            "catalog.database=" + DB);
    // The embedded Hive metastore kept a copy of the Hadoop configuration from when it started
    // (before the settings above); opening the bucket here puts a correctly configured S3A
    // filesystem in Hadoop's cache, which the metastore then finds when it creates the database
    // folder.
    try {
      new org.apache.hadoop.fs.Path("s3a://" + BUCKET + "/")
          .getFileSystem(spark.sparkContext().hadoopConfiguration())
          .exists(new org.apache.hadoop.fs.Path("s3a://" + BUCKET + "/raw"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    spark.sql(
        "CREATE DATABASE IF NOT EXISTS "
            + DB
            + " LOCATION 's3a://"
            + BUCKET
            + "/lake/"
            + DB
            + ".db'");
    QualityRecorder quality = new QualityRecorder(new LakeTables(spark, DB), "s3-run", DATE);
    telemetry = new TelemetryIngest(spark, config).run(DATE, quality).orElseThrow();
    kube = new KubeStateIngest(spark, config).run(DATE, quality).orElseThrow();
    ingestCurExportFolder(trace.resolve("billing/cur/BILLING_PERIOD=2026-11/cur-00001.csv"));
  }

  /**
   * The trace's bill as a "create new" CUR 2.0 export mirrored into this bucket: two deliveries of November, the
   * older one holding the same rows twice (in two chunks); the manifest names the newer one by its URI in the payer's
   * bucket, which the reader finds under the configured export folder.
   */
  private static void ingestCurExportFolder(Path traceCur) {
    String export = "raw/cur/gpu-cur2/";
    String older = "data/BILLING_PERIOD=2026-11/0b8e3c1d-2f4a-4c6b-9d7e-1a3c5e7f9b02/";
    String newer = "data/BILLING_PERIOD=2026-11/9f4d2a6c-8e1b-4d3f-a5c7-6b8d0f2e4a19/";
    server.upload(BUCKET, export + older + "gpu-cur2-00001.csv", traceCur);
    server.upload(BUCKET, export + older + "gpu-cur2-00002.csv", traceCur);
    server.upload(BUCKET, export + newer + "gpu-cur2-00001.csv", traceCur);
    try {
      Path manifest = Files.createTempFile("gpu-cur2-Manifest", ".json");
      Files.writeString(
          manifest,
          "{\"executionId\": \"9f4d2a6c-8e1b-4d3f-a5c7-6b8d0f2e4a19\", \"bucket\": \"payer-billing\","
              + " \"billingPeriod\": {\"start\": \"2026-11-01T00:00:00.000Z\", \"end\": \"2026-12-01T00:00:00.000Z\"},"
              + " \"dataFiles\": [\"s3://payer-billing/cur/gpu-cur2/"
              + newer
              + "gpu-cur2-00001.csv\"]}");
      server.upload(
          BUCKET, export + "metadata/BILLING_PERIOD=2026-11/gpu-cur2-Manifest.json", manifest);
      Files.delete(manifest);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    LedgerConfig config =
        TestSpark.config(
            "input.billing.cur=s3a://" + BUCKET + "/" + export.substring(0, export.length() - 1),
            "input.billing.focus=",
            "catalog.database=" + DB);
    billing =
        new BillingIngest(spark, config)
            .run(DATE, new QualityRecorder(new LakeTables(spark, DB), "s3-run", DATE))
            .get(0);
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.stop();
    }
  }

  @Test
  void silverTablesAreWrittenToTheBucketAsDelta() {
    List<String> keys = server.keys(BUCKET, "lake/" + DB + ".db/");
    for (String table : List.of("gpu_samples", "pod_info", "node_info")) {
      assertTrue(
          keys.stream().anyMatch(k -> k.startsWith("lake/" + DB + ".db/" + table + "/_delta_log/")),
          table + " in " + keys);
      assertTrue(
          keys.stream()
              .anyMatch(k -> k.startsWith("lake/" + DB + ".db/" + table + "/date=2026-11-28/")),
          table + " in " + keys);
    }
  }

  @Test
  void theTraceReadFromS3GivesTheSameRowsAsFromDisk() {
    assertEquals(2412, telemetry.rowsRead());
    assertTrue(telemetry.balances() && kube.balances(), telemetry + " " + kube);
    long rows = spark.sql("SELECT count(*) FROM " + DB + ".gpu_samples").first().getLong(0);
    long seconds =
        spark.sql("SELECT count(DISTINCT ts) FROM " + DB + ".gpu_samples").first().getLong(0);
    assertEquals(seconds, rows);
    assertEquals(
        List.of("PyTorchJob/llama-ft"),
        spark
            .sql(
                "SELECT workload_kind || '/' || workload_name FROM "
                    + DB
                    + ".pod_info WHERE pod = 'llama-ft-worker-0'")
            .collectAsList()
            .stream()
            .map(r -> r.getString(0))
            .toList());
    assertEquals(
        "i-0c0ffee0000000001",
        spark.sql("SELECT instance_id FROM " + DB + ".node_info").first().getString(0));
  }

  @Test
  void theCurExportFolderOnS3IsReadThroughItsManifest() {
    // Only the newer delivery's chunk: 2 instance-hours at 6.88 (the older delivery would add 4
    // more).
    List<String> hours =
        spark
            .sql(
                "SELECT instance_id, hour(hour), node_cost FROM "
                    + DB
                    + ".billing_hourly ORDER BY hour")
            .collectAsList()
            .stream()
            .map(r -> r.getString(0) + " " + r.getInt(1) + " " + r.getDouble(2))
            .toList();
    assertEquals(List.of("i-0c0ffee0000000001 2 6.88", "i-0c0ffee0000000001 3 6.88"), hours);
    assertEquals(3, billing.rowsRead(), "the three rows of one chunk");
  }
}
