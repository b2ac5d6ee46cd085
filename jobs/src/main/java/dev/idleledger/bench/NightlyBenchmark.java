package dev.idleledger.bench;

import dev.idleledger.Progress;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.generate.FleetGenerator;
import dev.idleledger.nightly.NightlyRun;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * One benchmark size, end to end: generate the fleet, run the nightly job on each of its days into an empty
 * database (its own lake: tables, history and recommendations start from nothing), measure each stage, then run
 * the DuckDB peer over the same raw files and compare the money. The session is given, so the command line and
 * the tests share this code; each size gets its own database because a session's lake root is fixed.
 */
public final class NightlyBenchmark {
  /** Builds the configuration of one size from the overrides the benchmark derives (inputs, database, outbox). */
  @FunctionalInterface
  public interface ConfigFactory {
    LedgerConfig load(List<String> overrides);
  }

  private final SparkSession spark;
  private final ConfigFactory configs;
  private final Path dir;
  private final boolean runDuckDb;

  public NightlyBenchmark(SparkSession spark, ConfigFactory configs, Path dir, boolean runDuckDb) {
    this.spark = spark;
    this.configs = configs;
    this.dir = dir.toAbsolutePath().normalize();
    this.runDuckDb = runDuckDb;
  }

  public static String databaseFor(FleetSize size) {
    return "bench_"
        + size.requestedGpuDays()
        + (size.hoursPerDay() < 24 ? "_" + size.hoursPerDay() + "h" : "");
  }

  public SizeResult run(FleetSize size) throws IOException {
    Path sizeDir = dir.resolve(databaseFor(size).replace('_', '-'));
    Path raw = sizeDir.resolve("raw");
    if (Files.exists(raw)) {
      throw new IllegalArgumentException(
          raw + " already exists: give --dir an empty or new folder (or delete it)");
    }
    long t0 = System.nanoTime();
    FleetGenerator.Summary fleet = FleetGenerator.generate(size.spec(), raw);
    double generateSeconds = (System.nanoTime() - t0) / 1e9;
    Progress.line(
        "bench %d GPU-days: generated %d nodes / %d GPUs x %d h, %,d telemetry samples in %.1f s",
        size.requestedGpuDays(),
        fleet.nodes(),
        fleet.gpus(),
        size.hoursPerDay(),
        fleet.telemetrySamples(),
        generateSeconds);

    String database = databaseFor(size);
    LedgerConfig config =
        configs.load(
            List.of(
                "input.telemetry=" + raw.resolve("telemetry"),
                "input.kube=" + raw.resolve("kube"),
                "input.billing.cur=" + raw.resolve("billing/cur"),
                "input.billing.focus=" + raw.resolve("billing/focus"),
                "catalog.database=" + database,
                "tickets.sink=outbox",
                "tickets.outbox.prefix=" + sizeDir.resolve("tickets")));
    spark.sql("DROP DATABASE IF EXISTS " + database + " CASCADE");

    Map<String, Double> stages = new LinkedHashMap<>();
    long peakHeap;
    long peakRss;
    TaskTotals.Work work;
    try (ResourcePeaks peaks = new ResourcePeaks();
        TaskTotals totals = new TaskTotals(spark.sparkContext())) {
      new NightlyRun(spark, config)
          .onStageDone((date, stage, seconds) -> stages.merge(stage, seconds, Double::sum))
          .runRange(FleetSize.START, size.lastDay());
      peakHeap = peaks.peakHeapBytes();
      peakRss = peaks.peakRssBytes();
      totals.close();
      work = totals.work();
    }
    long lakeBytes =
        bytesUnder(Path.of(config.lakeRoot).resolve("warehouse").resolve(database + ".db"));

    List<LocalDate> dates = new ArrayList<>();
    for (LocalDate d = FleetSize.START; !d.isAfter(size.lastDay()); d = d.plusDays(1)) {
      dates.add(d);
    }
    Optional<CostFigures> duck = Optional.empty();
    int rows = 0;
    Optional<CostComparison.Disagreement> disagreement = Optional.empty();
    if (runDuckDb) {
      CostFigures peer =
          new DuckDbCostModel(config, instanceCatalogFile(config, sizeDir)).run(dates);
      CostFigures published = CostFigures.fromLake(spark, database, dates);
      duck = Optional.of(peer);
      rows = CostComparison.rows(published);
      disagreement = CostComparison.firstDisagreement(published, peer);
      Progress.line(
          "bench %d GPU-days: DuckDB %.1f s; %d rows compared, %s",
          size.requestedGpuDays(),
          peer.seconds(),
          rows,
          disagreement.map(CostComparison.Disagreement::describe).orElse("all agree"));
    }
    return new SizeResult(
        size,
        fleet.telemetrySamples(),
        fleet.kubeSamples(),
        generateSeconds,
        bytesUnder(raw),
        stages,
        peakHeap,
        peakRss,
        work,
        lakeBytes,
        Runtime.getRuntime().availableProcessors(),
        duck,
        rows,
        disagreement);
  }

  /** DuckDB reads the catalog as a file; conf/ may live inside the jar, so the bench writes the copy it reads. */
  private static Path instanceCatalogFile(LedgerConfig config, Path sizeDir) throws IOException {
    Path copy = sizeDir.resolve("instance-catalog.csv");
    try (Reader in = config.confResource("cost.instance_catalog").open();
        Writer out = Files.newBufferedWriter(copy, StandardCharsets.UTF_8)) {
      in.transferTo(out);
    }
    return copy;
  }

  static long bytesUnder(Path root) {
    if (!Files.exists(root)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .filter(Files::isRegularFile)
          .mapToLong(
              p -> {
                try {
                  return Files.size(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              })
          .sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
