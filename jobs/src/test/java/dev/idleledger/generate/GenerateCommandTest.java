package dev.idleledger.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.cli.IdleLedger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateCommandTest {
  @Test
  void dryRunValidatesAndWritesNothing(@TempDir Path out) {
    int code =
        IdleLedger.execute(
            "generate",
            "--out",
            out.resolve("fleet").toString(),
            "--start",
            "2026-11-01",
            "--days",
            "1",
            "--nodes",
            "6",
            "--dry-run");
    assertEquals(IdleLedger.EXIT_OK, code);
    assertFalse(Files.exists(out.resolve("fleet")));
  }

  @Test
  void unknownFormatIsBadUsage(@TempDir Path out) {
    assertEquals(
        IdleLedger.EXIT_USAGE,
        IdleLedger.execute(
            "generate",
            "--out",
            out.toString(),
            "--start",
            "2026-11-01",
            "--days",
            "1",
            "--nodes",
            "1",
            "--format",
            "xml"));
  }

  @Test
  void zeroNodesIsBadUsage(@TempDir Path out) {
    assertEquals(
        IdleLedger.EXIT_USAGE,
        IdleLedger.execute(
            "generate",
            "--out",
            out.toString(),
            "--start",
            "2026-11-01",
            "--days",
            "1",
            "--nodes",
            "0"));
  }

  @Test
  void generatesEveryInputAndTheTruth(@TempDir Path out) {
    int code =
        IdleLedger.execute(
            "generate",
            "--out",
            out.toString(),
            "--start",
            "2026-11-01",
            "--days",
            "2",
            "--nodes",
            "1",
            "--format",
            "prom",
            "--interval-seconds",
            "60",
            "--seed",
            "3");
    assertEquals(IdleLedger.EXIT_OK, code);
    for (String p :
        new String[] {
          "telemetry/dt=2026-11-01",
          "telemetry/dt=2026-11-02",
          "kube/dt=2026-11-02",
          "billing/cur/BILLING_PERIOD=2026-11/cur-00001.csv",
          "billing/focus",
          "truth/workload_daily.csv",
          "truth/cluster_daily.csv"
        }) {
      assertTrue(Files.exists(out.resolve(p)), p);
    }
  }

  @Test
  void scrapePhaseOffsetsEverySampleIntoTheInterval(@TempDir Path out) throws Exception {
    int code =
        IdleLedger.execute(
            "generate",
            "--out",
            out.toString(),
            "--start",
            "2026-11-01",
            "--days",
            "1",
            "--nodes",
            "1",
            "--format",
            "csv",
            "--interval-seconds",
            "15",
            "--scrape-phase",
            "7");
    assertEquals(IdleLedger.EXIT_OK, code);
    Set<String> secondsPastMinute = new TreeSet<>();
    for (Path f : GeneratedFleets.files(out.resolve("telemetry"), ".csv.gz")) {
      for (var r : GeneratedFleets.csv(f)) {
        secondsPastMinute.add(r.get("timestamp").substring(17, 23));
      }
    }
    assertEquals(Set.of("07.000", "22.000", "37.000", "52.000"), secondsPastMinute);
    assertEquals(
        IdleLedger.EXIT_USAGE,
        IdleLedger.execute(
            "generate",
            "--out",
            out.resolve("again").toString(),
            "--start",
            "2026-11-01",
            "--days",
            "1",
            "--nodes",
            "1",
            "--interval-seconds",
            "15",
            "--scrape-phase",
            "15"));
  }

  @Test
  void fixFromDayCullsTheIdleNotebookFromThatDayOn(@TempDir Path out) throws Exception {
    // Two nodes reach slot 1, where nb-bob sits; culled from the second day, it holds its H100 only
    // 09:00-18:00.
    int code =
        IdleLedger.execute(
            "generate",
            "--out",
            out.toString(),
            "--start",
            "2026-11-01",
            "--days",
            "2",
            "--nodes",
            "2",
            "--format",
            "csv",
            "--interval-seconds",
            "60",
            "--fix-from-day",
            "2026-11-02");
    assertEquals(IdleLedger.EXIT_OK, code);
    Map<String, Double> bobHours = new TreeMap<>();
    for (var r : GeneratedFleets.csv(out.resolve("truth/workload_daily.csv"))) {
      if (r.get("workload_name").equals("nb-bob")) {
        bobHours.put(r.get("date"), Double.parseDouble(r.get("gpu_hours")));
      }
    }
    assertTrue(bobHours.get("2026-11-01") > 23.9, bobHours.toString());
    assertEquals(9.0, bobHours.get("2026-11-02"), 1e-9);
  }
}
