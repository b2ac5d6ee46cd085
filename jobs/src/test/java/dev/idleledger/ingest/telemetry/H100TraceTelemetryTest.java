package dev.idleledger.ingest.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.quality.QualityRecorder;
import dev.idleledger.quality.SourceAccounting;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.testing.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real H100 trace (../shared/data/h100-trace) through the telemetry stage. */
class H100TraceTelemetryTest {
  private static final String DB = "h100_trace_telemetry_test";
  private static final LocalDate DATE = LocalDate.of(2026, 11, 28);
  private static final Path TRACE = TestSpark.sharedDir().resolve("data/h100-trace");
  private static SourceAccounting accounting;
  private static SparkSession spark;

  @BeforeAll
  static void ingest() {
    spark = TestSpark.session();
    LedgerConfig config =
        TestSpark.config("input.telemetry=" + TRACE.resolve("telemetry"), "catalog.database=" + DB);
    accounting =
        new TelemetryIngest(spark, config)
            .run(DATE, new QualityRecorder(new LakeTables(spark, DB), "trace-run", DATE))
            .orElseThrow();
  }

  @Test
  void eachPhaseHasItsHolder() throws IOException {
    List<String> phases = Files.readAllLines(TRACE.resolve("phases.csv"));
    int checked = 0;
    for (String line : phases.subList(1, phases.size())) {
      String[] p = line.split(",");
      String expected =
          switch (p[0]) {
            case "unallocated_idle" -> "";
            case "training", "memory_held_idle" -> "ml-train/llama-ft-worker-0";
            case "inference_moderate" -> "serving/llm-serve-6c9d7b-x2k4q";
            case "notebook_sporadic" -> "research/jupyter-alice-0";
            default -> throw new IllegalStateException(p[0]);
          };
      // A second inside each phase's bounds: the labels switch at the boundary sample.
      String start = Instant.parse(p[1]).plusSeconds(1).toString();
      String end = Instant.parse(p[2]).minusSeconds(1).toString();
      List<Row> rows =
          spark
              .sql(
                  "SELECT DISTINCT array_join(transform(holders, h -> h.namespace || '/' || h.pod), ',') FROM "
                      + DB
                      + ".gpu_samples WHERE ts >= TIMESTAMP'"
                      + start
                      + "' AND ts < TIMESTAMP'"
                      + end
                      + "'")
              .collectAsList();
      assertEquals(List.of(expected), rows.stream().map(r -> r.getString(0)).toList(), p[0]);
      checked++;
    }
    assertEquals(5, checked);
  }

  @Test
  void oneRowPerSecondForTheOneGpuWithNodeAndModelFromItsLabels() {
    Row r =
        spark
            .sql(
                "SELECT count(*), count(DISTINCT unit_id), min(node), min(gpu_model), min(cluster), "
                    + "min(hold_seconds), max(hold_seconds), count(DISTINCT ts) FROM "
                    + DB
                    + ".gpu_samples WHERE date = DATE'2026-11-28'")
            .first();
    assertEquals(r.getLong(0), r.getLong(7), "one row per timestamp");
    assertEquals(1L, r.getLong(1));
    assertEquals("gpu-node-1", r.getString(2));
    assertEquals("NVIDIA H100 80GB HBM3", r.getString(3));
    assertEquals("h100-lab", r.getString(4));
    // Scraped about once a second: every sample holds to the next one, about 1 s, never the 10 s
    // limit.
    assertTrue(r.getDouble(5) > 0.5 && r.getDouble(6) < 2.0, r.toString());
  }

  @Test
  void memoryHeldPhaseReportsNoUtilisationButAModelInMemory() {
    Row r =
        spark
            .sql(
                "SELECT max(gpu_util), min(fb_used_mib) FROM "
                    + DB
                    + ".gpu_samples WHERE ts BETWEEN "
                    + "TIMESTAMP'2026-11-28T03:03:40Z' AND TIMESTAMP'2026-11-28T03:04:00Z'")
            .first();
    assertEquals(0.0, r.getDouble(0));
    assertTrue(r.getDouble(1) > 55_000, "FB used ~62.6 GB in the memory-held phase: " + r);
  }

  @Test
  void rowAccountingBalancesAndUnknownMetricsAreIgnored() {
    assertTrue(accounting.balances(), accounting.toString());
    assertTrue(
        accounting.rowsIgnored() > 0,
        "GPU_TEMP, SM_CLOCK, MEM_COPY_UTIL are not ours: " + accounting);
    assertEquals(0, accounting.rowsQuarantined(), accounting.toString());
    // 2413 lines = header + 2412 samples.
    assertEquals(2412, accounting.rowsRead(), accounting.toString());
  }
}
