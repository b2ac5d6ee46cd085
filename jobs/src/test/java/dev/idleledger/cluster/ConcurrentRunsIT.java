package dev.idleledger.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Several processes on one lake, as Airflow and analysts use it: the real H100 trace's night run by the cluster
 * jar in local mode, once alone (the reference), then with a reader or a second writer at the same time.
 */
class ConcurrentRunsIT {
  private static final String NIGHT = "2026-11-28";
  private static Path trace;
  private static Path referenceLake;
  private static SparkSession reader;

  @BeforeAll
  static void oneUndisturbedNight() throws IOException {
    trace =
        Path.of(System.getProperty("shared.dir", "../../shared"))
            .toAbsolutePath()
            .normalize()
            .resolve("data/h100-trace");
    referenceLake = Files.createTempDirectory("reference-lake");
    ClusterJar.Result r = ClusterJar.run(idleLedger(nightly(referenceLake)), Map.of(), 20);
    assertEquals(0, r.exitCode(), r.stderr());
    reader = LakeComparison.reader(Map.of());
  }

  @AfterAll
  static void stopReader() {
    if (reader != null) {
      reader.stop();
    }
  }

  @Test
  void analystQueriesSucceedWhileANightRewritesTheLake() throws Exception {
    long expected =
        LakeComparison.table(reader, referenceLake.toUri().toString(), "cluster_daily").count();
    assertTrue(expected > 0, "the reference night wrote cluster_daily rows");
    // The same night again on the same lake, forced (with unchanged inputs a plain re-run keeps
    // every date and writes nothing): every date is replaced, so a reader sees the old or the new
    // version of each table, both
    // with the same rows; never none, never half.
    List<String> forced = new ArrayList<>(nightly(referenceLake));
    forced.add("--force");
    Process writer = start(idleLedger(forced));
    try {
      int overlapping = 0;
      List<String> outputs = new ArrayList<>();
      while (writer.isAlive() && overlapping < 3) {
        ClusterJar.Result r =
            ClusterJar.run(
                idleLedger(
                    List.of(
                        "sql",
                        "SELECT count(*) AS n FROM idle_ledger.cluster_daily",
                        "--format",
                        "csv",
                        "--set",
                        "lake.root=" + referenceLake)),
                Map.of(),
                10);
        boolean writerStillRunning = writer.isAlive();
        assertEquals(0, r.exitCode(), "sql while a night writes: " + r.stderr());
        assertEquals(
            List.of("n", String.valueOf(expected)), r.stdout().lines().toList(), r.stderr());
        outputs.add(r.stdout());
        if (writerStillRunning) {
          overlapping++;
        }
      }
      assertTrue(
          overlapping >= 1,
          "at least one query ran start to end while the night was writing ("
              + outputs.size()
              + " ran)");
      assertTrue(writer.waitFor(20, TimeUnit.MINUTES), "the writing night ended within 20 minutes");
      assertEquals(0, writer.exitValue(), "the writing night");
    } finally {
      writer.destroyForcibly(); // a failed assertion must not leave the night running
    }

    // A fresh process finds the tables in the lake itself, with the comments Delta keeps in its
    // log.
    ClusterJar.Result describe =
        ClusterJar.run(
            idleLedger(
                List.of(
                    "sql",
                    "DESCRIBE TABLE EXTENDED idle_ledger.cluster_daily",
                    "--format",
                    "csv",
                    "--set",
                    "lake.root=" + referenceLake)),
            Map.of(),
            10);
    assertEquals(0, describe.exitCode(), describe.stderr());
    assertTrue(describe.stdout().contains("reconciliation_delta"), describe.stdout());
    assertTrue(
        describe.stdout().lines().anyMatch(l -> l.startsWith("Comment,")),
        "table comment shown: " + describe.stdout());
  }

  @Test
  void aSecondRunOnTheSameLakeIsRefusedAndTheTablesEqualOneRun() throws Exception {
    Path lake = Files.createTempDirectory("two-writers-lake");
    CompletableFuture<ClusterJar.Result> first =
        CompletableFuture.supplyAsync(
            () -> ClusterJar.run(idleLedger(nightly(lake)), Map.of(), 20));
    CompletableFuture<ClusterJar.Result> second =
        CompletableFuture.supplyAsync(
            () -> ClusterJar.run(idleLedger(nightly(lake)), Map.of(), 20));
    List<ClusterJar.Result> results = List.of(first.get(), second.get());
    List<ClusterJar.Result> refused = results.stream().filter(r -> r.exitCode() == 1).toList();
    assertEquals(
        1,
        results.stream().filter(r -> r.exitCode() == 0).count(),
        "exactly one run wrote: " + results);
    assertEquals(1, refused.size(), "the other refused: " + results);
    List<String> lines = refused.get(0).stderr().lines().toList();
    assertEquals(1, lines.size(), "one line: " + lines);
    assertTrue(
        lines.get(0).startsWith("idle-ledger: run failed: another run holds the lake's run lock "),
        lines.get(0));
    assertTrue(Files.notExists(lake.resolve("_run.lock")), "the winner released the lock");
    for (String table : LakeComparison.MONEY_TABLES) {
      if (!table.equals(
          "recommendations")) { // one night of a single node: the trace triggers no recommendation
        LakeComparison.assertSameTable(
            table,
            LakeComparison.table(reader, referenceLake.toUri().toString(), table),
            LakeComparison.table(reader, lake.toUri().toString(), table));
      }
    }
  }

  private static List<String> nightly(Path lake) {
    return List.of(
        "nightly",
        "--date",
        NIGHT,
        "--lookback",
        "0",
        "--set",
        "lake.root=" + lake,
        "--set",
        "input.telemetry=" + trace.resolve("telemetry"),
        "--set",
        "input.kube=" + trace.resolve("kube"),
        "--set",
        "input.billing.cur=" + trace.resolve("billing/cur"),
        "--set",
        "input.billing.focus=",
        "--set",
        "spark.master=local[1]",
        "--set",
        "spark.shuffle_partitions=2");
  }

  private static List<String> idleLedger(List<String> args) {
    return ClusterJar.javaCommand("dev.idleledger.cli.IdleLedger", args);
  }

  private static Process start(List<String> cmd) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(Files.createTempFile("writer", ".log").toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process p = pb.start();
    // The finally that stops it does not run if the test JVM itself is stopped (a timeout): this
    // does.
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "stop the writing night"));
    return p;
  }
}
