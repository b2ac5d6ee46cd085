package dev.idleledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.testing.ProcessRunner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a person meets it: exit codes, one-line errors, and a catalog shared across processes. */
class CommandLineTest {
  @TempDir Path dir;

  @Test
  void unknownFlagIsUsageErrorWithExitTwo() {
    assertEquals(IdleLedger.EXIT_USAGE, IdleLedger.execute("sql", "SELECT 1", "--no-such-flag"));
  }

  @Test
  void unknownConfigKeyIsExitTwo() {
    assertEquals(
        IdleLedger.EXIT_USAGE,
        IdleLedger.execute("sql", "SELECT 1", "--dry-run", "--set", "lake.rot=/x"));
  }

  @Test
  void benchRepeatsOnlyTheTinyNightAndAtLeastOnce() {
    // Refused before anything is generated or Spark starts.
    String lake = "lake.root=" + dir;
    assertEquals(
        IdleLedger.EXIT_USAGE,
        IdleLedger.execute("bench", "--repeat", "2", "--dir", dir.toString(), "--set", lake));
    assertEquals(
        IdleLedger.EXIT_USAGE,
        IdleLedger.execute(
            "bench", "--tiny", "--repeat", "0", "--dir", dir.toString(), "--set", lake));
  }

  @Test
  void dryRunValidatesConfigWithoutSpark() {
    assertEquals(
        IdleLedger.EXIT_OK,
        IdleLedger.execute("sql", "SELECT 1", "--dry-run", "--set", "lake.root=" + dir));
  }

  @Test
  void tableMadeByOneProcessIsQueryableBySqlInTheNext() throws Exception {
    Path lake = dir.resolve("lake");
    ProcessRunner.Result made =
        sql(lake, "CREATE TABLE probe USING DELTA AS SELECT 42 AS answer, 'H100' AS gpu");
    assertEquals(0, made.exitCode(), made.stderr());

    ProcessRunner.Result csv =
        sql(lake, "SELECT answer, gpu, NULL AS nothing FROM probe", "--format", "csv");
    assertEquals(0, csv.exitCode(), csv.stderr());
    assertEquals(List.of("answer,gpu,nothing", "42,H100,"), csv.stdout().lines().toList());

    ProcessRunner.Result json =
        sql(lake, "SELECT answer, gpu FROM idle_ledger.probe", "--format", "json");
    assertEquals(0, json.exitCode(), json.stderr());
    assertEquals("{\"answer\":42,\"gpu\":\"H100\"}", json.stdout().strip());
  }

  @Test
  void badQueryFailsWithExitOneAndAOneLineReason() throws Exception {
    ProcessRunner.Result r = sql(dir.resolve("lake2"), "SELECT * FROM no_such_table");
    assertEquals(IdleLedger.EXIT_RUN_FAILED, r.exitCode());
    assertTrue(r.stderr().contains("no_such_table"), r.stderr());
    assertOneLineWithoutStackTrace(r.stderr());
  }

  @Test
  void misspelledColumnIsOneLineNamingTheColumnWithoutThePlanOrAStackTrace() throws Exception {
    Path lake = dir.resolve("lake3");
    ProcessRunner.Result made =
        sql(
            lake,
            "CREATE TABLE daily USING DELTA AS SELECT DATE'2026-11-01' AS date, 1.5 AS gpu_cost");
    assertEquals(0, made.exitCode(), made.stderr());

    ProcessRunner.Result r = sql(lake, "SELECT day, gpu_cost FROM daily");
    assertEquals(IdleLedger.EXIT_RUN_FAILED, r.exitCode());
    String line = assertOneLineWithoutStackTrace(r.stderr());
    assertTrue(line.contains("`day`"), line);
    assertTrue(line.contains("`date`"), "Spark's suggestion is kept: " + line);
    assertTrue(line.contains("DESCRIBE idle_ledger.<table>"), line);
    assertFalse(r.stderr().contains("SubqueryAlias"), "no analyzed plan: " + r.stderr());
  }

  /** {@code idle-ledger sql QUERY [FLAGS]} in its own process, on {@code lake} with one local core. */
  private static ProcessRunner.Result sql(Path lake, String query, String... flags)
      throws Exception {
    List<String> args = new ArrayList<>(List.of("sql", query));
    args.addAll(List.of(flags));
    args.addAll(List.of("--set", "lake.root=" + lake, "--set", "spark.master=local[1]"));
    return ProcessRunner.idleLedger(args);
  }

  /** The one idle-ledger line of stderr (Spark's own log lines may surround it), and no stack frame. */
  private static String assertOneLineWithoutStackTrace(String stderr) {
    List<String> ours = stderr.lines().filter(l -> l.startsWith("idle-ledger: ")).toList();
    assertEquals(1, ours.size(), stderr);
    assertTrue(
        stderr.lines().noneMatch(l -> l.strip().startsWith("at ")), "no stack trace: " + stderr);
    return ours.get(0);
  }
}
