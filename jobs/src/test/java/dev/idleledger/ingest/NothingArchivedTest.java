package dev.idleledger.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.ingest.kube.KubeStateIngest;
import dev.idleledger.ingest.series.SampleArchive;
import dev.idleledger.ingest.telemetry.TelemetryIngest;
import dev.idleledger.quality.QualityRecorder;
import dev.idleledger.quality.SourceAccounting;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.spark.TableSpec;
import dev.idleledger.spark.WrittenRows;
import dev.idleledger.testing.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A date whose archive holds nothing for a source is published without the source's transform: its silver rows and
 * rejects of that source from an earlier run are taken away (the files were removed since), the other source's
 * rejects stay, the accounting is of nothing, and the date's later stages are told its rows are none. A date whose
 * only file is unreadable does not hold nothing: that file is still quarantined.
 */
class NothingArchivedTest {
  private static final LocalDate DATE = LocalDate.of(2026, 11, 1);
  private static final String GPU = "UUID=\"GPU-n\",Hostname=\"n1\"";
  private static final String POD =
      "cluster=\"c\",namespace=\"ml\",pod=\"p\",uid=\"u1\",node=\"n1\"";
  private static final String NODE = "cluster=\"c\",node=\"n1\",provider_id=\"aws:///i-1\"";

  private final SparkSession spark = TestSpark.session();

  @TempDir Path tmp;

  private static String at(String iso) {
    return " " + Instant.parse(iso).toEpochMilli();
  }

  /** One good telemetry sample of the date and one without a timestamp (a reject). */
  private Path telemetryArchive() {
    Path root = tmp.resolve("telemetry");
    SampleArchive.write(
        root.resolve("dt=" + DATE + "/a.prom"),
        String.join(
            "\n",
            "DCGM_FI_PROF_GR_ENGINE_ACTIVE{" + GPU + "} 0.5" + at("2026-11-01T10:00:00Z"),
            "DCGM_FI_PROF_GR_ENGINE_ACTIVE{" + GPU + "} 0.5",
            ""));
    return root;
  }

  /** A pod and a node of the date, and a pod sample without a timestamp (a reject). */
  private Path kubeArchive() {
    Path root = tmp.resolve("kube");
    SampleArchive.write(
        root.resolve("dt=" + DATE + "/ksm.prom"),
        String.join(
            "\n",
            "kube_pod_info{" + POD + "} 1" + at("2026-11-01T10:00:00Z"),
            "kube_node_info{" + NODE + "} 1" + at("2026-11-01T10:00:00Z"),
            "kube_pod_info{" + POD + "} 1",
            ""));
    return root;
  }

  private static void removeDay(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root.resolve("dt=" + DATE))) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private LedgerConfig config(String db, Path telemetry, Path kube) {
    return TestSpark.config(
        "catalog.database=" + db, "input.telemetry=" + telemetry, "input.kube=" + kube);
  }

  private SourceAccounting telemetry(LedgerConfig config, String runId, WrittenRows written) {
    return new TelemetryIngest(spark, config)
        .noting(written)
        .run(DATE, recorder(config, runId))
        .orElseThrow();
  }

  private SourceAccounting kube(LedgerConfig config, String runId, WrittenRows written) {
    return new KubeStateIngest(spark, config)
        .noting(written)
        .run(DATE, recorder(config, runId))
        .orElseThrow();
  }

  private QualityRecorder recorder(LedgerConfig config, String runId) {
    return new QualityRecorder(new LakeTables(spark, config), runId, DATE);
  }

  private long rowsOfDate(String db, TableSpec spec) {
    return spark
        .sql("SELECT * FROM " + db + "." + spec.name() + " WHERE date = DATE'" + DATE + "'")
        .count();
  }

  private List<String> quarantinedSources(String db) {
    return spark
        .sql(
            "SELECT source FROM "
                + db
                + ".quarantine WHERE date = DATE'"
                + DATE
                + "' ORDER BY source")
        .collectAsList()
        .stream()
        .map(r -> r.getString(0))
        .toList();
  }

  @Test
  void aDayWhoseTelemetryFilesWereTakenAwayLosesItsSamplesAndRejectsAndKeepsKubes()
      throws IOException {
    String db = "nothing_archived_telemetry";
    Path telemetry = telemetryArchive();
    LedgerConfig config = config(db, telemetry, kubeArchive());
    telemetry(config, "run-1", WrittenRows.none());
    kube(config, "run-1", WrittenRows.none());
    assertEquals(1, rowsOfDate(db, SilverTables.GPU_SAMPLES));
    assertEquals(List.of("kube", "telemetry"), quarantinedSources(db));

    removeDay(telemetry);
    WrittenRows written = WrittenRows.forDate(true);
    SourceAccounting accounting = telemetry(config, "run-2", written);

    assertEquals(new SourceAccounting(TelemetryIngest.SOURCE, 0, 0, 0, 0, 0), accounting);
    assertEquals(0, rowsOfDate(db, SilverTables.GPU_SAMPLES));
    assertEquals(List.of("kube"), quarantinedSources(db));
    assertTrue(written.isEmpty(SilverTables.GPU_SAMPLES), "gpu_samples noted as none");
  }

  @Test
  void aDayWhoseKubeFilesWereTakenAwayLosesItsPodsNodesAndRejectsAndKeepsTelemetrys()
      throws IOException {
    String db = "nothing_archived_kube";
    Path kube = kubeArchive();
    LedgerConfig config = config(db, telemetryArchive(), kube);
    telemetry(config, "run-1", WrittenRows.none());
    kube(config, "run-1", WrittenRows.none());
    assertEquals(1, rowsOfDate(db, SilverTables.POD_INFO));
    assertEquals(1, rowsOfDate(db, SilverTables.NODE_INFO));

    removeDay(kube);
    WrittenRows written = WrittenRows.forDate(true);
    SourceAccounting accounting = kube(config, "run-2", written);

    assertEquals(new SourceAccounting(KubeStateIngest.SOURCE, 0, 0, 0, 0, 0), accounting);
    assertEquals(0, rowsOfDate(db, SilverTables.POD_INFO));
    assertEquals(0, rowsOfDate(db, SilverTables.NODE_INFO));
    assertEquals(List.of("telemetry"), quarantinedSources(db));
    assertTrue(written.isEmpty(SilverTables.POD_INFO), "pod_info noted as none");
    assertTrue(written.isEmpty(SilverTables.NODE_INFO), "node_info noted as none");
  }

  @Test
  void aDayWhoseOnlyFileIsUnreadableStillQuarantinesThatFile() throws IOException {
    String db = "nothing_archived_unreadable";
    Path telemetry = tmp.resolve("telemetry");
    Path whole = tmp.resolve("whole.prom");
    SampleArchive.write(
        whole,
        ("DCGM_FI_PROF_GR_ENGINE_ACTIVE{" + GPU + "} 0.2" + at("2026-11-01T11:00:00Z") + "\n")
            .repeat(200));
    Files.createDirectories(telemetry.resolve("dt=" + DATE));
    SampleArchive.gzipCutShort(whole, telemetry.resolve("dt=" + DATE + "/cut.prom.gz"));
    LedgerConfig config = config(db, telemetry, tmp.resolve("no-kube"));

    SourceAccounting accounting = telemetry(config, "run-1", WrittenRows.none());

    assertEquals(new SourceAccounting(TelemetryIngest.SOURCE, 1, 0, 1, 0, 0), accounting);
    assertEquals(List.of("telemetry"), quarantinedSources(db));
  }
}
