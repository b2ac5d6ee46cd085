package dev.idleledger.bench;

import dev.idleledger.Progress;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.generate.FleetGenerator;
import dev.idleledger.nightly.NightlyRun;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * The nightly as Airflow runs it ({@code bench --nights N}): a fleet of the size generated for N days, then
 * {@code nightly --date <last day>} with the configured lookback (i) on an empty lake, (ii) again with nothing new,
 * (iii) again after one late telemetry file for the day before the last (a copy of one of its files delivered into
 * the last day's folder, as stragglers). Wall time per stage and the dates each run recomputed.
 */
public final class RealNightBenchmark {
  /** One scenario's figures. */
  public record Scenario(
      String name,
      double wallSeconds,
      Map<String, Double> stageSeconds,
      List<LocalDate> recomputed,
      List<LocalDate> kept) {}

  private static final List<String> STAGES =
      List.of("ingest", "attribute", "rollup", "recommend", "tickets");

  private final SparkSession spark;
  private final NightlyBenchmark.ConfigFactory configs;
  private final Path dir;

  public RealNightBenchmark(SparkSession spark, NightlyBenchmark.ConfigFactory configs, Path dir) {
    this.spark = spark;
    this.configs = configs;
    this.dir = dir.toAbsolutePath().normalize();
  }

  public List<Scenario> run(FleetSize perDay, int nights) throws IOException {
    FleetSize size =
        new FleetSize(
            perDay.requestedGpuDays(), perDay.nodes(), perDay.gpus(), nights, perDay.hoursPerDay());
    String database = NightlyBenchmark.databaseFor(size) + "_nights_" + nights;
    Path sizeDir = dir.resolve(database.replace('_', '-'));
    Path raw = sizeDir.resolve("raw");
    if (Files.exists(raw)) {
      throw new IllegalArgumentException(
          raw + " already exists: give --dir an empty or new folder (or delete it)");
    }
    FleetGenerator.generate(size.spec(), raw);
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
    LocalDate last = size.lastDay();
    List<Scenario> out = new ArrayList<>();
    out.add(night("(i) empty lake", config, last));
    out.add(night("(ii) nothing new", config, last));
    deliverLateFile(raw.resolve("telemetry"), last.minusDays(1), last);
    out.add(night("(iii) one late file for " + last.minusDays(1), config, last));
    return out;
  }

  private Scenario night(String name, LedgerConfig config, LocalDate date) {
    Map<String, Double> stages = new LinkedHashMap<>();
    STAGES.forEach(s -> stages.put(s, 0.0));
    long start = System.nanoTime();
    NightlyRun.Night night =
        new NightlyRun(spark, config)
            .onStageDone((d, stage, seconds) -> stages.merge(stage, seconds, Double::sum))
            .run(date, config.lookbackDays);
    Scenario s =
        new Scenario(
            name, (System.nanoTime() - start) / 1e9, stages, night.published(), night.kept());
    Progress.line(
        "bench nights %s: %.1f s, recomputed %s, kept %s",
        name, s.wallSeconds(), s.recomputed(), s.kept());
    return s;
  }

  /** A copy of one of {@code day}'s telemetry files, delivered late into {@code folderDay}'s folder. */
  private static void deliverLateFile(Path telemetry, LocalDate day, LocalDate folderDay)
      throws IOException {
    Path source;
    try (Stream<Path> files = Files.list(telemetry.resolve("dt=" + day))) {
      source =
          files
              .filter(Files::isRegularFile)
              .sorted()
              .findFirst()
              .orElseThrow(() -> new IOException("no telemetry file for " + day));
    }
    String name = source.getFileName().toString();
    int dot = name.indexOf('.');
    String late =
        (dot < 0 ? name : name.substring(0, dot))
            + "-late-"
            + day
            + (dot < 0 ? "" : name.substring(dot));
    Files.copy(source, telemetry.resolve("dt=" + folderDay).resolve(late));
  }

  public static void print(int gpuDays, List<Scenario> scenarios, PrintStream out) {
    out.printf(
        Locale.ROOT,
        "%n%d GPU-days a day, nightly --date <last> with the configured lookback%n",
        gpuDays);
    out.println(
        "| run | wall s | " + String.join(" s | ", STAGES) + " s | dates recomputed | kept |");
    out.println("|---|---:|" + "---:|".repeat(STAGES.size()) + "---|---|");
    for (Scenario s : scenarios) {
      StringBuilder row =
          new StringBuilder(String.format(Locale.ROOT, "| %s | %.1f |", s.name(), s.wallSeconds()));
      STAGES.forEach(
          st -> row.append(String.format(Locale.ROOT, " %.1f |", s.stageSeconds().get(st))));
      row.append(' ').append(s.recomputed()).append(" | ").append(s.kept()).append(" |");
      out.println(row);
    }
  }
}
