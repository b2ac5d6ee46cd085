package dev.idleledger.cli;

import dev.idleledger.Progress;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.nightly.NightlyRun;
import dev.idleledger.spark.LedgerSpark;
import dev.idleledger.spark.RunLock;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "backfill",
    description =
        "Ingest, attribute and roll up every date in a range whose inputs changed, oldest first; recommend every night of the range; tickets once, for the last.")
public final class BackfillCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--from",
      required = true,
      paramLabel = "DATE",
      description = "first UTC day, YYYY-MM-DD")
  LocalDate from;

  @Option(
      names = "--to",
      required = true,
      paramLabel = "DATE",
      description = "last UTC day (inclusive), YYYY-MM-DD")
  LocalDate to;

  @Option(
      names = "--force",
      description =
          "recompute every date of the range even when its inputs are unchanged since it was published")
  boolean force;

  @Override
  public Integer call() {
    if (to.isBefore(from)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--to " + to + " is before --from " + from);
    }
    LedgerConfig config = common.load();
    if (common.dryRun) {
      Progress.line(
          "dry run: backfill %s .. %s%s, recommend each night, tickets for %s",
          from, to, force ? " (all recomputed: --force)" : " (dates whose inputs changed)", to);
      common.stopsForDryRun(config);
      return IdleLedger.EXIT_OK;
    }
    // One writer per lake: a second run refuses here, before Spark starts (RunLock).
    try (RunLock lock = RunLock.acquire(config, "backfill " + from + ".." + to)) {
      SparkSession spark = LedgerSpark.create(config, "idle-ledger backfill " + from + ".." + to);
      try {
        new NightlyRun(spark, config).force(force).runRange(from, to);
        return IdleLedger.EXIT_OK;
      } finally {
        spark.stop();
      }
    }
  }
}
