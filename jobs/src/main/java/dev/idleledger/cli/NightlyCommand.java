package dev.idleledger.cli;

import dev.idleledger.Progress;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.nightly.NightlyRun;
import dev.idleledger.spark.LedgerSpark;
import dev.idleledger.spark.RunLock;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "nightly",
    description =
        "The nightly run for one UTC date: ingest, attribute, roll up each of DATE and the lookback days before it whose inputs changed, then recommend and tickets for DATE.")
public final class NightlyCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = "--date",
      required = true,
      paramLabel = "DATE",
      description = "the UTC day to run, YYYY-MM-DD")
  LocalDate date;

  @Option(
      names = "--lookback",
      paramLabel = "N",
      description = "also recompute the N days before DATE (default: nightly.lookback_days)")
  Integer lookback;

  @Option(
      names = "--force",
      description =
          "recompute every date of the night even when its inputs are unchanged since it was published")
  boolean force;

  @Override
  public Integer call() {
    LedgerConfig config = common.load();
    int days = lookback == null ? config.lookbackDays : lookback;
    if (days < 0) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(this), "--lookback must be >= 0, got " + days);
    }
    if (common.dryRun) {
      Progress.line(
          "dry run: nightly %s would cover %s%s, then recommend and tickets for %s",
          date,
          NightlyRun.datesFor(date, days),
          force ? " (all recomputed: --force)" : " (those whose inputs changed)",
          date);
      common.stopsForDryRun(config);
      return IdleLedger.EXIT_OK;
    }
    // One writer per lake: a second run refuses here, before Spark starts (RunLock).
    try (RunLock lock = RunLock.acquire(config, "nightly " + date)) {
      SparkSession spark = LedgerSpark.create(config, "idle-ledger nightly " + date);
      try {
        new NightlyRun(spark, config).force(force).run(date, days);
        return IdleLedger.EXIT_OK;
      } finally {
        spark.stop();
      }
    }
  }
}
