package dev.idleledger.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idleledger.config.ConfigLoader;
import dev.idleledger.config.InstanceCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

/**
 * Fleets scraped at a phase (FleetSpec.scrapePhase): every node at its own offset into the interval, as Prometheus
 * spreads its targets, and the truth counting each hold in the hours it covers (COST_MODEL.md §2).
 */
class ScrapePhaseTest {
  private static final LocalDate DAY = LocalDate.parse("2026-11-01");
  private static final double EPS = 1e-9;

  /** The g5.xlarge of slot 5 (ocr's node): on demand at the catalog's 1.006/h, no planted mess. */
  private static final int OCR_NODE = 5;

  private static final double G5_XLARGE_HOUR = 1.006;

  @Test
  void phaseIsSecondsOrRandomAndBelowTheInterval() {
    assertEquals(7_000, ScrapePhase.parse("7").offsetMs());
    assertEquals(2_500, ScrapePhase.parse("2.5").offsetMs());
    assertTrue(ScrapePhase.parse("random").perNode());
    assertThrows(IllegalArgumentException.class, () -> ScrapePhase.parse("7.0001"));
    assertThrows(IllegalArgumentException.class, () -> ScrapePhase.parse("soon"));
    assertThrows(IllegalArgumentException.class, () -> ScrapePhase.parse("-1"));
    FleetSpec spec = new FleetSpec(DAY, 1, 6, 42, TelemetryFormat.CSV, 15);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> spec.withScrapePhase(ScrapePhase.parse("15")));
    assertTrue(e.getMessage().contains("below the interval"), e.getMessage());
  }

  @Test
  void randomPhasesDifferPerNodeAndRepeatPerSeed() {
    FleetSpec spec =
        new FleetSpec(DAY, 1, 6, 42, TelemetryFormat.CSV, 15).withScrapePhase(ScrapePhase.random());
    FleetPlan plan = new FleetPlan(spec, InstanceCatalog.load(ConfigLoader.defaultsOnly()));
    Set<Long> phases = new TreeSet<>();
    for (FleetPlan.Node n : plan.nodes()) {
      long p = spec.scrapePhase().offsetMs(n, spec.seed(), 15);
      assertTrue(p >= 0 && p < 15_000, n.name() + " " + p);
      assertEquals(
          p,
          spec.scrapePhase().offsetMs(n, spec.seed(), 15),
          "a seed always gives the same phases");
      phases.add(p);
    }
    assertEquals(6, phases.size(), phases.toString());
  }

  @Test
  void phaseShiftedTruthCountsEachHoldInTheHoursItCovers() throws Exception {
    FleetSpec spec =
        new FleetSpec(DAY, 1, 6, 42, TelemetryFormat.CSV, 15).withScrapePhase(ScrapePhase.random());
    Path dir =
        Files.createTempDirectory(
            Files.createDirectories(Path.of("target", "generated-fleets")), "fleet-phase");
    FleetGenerator.generate(spec, dir);
    FleetPlan.Node ocrNode =
        new FleetPlan(spec, InstanceCatalog.load(ConfigLoader.defaultsOnly()))
            .nodes()
            .get(OCR_NODE);
    double phase = spec.scrapePhase().offsetMs(ocrNode, spec.seed(), 15) / 1000.0;
    assertTrue(phase > 0, "seed 42 puts ocr's node off the whole interval: " + phase);

    // Samples at p, p + 15, ... 23:59:45 + p. The first p seconds of the day are unobserved; every
    // hh:59:45 + p sample holds 15 - p s of its hour and p s of the next, so hours 1-23 are whole;
    // the last hold stops at 24:00.
    List<CSVRecord> hours =
        GeneratedFleets.csv(dir.resolve("truth/instance_hourly.csv")).stream()
            .filter(r -> r.get("instance_id").equals(ocrNode.instanceId()))
            .toList();
    assertEquals(24, hours.size());
    for (CSVRecord h : hours) {
      boolean first = Instant.parse(h.get("hour")).equals(Instant.parse("2026-11-01T00:00:00Z"));
      assertEquals(
          first ? G5_XLARGE_HOUR * phase / 3600 : 0.0,
          Double.parseDouble(h.get("unobserved_cost")),
          EPS,
          h.get("hour"));
      assertEquals(
          G5_XLARGE_HOUR,
          Double.parseDouble(h.get("allocated_cost"))
              + Double.parseDouble(h.get("unallocated_cost"))
              + Double.parseDouble(h.get("unobserved_cost")),
          EPS,
          "conserved in " + h.get("hour"));
    }
    CSVRecord ocr =
        GeneratedFleets.csv(dir.resolve("truth/workload_daily.csv")).stream()
            .filter(r -> r.get("workload_name").equals("ocr"))
            .findFirst()
            .orElseThrow();
    assertEquals(
        24 * G5_XLARGE_HOUR - G5_XLARGE_HOUR * phase / 3600,
        Double.parseDouble(ocr.get("cost")),
        1e-6);
    assertEquals((86400 - phase) / 3600, Double.parseDouble(ocr.get("gpu_hours")), 1e-9);

    // Every instance-hour of the fleet is conserved, whatever its phase.
    for (CSVRecord h : GeneratedFleets.csv(dir.resolve("truth/instance_hourly.csv"))) {
      assertEquals(
          Double.parseDouble(h.get("node_cost")),
          Double.parseDouble(h.get("allocated_cost"))
              + Double.parseDouble(h.get("unallocated_cost"))
              + Double.parseDouble(h.get("unobserved_cost")),
          1e-9,
          h.get("instance_id") + " " + h.get("hour"));
    }
  }
}
