package dev.idleledger.testing;

import dev.idleledger.config.LedgerConfig;
import dev.idleledger.generate.FleetGenerator;
import dev.idleledger.generate.FleetSpec;
import dev.idleledger.generate.ScrapePhase;
import dev.idleledger.generate.TelemetryFormat;
import dev.idleledger.nightly.NightlyRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

/**
 * One generated fleet run through the nightly job, shared by every test class that needs a populated lake
 * (the truth comparison, the notebooks, the report): the pipeline runs once per test JVM.
 *
 * <p>The fleet is the default pool pattern (MIG, time-slicing, gaps, an exporter restart, duplicates,
 * stragglers, a billed hour without telemetry, Spot/SP/RI, CUR and FOCUS), two days of four hours, 10 s scrapes,
 * each node at its own phase (so holds cross every hh:00, as in a real Prometheus archive). The nights carry the
 * generator's cost-center label and share unallocated and unobserved cost over the teams (attribution.*), which
 * changes no money column the truth is compared on.
 */
public final class FleetLake {
  public static final LocalDate START = LocalDate.of(2026, 11, 3);
  public static final int DAYS = 2;
  public static final String DATABASE = "fleet_lake";

  public record Lake(Path fleet, LedgerConfig config, String database, List<LocalDate> dates) {}

  private static Lake lake;

  private FleetLake() {}

  public static synchronized Lake get() {
    if (lake == null) {
      try {
        Path fleet = Files.createTempDirectory("fleet-lake");
        FleetGenerator.generate(
            new FleetSpec(START, DAYS, FleetSpec.DEFAULT_NODES, 11, TelemetryFormat.PARQUET, 10)
                .withHoursPerDay(4)
                .withScrapePhase(ScrapePhase.random()),
            fleet);
        LedgerConfig config =
            TestSpark.config(
                "catalog.database=" + DATABASE,
                "attribution.labels=team,cost-center",
                "attribution.share_unallocated=cluster",
                "input.telemetry=" + fleet.resolve("telemetry"),
                "input.kube=" + fleet.resolve("kube"),
                "input.billing.cur=" + fleet.resolve("billing/cur"),
                "input.billing.focus=" + fleet.resolve("billing/focus"));
        List<LocalDate> dates = List.of(START, START.plusDays(1));
        new NightlyRun(TestSpark.session(), config).runRange(START, START.plusDays(1));
        lake = new Lake(fleet, config, DATABASE, dates);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return lake;
  }
}
