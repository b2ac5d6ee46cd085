package dev.idleledger.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.testing.TestSpark;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tiny row ({@code bench --tiny}) on the real H100 trace: the night it runs, what it counts, and how many Delta
 * commits the night makes per table. The suite runs it with one lookback day instead of the default two, which
 * still covers a date without any input next to the trace's own date at a third less of the suite's time.
 * Nothing here asserts how fast anything ran.
 */
class TinyNightBenchmarkTest {
  private static final Path TRACE = TestSpark.sharedDir().resolve("data/h100-trace");
  private static Path dir;
  private static TinyNightBenchmark.Result result;

  @BeforeAll
  static void runTheTinyNight() throws IOException {
    dir = Files.createTempDirectory("bench-tiny-test");
    result = new TinyNightBenchmark(TestSpark.session(), withOneLookbackDay(), dir).run(TRACE);
  }

  private static NightlyBenchmark.ConfigFactory withOneLookbackDay() {
    return extra ->
        TestSpark.config(
            Stream.concat(extra.stream(), Stream.of("nightly.lookback_days=1"))
                .toArray(String[]::new));
  }

  @Test
  void theNightIsTheTracesDayAndTheLookbackDayBeforeIt() {
    // The trace's only telemetry folder is dt=2026-11-28; lookback 1 adds 2026-11-27, which has no
    // input at all.
    assertEquals(LocalDate.of(2026, 11, 28), result.date());
    assertEquals(
        List.of(LocalDate.of(2026, 11, 27), LocalDate.of(2026, 11, 28)), result.published());
  }

  @Test
  void theRowCountsTheTracesTelemetryRowsItsGpuAndItsTwoBilledHours() throws IOException {
    // Every data row of the trace's one telemetry file is read (the unused metrics are read, then
    // ignored).
    long rows;
    Path file = TRACE.resolve("telemetry/dt=2026-11-28/dcgm-gpu-node-1.csv.gz");
    try (Reader in =
        new InputStreamReader(
            new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8)) {
      rows =
          CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(in).stream()
              .count();
    }
    assertEquals(rows, result.row().telemetrySamples());
    // README of the trace: one H100, CUR bills hours 02:00 and 03:00.
    assertEquals(1, result.row().size().gpus());
    assertEquals(2, result.row().size().hoursPerDay());
    assertEquals("tiny", result.row().size().label());
  }

  @Test
  void everyStageAndTheRestOfTheNightAreTimedAndTheJobsProfiled() {
    for (String stage : SizeResult.STAGES) {
      assertTrue(result.row().stageSeconds().get(stage) > 0, stage);
    }
    assertTrue(result.row().stageSeconds().get(TinyNightBenchmark.OTHER) >= 0);
    NightProfile.Totals all = result.profile().total();
    assertTrue(
        all.jobs() > 0 && all.tasks() >= all.stages() && all.jobWallSeconds() > 0, all.toString());
    // Every part of the night carries a description: the stages per date, and the night's own work
    // around them.
    Map<String, NightProfile.Totals> parts = result.profile().byPart();
    assertTrue(parts.containsKey("ingest telemetry 2026-11-28"), parts.keySet().toString());
    assertTrue(parts.containsKey("recommend 2026-11-28"), parts.keySet().toString());
    assertTrue(
        parts.keySet().stream().noneMatch(p -> p.equals("(no description)")),
        parts.keySet().toString());
  }

  @Test
  void eachSilverGoldAndRecommendationsTableIsCommittedOnceForTheNightAndRunQualityOnce() {
    Map<String, Integer> commits = result.deltaCommits();
    // CREATE TABLE, then the replace of 2026-11-28. The replace of 2026-11-27 (no input, nothing
    // there before) adds and removes no file, and Delta writes no commit for it.
    for (String table :
        List.of(
            "gpu_samples",
            "pod_info",
            "node_info",
            "billing_hourly",
            "gpu_hourly",
            "workload_daily",
            "cluster_daily",
            "team_daily")) {
      assertEquals(1 + 1, commits.get(table), table + " in " + commits);
    }
    // Every date's checks and recommend's, held by the night and written once at its end.
    assertEquals(1 + 1, commits.get("run_quality"), "run_quality in " + commits);
    // A new lake's first recommendations are appended once, with the ticket the night files (no
    // MERGE of the ticket columns after them).
    assertEquals(1 + 1, commits.get("recommendations"), "recommendations in " + commits);
  }

  /**
   * {@code bench --tiny --repeat N} runs the night again in the same JVM to show its warm-up: each run must start from
   * an empty lake, or the later ones would keep dates instead of recomputing them and measure less work.
   */
  @Test
  void theNightRunAgainInTheSameJvmStartsFromAnEmptyLake() throws IOException {
    TinyNightBenchmark.Result again =
        new TinyNightBenchmark(TestSpark.session(), withOneLookbackDay(), dir.resolve("repeat-2"))
            .run(TRACE);
    assertEquals(result.published(), again.published());
    assertEquals(result.row().telemetrySamples(), again.row().telemetrySamples());
    // Created and written again, as on the first run: nothing of the first run's lake was kept.
    assertEquals(result.deltaCommits(), again.deltaCommits());
  }

  @Test
  void theCsvHasTheBenchColumnsAndARowForTheNightsOtherWork() throws IOException {
    Path csv = dir.resolve("out/bench.csv");
    BenchReport.writeCsv(List.of(result.row()), csv);
    List<String> lines = Files.readAllLines(csv);
    assertEquals(String.join(",", BenchReport.CSV_COLUMNS), lines.get(0));
    // five stages, the rest of the night, the Spark cost-model total; no DuckDB row
    assertEquals(1 + 7, lines.size());
    assertTrue(lines.stream().skip(1).allMatch(l -> l.startsWith("tiny,")), lines.toString());
    assertTrue(lines.stream().anyMatch(l -> l.contains(",other,")));
  }
}
