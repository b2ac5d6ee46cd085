package dev.idleledger.cli;

import dev.idleledger.Progress;
import dev.idleledger.config.ConfigException;
import dev.idleledger.config.InstanceCatalog;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.generate.FleetGenerator;
import dev.idleledger.generate.FleetSpec;
import dev.idleledger.generate.ScrapePhase;
import dev.idleledger.generate.TelemetryFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "generate",
    description =
        "Write a synthetic GPU fleet's raw inputs (telemetry, kube state, CUR and FOCUS bills) plus the ground truth.")
public final class GenerateCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "PATH",
      description = "folder to write telemetry/, kube/, billing/ and truth/ into")
  Path out;

  @Option(
      names = "--start",
      required = true,
      paramLabel = "DATE",
      description = "first UTC day, YYYY-MM-DD")
  LocalDate start;

  @Option(
      names = "--days",
      defaultValue = "1",
      paramLabel = "N",
      description = "days to generate (default: ${DEFAULT-VALUE})")
  int days;

  @Option(
      names = "--nodes",
      defaultValue = "6",
      paramLabel = "N",
      description = "nodes, repeating the six-node pool pattern (default: ${DEFAULT-VALUE})")
  int nodes;

  @Option(
      names = "--seed",
      defaultValue = "42",
      paramLabel = "N",
      description =
          "random seed; the same seed writes the same samples (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--format",
      defaultValue = "parquet",
      paramLabel = "FORMAT",
      description = "telemetry and kube encoding: parquet, csv or prom (default: ${DEFAULT-VALUE})")
  String format;

  @Option(
      names = "--interval-seconds",
      defaultValue = "1",
      paramLabel = "N",
      description = "telemetry sample interval (default: ${DEFAULT-VALUE})")
  int intervalSeconds;

  @Option(
      names = "--scrape-phase",
      defaultValue = "0",
      paramLabel = "SECONDS|random",
      description =
          "where in each interval the samples fall: an offset in seconds for every node (e.g. 7 with --interval-seconds 15), "
              + "or 'random' for a seeded offset per node, as Prometheus spreads its targets (default: ${DEFAULT-VALUE})")
  String scrapePhase;

  @Option(
      names = "--fix-from-day",
      paramLabel = "DATE",
      description =
          "apply the planted fix from this UTC day on: the idle notebook nb-bob is culled (holds its GPU only 09:00-18:00), "
              + "so its CULL_IDLE_NOTEBOOK recommendation resolves and its realized savings can be checked (default: never)")
  LocalDate fixFromDay;

  @Override
  public Integer call() throws IOException {
    DevTools.require("generate", false);
    LedgerConfig config = common.load();
    FleetSpec fleet;
    try {
      fleet =
          new FleetSpec(start, days, nodes, seed, TelemetryFormat.parse(format), intervalSeconds)
              .withFixFromDay(fixFromDay)
              .withScrapePhase(ScrapePhase.parse(scrapePhase));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("generate: " + e.getMessage());
    }
    InstanceCatalog catalog = InstanceCatalog.load(config);
    if (common.stopsForDryRun(config)) {
      return IdleLedger.EXIT_OK;
    }
    long begin = System.nanoTime();
    FleetGenerator.Summary summary;
    try {
      summary = FleetGenerator.generate(fleet, out, catalog);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("generate: " + e.getMessage());
    }
    Progress.line(
        "generated %d nodes / %d GPUs (%d GPU units), %d day(s) from %s: %,d samples (%,d telemetry, %,d kube) in %d files under %s, %.1f s",
        summary.nodes(),
        summary.gpus(),
        summary.gpuUnits(),
        fleet.days(),
        fleet.start(),
        summary.samples(),
        summary.telemetrySamples(),
        summary.kubeSamples(),
        summary.files(),
        out,
        (System.nanoTime() - begin) / 1e9);
    return IdleLedger.EXIT_OK;
  }
}
