package dev.idleledger.cli;

import dev.idleledger.Progress;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.ingest.SilverTables;
import dev.idleledger.maintain.LakeMaintenance;
import dev.idleledger.maintain.MaintainSettings;
import dev.idleledger.maintain.TableFootprint;
import dev.idleledger.spark.LedgerSpark;
import dev.idleledger.spark.RunLock;
import dev.idleledger.spark.TableSpec;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "maintain",
    description =
        "OPTIMIZE the silver tables per date (--from/--to, else the maintain.recent_days newest dates), "
            + "VACUUM every table keeping maintain.vacuum_retention_hours (at least 168) of replaced files, and print files and bytes per table before/after.")
public final class MaintainCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--from",
      paramLabel = "DATE",
      description = "first UTC day to compact, YYYY-MM-DD (with --to)")
  LocalDate from;

  @Option(
      names = "--to",
      paramLabel = "DATE",
      description = "last UTC day to compact (inclusive), YYYY-MM-DD (with --from)")
  LocalDate to;

  @Override
  public Integer call() {
    if ((from == null) != (to == null)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--from and --to go together (or neither: the recent dates)");
    }
    if (from != null && to.isBefore(from)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--to " + to + " is before --from " + from);
    }
    LedgerConfig config = common.load();
    MaintainSettings settings = MaintainSettings.from(config);
    Optional<LakeMaintenance.DateRange> range =
        from == null ? Optional.empty() : Optional.of(new LakeMaintenance.DateRange(from, to));
    String dates =
        range
            .map(r -> r.from() + " .. " + r.to())
            .orElse("the " + settings.recentDays() + " newest dates of each");
    if (common.dryRun) {
      Progress.line(
          "dry run: maintain would OPTIMIZE %s for %s, then VACUUM every table of %s retaining %d hours",
          SilverTables.ALL.stream().map(TableSpec::name).collect(Collectors.joining(", ")),
          dates,
          config.database,
          settings.vacuumRetentionHours());
      return IdleLedger.EXIT_OK;
    }
    // OPTIMIZE and VACUUM write the tables: one writer per lake, like a night.
    try (RunLock lock = RunLock.acquire(config, "maintain")) {
      SparkSession spark = LedgerSpark.create(config, "idle-ledger maintain");
      try {
        List<LakeMaintenance.TableResult> results =
            new LakeMaintenance(spark, config.database, settings).run(range);
        System.out.print(report(results));
        return IdleLedger.EXIT_OK;
      } finally {
        spark.stop();
      }
    }
  }

  /** One line per table: live files and bytes (the current version), then stored ones (all versions kept), before → after. */
  static String report(List<LakeMaintenance.TableResult> results) {
    StringBuilder out =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%-24s %17s %25s %17s %25s  %s%n",
                "table",
                "live files",
                "live bytes",
                "stored files",
                "stored bytes",
                "optimized dates"));
    for (LakeMaintenance.TableResult r : results) {
      TableFootprint b = r.before();
      TableFootprint a = r.after();
      out.append(
          String.format(
              Locale.ROOT,
              "%-24s %17s %25s %17s %25s  %s%n",
              b.table(),
              b.liveFiles() + " -> " + a.liveFiles(),
              b.liveBytes() + " -> " + a.liveBytes(),
              b.storedFiles() + " -> " + a.storedFiles(),
              b.storedBytes() + " -> " + a.storedBytes(),
              r.optimized()));
    }
    return out.toString();
  }
}
