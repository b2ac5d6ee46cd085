package dev.idleledger.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.ingest.kube.KubeStateIngest;
import dev.idleledger.ingest.series.SampleArchive;
import dev.idleledger.ingest.telemetry.TelemetryIngest;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.testing.DeltaHistory;
import dev.idleledger.testing.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A read whose own counts show it rejected nothing writes no quarantine rows: on a lake without rejects the quarantine
 * table gets no commit beyond its creation, and a re-read of a corrected archive still takes the date's earlier
 * rejects of that source away, leaving the other source's. A read whose only reject is a file it could not read
 * (no bad row) has still rejected something: that file is quarantined. Telemetry and kube state here; billing in
 * BillingIngestTest.
 */
class CleanReadQuarantineTest {
  private static final LocalDate DATE = LocalDate.of(2026, 11, 1);
  private static final String GPU = "UUID=\"GPU-q\",Hostname=\"n\"";
  private static final String POD =
      "cluster=\"c\",namespace=\"ml\",pod=\"p\",uid=\"u1\",node=\"n1\"";

  private final SparkSession spark = TestSpark.session();

  @TempDir Path tmp;

  private static String at(String iso) {
    return " " + Instant.parse(iso).toEpochMilli();
  }

  /** A telemetry day: one good sample, and one without a timestamp when {@code withReject}. */
  private Path telemetryArchive(boolean withReject) throws IOException {
    Path root = tmp.resolve("telemetry");
    String good = "DCGM_FI_PROF_GR_ENGINE_ACTIVE{" + GPU + "} 0.5" + at("2026-11-01T10:00:00Z");
    String reject = "DCGM_FI_PROF_GR_ENGINE_ACTIVE{" + GPU + "} 0.5";
    SampleArchive.write(
        root.resolve("dt=" + DATE + "/a.prom"),
        String.join("\n", withReject ? List.of(good, reject, "") : List.of(good, "")));
    return root;
  }

  /** A kube-state day: one pod_info sample, and one without a timestamp when {@code withReject}. */
  private Path kubeArchive(boolean withReject) throws IOException {
    Path root = tmp.resolve("kube");
    String good = "kube_pod_info{" + POD + "} 1" + at("2026-11-01T10:00:00Z");
    String reject = "kube_pod_info{" + POD + "} 1";
    Files.createDirectories(root.resolve("dt=" + DATE));
    Files.writeString(
        root.resolve("dt=" + DATE + "/ksm.prom"),
        String.join("\n", withReject ? List.of(good, reject, "") : List.of(good, "")));
    return root;
  }

  private void ingestTelemetry(String db, Path root, String runId) {
    LedgerConfig config = TestSpark.config("input.telemetry=" + root, "catalog.database=" + db);
    new TelemetryIngest(spark, config)
        .run(DATE, new QualityRecorder(new LakeTables(spark, db), runId, DATE))
        .orElseThrow();
  }

  private void ingestKube(String db, Path root, String runId) {
    LedgerConfig config = TestSpark.config("input.kube=" + root, "catalog.database=" + db);
    new KubeStateIngest(spark, config)
        .run(DATE, new QualityRecorder(new LakeTables(spark, db), runId, DATE))
        .orElseThrow();
  }

  private List<String> quarantined(String db) {
    return spark
        .sql(
            "SELECT concat_ws(' ', run_id, source, reason) FROM "
                + db
                + ".quarantine WHERE date = DATE'"
                + DATE
                + "' ORDER BY source")
        .collectAsList()
        .stream()
        .map(r -> r.getString(0))
        .toList();
  }

  private List<String> operations(String db) {
    return DeltaHistory.operations(spark, db + ".quarantine");
  }

  private static String missingTimestamp(String runId, String source) {
    return runId
        + " "
        + source
        + " missing timestamp (required: an archived sample without one cannot be placed in time)";
  }

  @Test
  void cleanTelemetryAndKubeReadsCommitNothingToTheQuarantine() throws IOException {
    String db = "clean_read_none";
    ingestTelemetry(db, telemetryArchive(false), "run-1");
    ingestKube(db, kubeArchive(false), "run-1");

    assertEquals(List.of(), quarantined(db));
    assertEquals(List.of("CREATE TABLE"), operations(db));
  }

  @Test
  void aCorrectedTelemetryArchiveTakesItsRejectsAwayAndLeavesKubes() throws IOException {
    String db = "clean_read_telemetry";
    ingestTelemetry(db, telemetryArchive(true), "run-1");
    ingestKube(db, kubeArchive(true), "run-1");
    assertEquals(
        List.of(missingTimestamp("run-1", "kube"), missingTimestamp("run-1", "telemetry")),
        quarantined(db));

    ingestTelemetry(db, telemetryArchive(false), "run-2");

    assertEquals(List.of(missingTimestamp("run-1", "kube")), quarantined(db));
    List<String> ops = operations(db);
    assertEquals("DELETE", ops.get(ops.size() - 1), ops.toString());

    // Clean again, over a table that holds files: nothing to take away, nothing committed.
    ingestTelemetry(db, telemetryArchive(false), "run-3");
    assertEquals(ops, operations(db));
  }

  /**
   * A telemetry day of good rows only, beside a gzip archive cut short: the read rejects no row, but a file it could
   * not read is a reject all the same.
   */
  @Test
  void aReadWhoseOnlyRejectIsAnUnreadableFileQuarantinesThatFile() throws IOException {
    String db = "clean_read_unreadable_file";
    Path root = telemetryArchive(false);
    Path day = root.resolve("dt=" + DATE);
    Path whole = tmp.resolve("whole.prom");
    SampleArchive.write(
        whole,
        ("DCGM_FI_PROF_GR_ENGINE_ACTIVE{" + GPU + "} 0.2" + at("2026-11-01T11:00:00Z") + "\n")
            .repeat(200));
    SampleArchive.gzipCutShort(whole, day.resolve("cut.prom.gz"));

    ingestTelemetry(db, root, "run-1");

    List<String> rows = quarantined(db);
    assertEquals(1, rows.size(), rows.toString());
    assertTrue(rows.get(0).startsWith("run-1 telemetry corrupt gzip"), rows.get(0));
    assertEquals(List.of("CREATE TABLE", "WRITE"), operations(db));
  }

  @Test
  void aCorrectedKubeArchiveTakesItsRejectsAwayAndLeavesTelemetrys() throws IOException {
    String db = "clean_read_kube";
    ingestTelemetry(db, telemetryArchive(true), "run-1");
    ingestKube(db, kubeArchive(true), "run-1");

    ingestKube(db, kubeArchive(false), "run-2");

    assertEquals(List.of(missingTimestamp("run-1", "telemetry")), quarantined(db));
    List<String> ops = operations(db);
    assertEquals("DELETE", ops.get(ops.size() - 1), ops.toString());
  }
}
