package dev.idleledger.cli;

import dev.idleledger.Progress;
import dev.idleledger.config.ConfigException;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.generate.FleetGenerator;
import dev.idleledger.generate.FleetSpec;
import dev.idleledger.generate.TelemetryFormat;
import dev.idleledger.nightly.NightlyRun;
import dev.idleledger.recommend.RecommendStage;
import dev.idleledger.report.TextReport;
import dev.idleledger.report.WasteSummary;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.spark.LedgerSpark;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Generate a synthetic fleet, run the nightly job on every day of it, and print the waste report. */
@Command(
    name = "demo",
    description =
        "Generate a synthetic GPU fleet, run the nightly job for each day, and print the waste report.")
public final class DemoCommand implements Callable<Integer> {
  /** A fixed start keeps the demo's figures the same from run to run. */
  static final LocalDate START = LocalDate.of(2026, 11, 1);

  @Mixin CommonOptions common;

  @Option(
      names = "--gpus",
      defaultValue = "23",
      description =
          "fleet size in GPUs, rounded up to whole node pools (default: ${DEFAULT-VALUE})")
  int gpus;

  @Option(
      names = "--days",
      defaultValue = "1",
      description = "days of data (default: ${DEFAULT-VALUE})")
  int days;

  // Ten seconds is a common dcgm-exporter scrape interval and keeps the default demo within minutes
  // on a laptop; the cost model holds each sample for its interval, so --interval-seconds 1 gives
  // the same costs for step-shaped activity on ten times the samples (the benchmark runs at 1 s).
  @Option(
      names = "--interval-seconds",
      defaultValue = "10",
      paramLabel = "N",
      description = "telemetry scrape interval of the generated fleet (default: ${DEFAULT-VALUE})")
  int intervalSeconds;

  @Option(
      names = "--dir",
      defaultValue = "demo-lake",
      description = "where the raw data and the lake go (default: ${DEFAULT-VALUE})")
  Path dir;

  @Override
  public Integer call() throws IOException {
    DevTools.require("demo", false);
    Path root = dir.toAbsolutePath().normalize();
    Path raw = root.resolve("raw");
    Path confFile = root.resolve("idle-ledger.conf");
    LedgerConfig config =
        common.load(
            List.of(
                "input.telemetry=" + raw.resolve("telemetry"),
                "input.kube=" + raw.resolve("kube"),
                "input.billing.cur=" + raw.resolve("billing/cur"),
                "input.billing.focus=" + raw.resolve("billing/focus"),
                "lake.root=" + root.resolve("lake"),
                "tickets.sink=outbox",
                "attribution.labels=team,cost-center"));
    if (common.stopsForDryRun(config)) {
      return IdleLedger.EXIT_OK;
    }
    if (Files.exists(raw)) {
      throw new ConfigException(
          raw + " already exists: give --dir an empty or new folder (or delete it)");
    }
    long start = System.nanoTime();
    FleetGenerator.Summary fleet =
        FleetGenerator.generate(
            FleetSpec.forGpus(
                START,
                days,
                gpus,
                FleetSpec.DEFAULT_SEED,
                TelemetryFormat.PARQUET,
                intervalSeconds),
            raw);
    Progress.line(
        "generated %d nodes, %d GPUs, %,d samples in %.1f s",
        fleet.nodes(), fleet.gpus(), fleet.samples(), (System.nanoTime() - start) / 1e9);
    Files.writeString(
        confFile,
        String.join(
            "\n",
            "# Written by `idle-ledger demo`: use it with --conf to query or re-run this lake.",
            "input.telemetry = \"" + config.telemetryRoot + "\"",
            "input.kube = \"" + config.kubeRoot + "\"",
            "input.billing.cur = \"" + config.curRoot + "\"",
            "input.billing.focus = \"" + config.focusRoot + "\"",
            "lake.root = \"" + config.lakeRoot + "\"",
            "tickets.sink = \"outbox\"",
            "attribution.labels = ["
                + config.chargebackLabels.keys().stream()
                    .map(k -> "\"" + k + "\"")
                    .collect(Collectors.joining(", "))
                + "]",
            ""),
        StandardCharsets.UTF_8);

    SparkSession spark = LedgerSpark.create(config, "idle-ledger demo");
    try {
      LocalDate last = START.plusDays(days - 1);
      new NightlyRun(spark, config).runRange(START, last);
      LakeTables tables = new LakeTables(spark, config);
      WasteSummary summary = WasteSummary.read(tables, START, last, 10);
      Path report = root.resolve("report.html");
      ReportCommand.Written written = ReportCommand.write(tables, START, last, report.toString());
      String hint =
          "Tables: database "
              + config.database
              + " in "
              + config.lakeRoot
              + "\nTry:\n  bin/idle-ledger sql --conf "
              + confFile
              + " \"SELECT workload_name, workload_type, ROUND(idle_cost, 2) AS idle_cost FROM "
              + config.database
              + ".workload_daily ORDER BY idle_cost DESC LIMIT 5\""
              + "\n  bin/idle-ledger sql --conf "
              + confFile
              + " \"SELECT labels['cost-center'] AS cost_center, ROUND(SUM(cost), 2) AS cost FROM "
              + config.database
              + ".workload_daily GROUP BY 1 ORDER BY cost DESC\"";
      RecommendStage recommendations = new RecommendStage(spark, config);
      TextReport.print(
          summary,
          recommendations.top(10),
          recommendations.savingsTotals(),
          written.data().realized(),
          hint + "\nHTML report: " + report + "\nTickets (outbox): " + root.resolve("lake/tickets"),
          System.out);
      Progress.line("demo finished in %.1f s", (System.nanoTime() - start) / 1e9);
      return IdleLedger.EXIT_OK;
    } finally {
      spark.stop();
    }
  }
}
