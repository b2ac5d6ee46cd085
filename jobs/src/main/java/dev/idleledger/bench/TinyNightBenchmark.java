package dev.idleledger.bench;

import dev.idleledger.Progress;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.nightly.NightlyRun;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The fixed cost of a night ({@code bench --tiny}, issue #20): {@code nightly --date D} with the configured lookback
 * on an empty lake, over a recorded trace small enough that nearly all of the night is per-job and per-table
 * overhead — the real H100 trace ({@code ../shared/data/h100-trace}: one GPU, 2,412 telemetry rows, two billed
 * hours). D is the trace's newest telemetry day; with the default lookback the night also publishes the two days
 * before it, which have no input at all, as the first night on a new lake does. The trace is copied into the
 * bench folder first, so the night reads it from where the other rows read their fleets. Besides the wall per
 * stage it profiles the night: Spark jobs, stages and tasks per part and per call site ({@link NightProfile}), and
 * Delta commits per table.
 */
public final class TinyNightBenchmark {
  public static final String DATABASE = "bench_tiny";

  /** The night's wall outside the timed stages. */
  public static final String OTHER = "other";

  private final SparkSession spark;
  private final NightlyBenchmark.ConfigFactory configs;
  private final Path dir;

  /** What the tiny row measured, and the profile behind it. */
  public record Result(
      SizeResult row,
      NightProfile profile,
      Map<String, Integer> deltaCommits,
      LocalDate date,
      List<LocalDate> published) {
    public void printProfile(PrintStream out) {
      out.printf(
          "%nThe tiny night: nightly --date %s over the trace, dates published %s%n",
          date, published);
      profile.print(deltaCommits, out);
    }
  }

  public TinyNightBenchmark(SparkSession spark, NightlyBenchmark.ConfigFactory configs, Path dir) {
    this.spark = spark;
    this.configs = configs;
    this.dir = dir.toAbsolutePath().normalize();
  }

  public Result run(Path trace) throws IOException {
    Path tinyDir = dir.resolve("tiny");
    Path raw = tinyDir.resolve("raw");
    if (Files.exists(raw)) {
      throw new IllegalArgumentException(
          raw + " already exists: give --dir an empty or new folder (or delete it)");
    }
    if (!Files.isDirectory(trace.resolve("telemetry"))) {
      throw new IllegalArgumentException(
          "no trace at "
              + trace
              + " (a folder with telemetry/, kube/ and billing/, as ../shared/data/h100-trace)");
    }
    long t0 = System.nanoTime();
    copyTree(trace, raw);
    double copySeconds = (System.nanoTime() - t0) / 1e9;
    LocalDate date = newestDay(raw.resolve("telemetry"));
    LedgerConfig config =
        configs.load(
            List.of(
                "input.telemetry=" + raw.resolve("telemetry"),
                "input.kube=" + raw.resolve("kube"),
                "input.billing.cur=" + existing(raw.resolve("billing/cur")),
                "input.billing.focus=" + existing(raw.resolve("billing/focus")),
                "catalog.database=" + DATABASE,
                "tickets.sink=outbox",
                "tickets.outbox.prefix=" + tinyDir.resolve("tickets")));
    spark.sql("DROP DATABASE IF EXISTS " + DATABASE + " CASCADE");

    Map<String, Double> stages = new LinkedHashMap<>();
    NightlyRun.Night night;
    long peakHeap;
    long peakRss;
    TaskTotals.Work work;
    NightProfile profile;
    double nightSeconds;
    try (ResourcePeaks peaks = new ResourcePeaks();
        TaskTotals totals = new TaskTotals(spark.sparkContext());
        NightProfile p = new NightProfile(spark.sparkContext())) {
      long start = System.nanoTime();
      night =
          new NightlyRun(spark, config)
              .onStageDone((d, stage, seconds) -> stages.merge(stage, seconds, Double::sum))
              .run(date, config.lookbackDays);
      nightSeconds = (System.nanoTime() - start) / 1e9;
      peakHeap = peaks.peakHeapBytes();
      peakRss = peaks.peakRssBytes();
      totals.close();
      p.close();
      work = totals.work();
      profile = p;
    }
    Path database = Path.of(config.lakeRoot).resolve("warehouse").resolve(DATABASE + ".db");
    Map<String, Integer> commits = NightProfile.deltaCommits(database);
    // The trace's shape as the lake saw it: raw rows read per source, and the GPUs and hours the
    // bill covered.
    Row rows =
        spark
            .sql(
                "SELECT COALESCE(SUM(CASE WHEN source = 'telemetry' THEN rows_read END), 0),"
                    + " COALESCE(SUM(CASE WHEN source = 'kube' THEN rows_read END), 0) FROM "
                    + DATABASE
                    + ".run_quality"
                    + " WHERE `check` = 'rows_accounted'")
            .first();
    Row billed =
        spark
            .sql(
                "SELECT COUNT(DISTINCT gpu_uuid), COUNT(DISTINCT hour) FROM "
                    + DATABASE
                    + ".gpu_hourly")
            .first();
    FleetSize size = FleetSize.trace((int) billed.getLong(0), (int) billed.getLong(1));
    // The stages are timed per date; what the night does around them (tables made or upgraded, the
    // billing read once, input manifests, run_quality and run_inputs written at the end) is the
    // rest of its wall.
    stages.put(
        OTHER, nightSeconds - stages.values().stream().mapToDouble(Double::doubleValue).sum());
    double wall = nightSeconds;
    Progress.line(
        "bench tiny: %,d telemetry rows, %d GPU(s), %d billed hour(s); night %.1f s over %s",
        rows.getLong(0), size.gpus(), size.hoursPerDay(), wall, night.published());
    SizeResult result =
        new SizeResult(
            size,
            rows.getLong(0),
            rows.getLong(1),
            copySeconds,
            NightlyBenchmark.bytesUnder(raw),
            stages,
            peakHeap,
            peakRss,
            work,
            NightlyBenchmark.bytesUnder(database),
            Runtime.getRuntime().availableProcessors(),
            Optional.empty(),
            0,
            Optional.empty());
    profile.writeCsv(tinyDir.resolve("night-profile.csv"));
    return new Result(result, profile, commits, date, night.published());
  }

  private static String existing(Path folder) {
    return Files.isDirectory(folder) ? folder.toString() : "";
  }

  /** The newest {@code dt=YYYY-MM-DD} folder of the trace's telemetry: the night the bench runs. */
  static LocalDate newestDay(Path telemetry) throws IOException {
    try (Stream<Path> days = Files.list(telemetry)) {
      return days.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith("dt="))
          .map(
              n -> {
                try {
                  return LocalDate.parse(n.substring(3));
                } catch (DateTimeParseException e) {
                  return null;
                }
              })
          .filter(java.util.Objects::nonNull)
          .max(LocalDate::compareTo)
          .orElseThrow(
              () -> new IllegalArgumentException("no dt=YYYY-MM-DD folder under " + telemetry));
    }
  }

  /** Copies the trace (read-only files in the shared folder) into the bench folder, files writable. */
  private static void copyTree(Path from, Path to) throws IOException {
    List<Path> all;
    try (Stream<Path> walk = Files.walk(from)) {
      all = new ArrayList<>(walk.toList());
    }
    for (Path p : all) {
      Path target = to.resolve(from.relativize(p).toString());
      try {
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
          target.toFile().setWritable(true, true);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot copy the trace file " + p + " to " + target, e);
      }
    }
  }
}
