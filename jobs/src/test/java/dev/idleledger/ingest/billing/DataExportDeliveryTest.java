package dev.idleledger.ingest.billing;

import static dev.idleledger.ingest.billing.BillingFixtures.curUsage;
import static dev.idleledger.ingest.billing.BillingFixtures.focusUsage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.RunFailedException;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.quality.QualityRecorder;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.testing.TestSpark;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CUR 2.0 as AWS Data Exports delivers it: {@code <export>/data/BILLING_PERIOD=…} plus the period's
 * {@code <export>/metadata/BILLING_PERIOD=…/<export>-Manifest.json}, whose {@code dataFiles} name the files of the
 * latest delivery by their {@code s3://} URI in the payer's bucket — here read from a local copy of the export.
 */
class DataExportDeliveryTest {
  private static final String DB = "data_export_delivery_test";
  private static final LocalDate DAY = LocalDate.of(2026, 11, 1);
  private static final String EXPORT = "gpu-cur2";

  /** Where AWS delivered the export; the copy under test lives elsewhere, so the reader must resolve the URIs. */
  private static final String DELIVERED = "s3://payer-billing/cur/" + EXPORT + "/";

  private static final String PERIOD = "BILLING_PERIOD=2026-11";
  private final SparkSession spark = TestSpark.session();

  @TempDir Path tmp;

  private record Result(List<Row> hours, List<Row> quarantine, List<String> failures) {}

  private Result run(Path curRoot) {
    LedgerConfig config =
        TestSpark.config(
            "catalog.database=" + DB, "input.billing.cur=" + curRoot, "input.billing.focus=");
    String runId = UUID.randomUUID().toString();
    QualityRecorder quality = new QualityRecorder(new LakeTables(spark, config), runId, DAY);
    new BillingIngest(spark, config).run(DAY, quality);
    quality.flush();
    List<Row> hours =
        spark
            .sql(
                "SELECT * FROM "
                    + DB
                    + ".billing_hourly WHERE date = DATE'"
                    + DAY
                    + "' ORDER BY instance_id, hour")
            .collectAsList();
    List<Row> quarantine =
        spark
            .sql(
                "SELECT * FROM "
                    + DB
                    + ".quarantine WHERE run_id = '"
                    + runId
                    + "' ORDER BY file, line")
            .collectAsList();
    return new Result(hours, quarantine, quality.failures());
  }

  private static List<String> money(Result r) {
    return r.hours().stream()
        .map(h -> h.getAs("instance_id") + " " + h.getAs("node_cost"))
        .toList();
  }

  /** A gzipped CUR 2.0 chunk as AWS names them ({@code <export>-00001.csv.gz}) at {@code relative} under the export. */
  @SafeVarargs
  private void chunk(Path export, String relative, Map<String, String>... rows) throws IOException {
    Path file = export.resolve(relative);
    Files.createDirectories(file.getParent());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(BillingFixtures.csv(rows).getBytes(StandardCharsets.UTF_8));
    }
    Files.write(file, out.toByteArray());
  }

  /** The period's manifest, shaped like the one Data Exports writes after a delivery (the reader needs only dataFiles). */
  private void manifest(Path export, String executionId, String... dataFiles) throws IOException {
    Path file = export.resolve("metadata/" + PERIOD + "/" + EXPORT + "-Manifest.json");
    Files.createDirectories(file.getParent());
    String listed =
        Arrays.stream(dataFiles).map(f -> "    \"" + f + "\"").collect(Collectors.joining(",\n"));
    Files.writeString(
        file,
        """
        {
          "executionId": "%s",
          "exportArn": "arn:aws:bcm-data-exports:us-east-1:123456789012:export/%s-3f1c9a7e-4b2d-4e8a-9c1f-0d2e5a6b7c8d",
          "exportName": "%s",
          "bucket": "payer-billing",
          "billingPeriod": {"start": "2026-11-01T00:00:00.000Z", "end": "2026-12-01T00:00:00.000Z"},
          "columns": [
            {"name": "identity_line_item_id", "type": "string"},
            {"name": "line_item_usage_start_date", "type": "timestamp"},
            {"name": "line_item_usage_end_date", "type": "timestamp"},
            {"name": "line_item_resource_id", "type": "string"},
            {"name": "line_item_unblended_cost", "type": "double"}
          ],
          "compression": "GZIP",
          "contentType": "text/csv",
          "dataFiles": [
        %s
          ],
          "additionalOutputFiles": []
        }
        """
            .formatted(executionId, EXPORT, EXPORT, listed));
  }

  @Test
  void anOverwriteRedeliveryWithFewerChunksCountsOnlyTheChunksItsManifestLists()
      throws IOException {
    Path export = tmp.resolve(EXPORT);
    // The older delivery wrote two chunks (40.00 for the hour); the newer one, after a restatement,
    // fits in one chunk (32.7726) and overwrote 00001 only, so the older 00002 is still there.
    chunk(
        export,
        "data/" + PERIOD + "/" + EXPORT + "-00001.csv.gz",
        curUsage(CurLineItems.UNBLENDED, "32.7726"));
    chunk(
        export,
        "data/" + PERIOD + "/" + EXPORT + "-00002.csv.gz",
        curUsage(CurLineItems.UNBLENDED, "40.00"));
    manifest(
        export,
        "7c2e1f0a-5b3d-4a9e-8f61-2d4c6b8a0e13",
        DELIVERED + "data/" + PERIOD + "/" + EXPORT + "-00001.csv.gz");

    Result r = run(export);

    // Summing both chunks would give 32.7726 + 40.00 = 72.7726 for one instance-hour.
    assertEquals(List.of(BillingFixtures.INSTANCE + " 32.7726"), money(r));
    assertTrue(
        r.hours()
            .get(0)
            .<String>getAs("source_file")
            .endsWith(PERIOD + "/" + EXPORT + "-00001.csv.gz"));
    assertTrue(r.failures().isEmpty(), r.failures().toString());
  }

  @Test
  void aCreateNewDeliveryCountsOnlyTheExecutionItsManifestNames() throws IOException {
    Path export = tmp.resolve(EXPORT);
    String older = "0b8e3c1d-2f4a-4c6b-9d7e-1a3c5e7f9b02";
    String newer = "9f4d2a6c-8e1b-4d3f-a5c7-6b8d0f2e4a19";
    chunk(
        export,
        "data/" + PERIOD + "/" + older + "/" + EXPORT + "-00001.csv.gz",
        curUsage(CurLineItems.UNBLENDED, "40.00"),
        curUsage(CurLineItems.RESOURCE_ID, "i-0retired", CurLineItems.UNBLENDED, "3.06"));
    chunk(
        export,
        "data/" + PERIOD + "/" + newer + "/" + EXPORT + "-00001.csv.gz",
        curUsage(CurLineItems.UNBLENDED, "32.7726"));
    chunk(
        export,
        "data/" + PERIOD + "/" + newer + "/" + EXPORT + "-00002.csv.gz",
        curUsage(CurLineItems.RESOURCE_ID, "i-0b", CurLineItems.UNBLENDED, "5.00"));
    manifest(
        export,
        newer,
        DELIVERED + "data/" + PERIOD + "/" + newer + "/" + EXPORT + "-00001.csv.gz",
        DELIVERED + "data/" + PERIOD + "/" + newer + "/" + EXPORT + "-00002.csv.gz");

    Result r = run(export);

    // The older execution's 40.00 and its i-0retired hour are not part of the bill any more.
    assertEquals(List.of(BillingFixtures.INSTANCE + " 32.7726", "i-0b 5.0"), money(r));
    assertTrue(
        r.hours().stream()
            .allMatch(h -> h.<String>getAs("source_file").contains("/" + newer + "/")),
        r.hours().toString());
  }

  @Test
  void aPeriodWithoutAManifestIsReadWholeAsBefore() throws IOException {
    Path export = tmp.resolve(EXPORT);
    chunk(
        export,
        "data/" + PERIOD + "/" + EXPORT + "-00001.csv.gz",
        curUsage(CurLineItems.UNBLENDED, "32.7726"));
    chunk(
        export,
        "data/" + PERIOD + "/" + EXPORT + "-00002.csv.gz",
        curUsage(CurLineItems.RESOURCE_ID, "i-0b", CurLineItems.UNBLENDED, "5.00"));
    // Only last month has a manifest: it does not describe November.
    Path october = export.resolve("metadata/BILLING_PERIOD=2026-10/" + EXPORT + "-Manifest.json");
    Files.createDirectories(october.getParent());
    Files.writeString(october, "{\"executionId\": \"x\", \"dataFiles\": []}");

    Result r = run(export);

    assertEquals(List.of(BillingFixtures.INSTANCE + " 32.7726", "i-0b 5.0"), money(r));
  }

  @Test
  void aManifestListingAMissingFileStopsTheRunNamingTheManifestAndTheFile() throws IOException {
    Path export = tmp.resolve(EXPORT);
    chunk(export, "data/" + PERIOD + "/" + EXPORT + "-00001.csv.gz", curUsage());
    String missing = DELIVERED + "data/" + PERIOD + "/" + EXPORT + "-00002.csv.gz";
    manifest(
        export,
        "7c2e1f0a-5b3d-4a9e-8f61-2d4c6b8a0e13",
        DELIVERED + "data/" + PERIOD + "/" + EXPORT + "-00001.csv.gz",
        missing);

    RunFailedException e = assertThrows(RunFailedException.class, () -> run(export));

    assertTrue(e.getMessage().contains(EXPORT + "-Manifest.json"), e.getMessage());
    assertTrue(e.getMessage().contains(" lists " + missing + ", which is missing"), e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
  }

  @Test
  void aListedUriIsFoundInTheCopyAfterTheExportNameOrItsDataFolder() {
    org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path("/mirror/renamed-export");
    DataExportManifest m = new DataExportManifest("m.json", "e", List.of());
    String tail = "data/" + PERIOD + "/e1/" + EXPORT + "-00001.snappy.parquet";
    // The export name can itself sit under a folder called data in the payer's bucket.
    assertEquals(
        "/mirror/renamed-export/" + tail,
        DataExportFolder.resolve(root, EXPORT, "s3://b/data/" + EXPORT + "/" + tail, m).toString());
    assertEquals(
        "/mirror/renamed-export/" + tail,
        DataExportFolder.resolve(root, "other-name", "s3://b/x/y/" + tail, m).toString());
    assertEquals(
        "/mirror/renamed-export/" + tail,
        DataExportFolder.resolve(root, EXPORT, tail, m).toString());
    RunFailedException e =
        assertThrows(
            RunFailedException.class,
            () -> DataExportFolder.resolve(root, EXPORT, "s3://b/elsewhere/file.parquet", m));
    assertTrue(e.getMessage().contains("s3://b/elsewhere/file.parquet"), e.getMessage());
  }

  @Test
  void aRejectedWholeFileIsNamedWithWhatItIsInsteadOfARowCount() throws IOException {
    Path root = tmp.resolve("cur");
    Path period = Files.createDirectories(root.resolve(PERIOD));
    // The original Cost and Usage Report's column names, and a FOCUS file dropped under the CUR
    // root.
    Files.writeString(
        period.resolve("a-legacy-cur.csv"),
        """
        identity/LineItemId,identity/TimeInterval,lineItem/UsageStartDate,lineItem/UsageEndDate,lineItem/ResourceId,lineItem/UnblendedCost
        abc,2026-11-01T10:00:00Z/2026-11-01T11:00:00Z,2026-11-01T10:00:00Z,2026-11-01T11:00:00Z,i-0a1b2c3d4e5f60718,32.7726
        """);
    Files.writeString(period.resolve("b-focus.csv"), BillingFixtures.csv(focusUsage()));

    Result r = run(root);

    List<String> reasons =
        new ArrayList<>(r.quarantine().stream().map(q -> q.<String>getAs("reason")).toList());
    assertEquals(2, reasons.size(), reasons.toString());
    assertTrue(
        reasons
            .get(0)
            .startsWith(
                "legacy CUR column names (identity/LineItemId, identity/TimeInterval, ...): export as CUR 2.0 or FOCUS"),
        reasons.get(0));
    assertTrue(
        reasons
            .get(1)
            .startsWith(
                "FOCUS columns in the CUR 2.0 input: give this export as input.billing.focus"),
        reasons.get(1));
    String failure =
        r.failures().stream()
            .filter(f -> f.startsWith("quarantine_share"))
            .findFirst()
            .orElseThrow();
    assertTrue(failure.contains("2 of 2 rows quarantined"), failure);
    assertTrue(
        failure.contains(
            "; rejected file file:"
                + period.resolve("a-legacy-cur.csv")
                + ": legacy CUR column names"),
        failure);
    assertTrue(failure.endsWith("(and 1 more files, see quarantine)"), failure);
  }
}
