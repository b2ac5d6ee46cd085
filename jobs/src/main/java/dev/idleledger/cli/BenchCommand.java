package dev.idleledger.cli;

import dev.idleledger.Progress;
import dev.idleledger.RunFailedException;
import dev.idleledger.bench.BenchReport;
import dev.idleledger.bench.FleetSize;
import dev.idleledger.bench.NightlyBenchmark;
import dev.idleledger.bench.RealNightBenchmark;
import dev.idleledger.bench.ResourcePeaks;
import dev.idleledger.bench.SizeResult;
import dev.idleledger.bench.TinyNightBenchmark;
import dev.idleledger.config.ConfigException;
import dev.idleledger.config.GpuSharePolicy;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.spark.LedgerSpark;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The performance benchmark (issue #5): per size, a generated fleet through the nightly job and through the DuckDB
 * peer on the same raw files; a table on stdout, a CSV, and exit 1 when the two disagree on any money figure.
 */
@Command(
    name = "bench",
    description =
        "Benchmark the nightly job by fleet size in GPU-days, against DuckDB on the same raw Parquet.")
public final class BenchCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = "--sizes",
      split = ",",
      defaultValue = "16,64,256",
      paramLabel = "GPU-DAYS",
      description = "fleet sizes in GPU-days, comma separated (default: ${DEFAULT-VALUE})")
  List<Integer> sizes;

  @Option(
      names = "--dir",
      defaultValue = "bench-lake",
      paramLabel = "PATH",
      description =
          "where fleets, the lake and the CSV go; must not hold an earlier run (default: ${DEFAULT-VALUE})")
  Path dir;

  @Option(
      names = "--csv",
      paramLabel = "FILE",
      description = "CSV of the results (default: <dir>/bench.csv)")
  Path csv;

  @Option(
      names = "--skip-duckdb",
      description = "run only the nightly job, without the DuckDB peer and the comparison")
  boolean skipDuckDb;

  @Option(
      names = "--hours",
      defaultValue = "24",
      paramLabel = "N",
      description =
          "hours of each generated day, 1-24; below 24 only for quick checks (default: ${DEFAULT-VALUE})")
  int hours;

  @Option(
      names = "--nights",
      paramLabel = "N",
      description =
          "instead: the nightly as Airflow runs it over a fleet generated for N days (each size per day): "
              + "nightly --date <last day> on an empty lake, again with nothing new, again after one late file for the day before")
  Integer nights;

  @Option(
      names = "--tiny",
      description =
          "instead: the fixed cost of a night, the bench row of issue #20: nightly --date <the trace's day> with the "
              + "configured lookback on an empty lake, over the real H100 trace (one GPU, 2,412 telemetry rows, two billed hours; copied into --dir), "
              + "wall per stage and the night's Spark jobs, stages, tasks and Delta commits per table; no DuckDB peer")
  boolean tiny;

  @Option(
      names = "--repeat",
      defaultValue = "1",
      paramLabel = "N",
      description =
          "with --tiny: run the tiny night N times in the same JVM, each on a new empty lake; the first is the row, the "
              + "others (<dir>/tiny-warm.csv) show how much of it was the JVM warming up (default: ${DEFAULT-VALUE})")
  int repeat;

  @Option(
      names = "--trace",
      defaultValue = "../shared/data/h100-trace",
      paramLabel = "PATH",
      description =
          "the trace --tiny runs (telemetry/, kube/, billing/ as CONTRACTS.md lays them out) (default: ${DEFAULT-VALUE})")
  Path trace;

  @Override
  public Integer call() throws IOException {
    DevTools.require("bench", true);
    List<FleetSize> fleets = new ArrayList<>();
    try {
      for (int s : sizes) {
        fleets.add(FleetSize.of(s, hours));
      }
      fleets.forEach(FleetSize::spec);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("bench: " + e.getMessage());
    }
    Path root = dir.toAbsolutePath().normalize();
    List<String> lake = List.of("lake.root=" + root.resolve("lake"));
    LedgerConfig base = common.load(lake);
    if (!skipDuckDb && !tiny && base.gpuShare.kind() != GpuSharePolicy.Kind.WHOLE_NODE) {
      throw new ConfigException(
          "bench: the DuckDB peer implements cost.gpu_share = whole-node only; use --skip-duckdb for "
              + base.gpuShare);
    }
    if (common.stopsForDryRun(base)) {
      return IdleLedger.EXIT_OK;
    }
    if (tiny && nights != null) {
      throw new ConfigException("bench: --tiny and --nights are different rows; give one of them");
    }
    if (repeat < 1 || (repeat > 1 && !tiny)) {
      throw new ConfigException(
          "bench: --repeat " + repeat + ": give 1 or more, and more than 1 only with --tiny");
    }
    if (nights != null) {
      return realNights(fleets, root, lake, base);
    }
    if (tiny) {
      return tinyNight(root, lake, base);
    }
    SparkSession spark = LedgerSpark.create(base, "idle-ledger bench");
    List<SizeResult> results = new ArrayList<>();
    try {
      NightlyBenchmark bench =
          new NightlyBenchmark(spark, configsOver(lake)::apply, root, !skipDuckDb);
      for (FleetSize size : fleets) {
        try {
          results.add(bench.run(size));
        } catch (IllegalArgumentException e) {
          throw new ConfigException("bench: " + e.getMessage());
        }
      }
    } finally {
      spark.stop();
    }
    BenchReport.printTables(results, System.out);
    System.out.printf(
        Locale.ROOT,
        "Process RSS high-water mark (VmHWM, whole run, DuckDB's native memory included): %.0f MiB%n",
        ResourcePeaks.lifetimeRssHighWaterBytes() / (1024.0 * 1024.0));
    Path csvFile = csv != null ? csv : root.resolve("bench.csv");
    BenchReport.writeCsv(results, csvFile);
    Progress.line("bench CSV: %s", csvFile);
    for (SizeResult r : results) {
      if (r.disagreement().isPresent()) {
        throw new RunFailedException(
            "Spark and DuckDB disagree at "
                + r.size().requestedGpuDays()
                + " GPU-days, first at "
                + r.disagreement().get().describe());
      }
    }
    return IdleLedger.EXIT_OK;
  }

  private Integer tinyNight(Path root, List<String> lake, LedgerConfig base) throws IOException {
    SparkSession spark = LedgerSpark.create(base, "idle-ledger bench tiny");
    Path tracePath = trace.toAbsolutePath().normalize();
    TinyNightBenchmark.Result result;
    // The same night again in this JVM: each drops the bench database first, so each runs on an
    // empty lake, with the JVM's classes loaded and its hot code compiled by the nights before.
    List<SizeResult> warm = new ArrayList<>();
    List<String> warmWalls = new ArrayList<>();
    try {
      try {
        result = new TinyNightBenchmark(spark, configsOver(lake)::apply, root).run(tracePath);
        for (int run = 2; run <= repeat; run++) {
          Path dir = root.resolve("repeat-" + run);
          SizeResult row =
              new TinyNightBenchmark(spark, configsOver(lake)::apply, dir).run(tracePath).row();
          warm.add(row);
          warmWalls.add(String.format(Locale.ROOT, "%.1f s", row.wallSeconds()));
        }
      } catch (IllegalArgumentException e) {
        throw new ConfigException("bench: " + e.getMessage());
      }
    } finally {
      spark.stop();
    }
    BenchReport.printTables(List.of(result.row()), System.out);
    result.printProfile(System.out);
    Path csvFile = csv != null ? csv : root.resolve("bench.csv");
    BenchReport.writeCsv(List.of(result.row()), csvFile);
    Progress.line(
        "bench CSV: %s; each Spark job of the night: %s",
        csvFile, root.resolve("tiny/night-profile.csv"));
    if (!warm.isEmpty()) {
      Path warmFile = root.resolve("tiny-warm.csv");
      BenchReport.writeCsv(warm, warmFile);
      Progress.line(
          "tiny night in one JVM: first %.1f s, then %s; those rows: %s",
          result.row().wallSeconds(), String.join(", ", warmWalls), warmFile);
    }
    return IdleLedger.EXIT_OK;
  }

  /**
   * Each night's config: the command's own (its --conf and --set) over the bench's lake, then the night's. A plain
   * function, handed to the bench classes as {@code ::apply}: no method of this class may name a bench class in its
   * signature (its lambdas included), since picocli reads every method of a command and the cluster jar leaves the
   * bench out; {@code bench} there must still say it is not in the jar.
   */
  private Function<List<String>, LedgerConfig> configsOver(List<String> lake) {
    return extra -> {
      List<String> all = new ArrayList<>(lake);
      all.addAll(extra);
      return common.load(all);
    };
  }

  private Integer realNights(
      List<FleetSize> fleets, Path root, List<String> lake, LedgerConfig base) throws IOException {
    if (nights < 1) {
      throw new ConfigException("bench: --nights must be >= 1, got " + nights);
    }
    SparkSession spark = LedgerSpark.create(base, "idle-ledger bench nights");
    try {
      RealNightBenchmark bench = new RealNightBenchmark(spark, configsOver(lake)::apply, root);
      for (FleetSize size : fleets) {
        RealNightBenchmark.print(size.requestedGpuDays(), bench.run(size, nights), System.out);
      }
    } finally {
      spark.stop();
    }
    return IdleLedger.EXIT_OK;
  }
}
