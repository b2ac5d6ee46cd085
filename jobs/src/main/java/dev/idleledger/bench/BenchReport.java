package dev.idleledger.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/** The benchmark's results as the stdout tables and the CSV (one row per size and stage). */
public final class BenchReport {
  static final List<String> CSV_COLUMNS =
      List.of(
          "requested_gpu_days",
          "gpu_days",
          "nodes",
          "gpus",
          "hours_per_day",
          "days",
          "telemetry_samples",
          "stage",
          "wall_seconds",
          "samples_per_s_per_core",
          "gpu_seconds_per_s_per_core",
          "peak_heap_mib",
          "peak_rss_mib",
          "lake_mib",
          "raw_mib",
          "cores",
          "duckdb_agrees",
          "night_tasks",
          "night_task_cpu_seconds",
          "night_gc_seconds",
          "night_shuffle_write_mib",
          "night_disk_spill_mib",
          "night_memory_spill_mib");
  private static final double MIB = 1024.0 * 1024.0;

  private BenchReport() {}

  public static void printTables(List<SizeResult> results, PrintStream out) {
    out.println(
        "Sizes (Spark s = ingest + attribute + rollup, the work the DuckDB peer also does; rates per core of "
            + cores(results)
            + ")");
    out.printf(
        Locale.ROOT,
        "%-9s %8s %13s %9s %9s %7s %10s %11s %9s %9s %9s %9s %s%n",
        "GPU-days",
        "actual",
        "samples",
        "Spark s",
        "DuckDB s",
        "ratio",
        "s/GPU-day",
        "samples/s/c",
        "GPU-s/s/c",
        "heap MiB",
        "RSS MiB",
        "lake MiB",
        "agree");
    for (SizeResult r : results) {
      out.printf(
          Locale.ROOT,
          "%-9s %8.2f %,13d %9.1f %9s %7s %10.2f %,11.0f %9.1f %9.0f %9.0f %9.1f %s%n",
          r.size().label(),
          r.size().gpuDays(),
          r.telemetrySamples(),
          r.sparkSeconds(),
          fmt(r.duckdbSeconds(), "%.1f"),
          fmt(r.ratio(), "%.2f"),
          r.sparkSecondsPerGpuDay(),
          r.samplesPerSecondPerCore(r.sparkSeconds()),
          r.gpuSecondsPerSecondPerCore(r.sparkSeconds()),
          r.peakHeapBytes() / MIB,
          r.peakRssBytes() / MIB,
          r.lakeBytes() / MIB,
          agreement(r));
    }
    out.println();
    out.println(
        "Stages (wall seconds summed over the fleet's days; samples = raw telemetry samples)");
    out.printf(
        Locale.ROOT,
        "%-9s %-10s %9s %13s %11s%n",
        "GPU-days",
        "stage",
        "wall s",
        "samples/s/c",
        "GPU-s/s/c");
    for (SizeResult r : results) {
      for (String stage : r.stageNames()) {
        double s = r.stage(stage);
        out.printf(
            Locale.ROOT,
            "%-9s %-10s %9.1f %,13.0f %11.1f%n",
            r.size().label(),
            stage,
            s,
            r.samplesPerSecondPerCore(s),
            r.gpuSecondsPerSecondPerCore(s));
      }
      r.duckdb()
          .ifPresent(
              d ->
                  out.printf(
                      Locale.ROOT,
                      "%-9s %-10s %9.1f %,13.0f %11.1f%n",
                      r.size().label(),
                      "duckdb",
                      d.seconds(),
                      r.samplesPerSecondPerCore(d.seconds()),
                      r.gpuSecondsPerSecondPerCore(d.seconds())));
    }
    out.println();
    out.println(
        "Spark's work over the whole night (all stages; task metrics): CPU share = task CPU s / (wall s x cores)");
    out.printf(
        Locale.ROOT,
        "%-9s %9s %11s %9s %8s %13s %15s %15s%n",
        "GPU-days",
        "tasks",
        "task CPU s",
        "CPU share",
        "GC s",
        "shuffle MiB",
        "spill disk MiB",
        "spill mem MiB");
    for (SizeResult r : results) {
      TaskTotals.Work w = r.sparkWork();
      out.printf(
          Locale.ROOT,
          "%-9s %,9d %11.1f %9.2f %8.1f %13.1f %15.1f %15.1f%n",
          r.size().label(),
          w.tasks(),
          w.cpuSeconds(),
          r.cpuUtilization(),
          w.gcSeconds(),
          w.shuffleWriteBytes() / MIB,
          w.diskSpillBytes() / MIB,
          w.memorySpillBytes() / MIB);
    }
    for (SizeResult r : results) {
      r.duckdb()
          .ifPresent(
              d -> {
                List<String> parts = new ArrayList<>();
                for (Map.Entry<String, Double> e : d.statementSeconds().entrySet()) {
                  if (e.getValue() >= 0.05) {
                    parts.add(String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue()));
                  }
                }
                out.println(
                    "DuckDB statements at "
                        + r.size().requestedGpuDays()
                        + " GPU-days (s): "
                        + String.join(", ", parts));
              });
    }
  }

  public static void writeCsv(List<SizeResult> results, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (CSVPrinter csv =
        new CSVPrinter(
            Files.newBufferedWriter(file, StandardCharsets.UTF_8),
            CSVFormat.RFC4180
                .builder()
                .setRecordSeparator('\n')
                .setHeader(CSV_COLUMNS.toArray(String[]::new))
                .get())) {
      for (SizeResult r : results) {
        for (String stage : r.stageNames()) {
          row(csv, r, stage, r.stage(stage));
        }
        row(csv, r, "spark_cost_model", r.sparkSeconds());
        r.duckdb()
            .ifPresent(
                d -> {
                  try {
                    row(csv, r, "duckdb", d.seconds());
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                });
      }
    }
  }

  private static void row(CSVPrinter csv, SizeResult r, String stage, double seconds)
      throws IOException {
    FleetSize s = r.size();
    TaskTotals.Work w = r.sparkWork();
    csv.printRecord(
        s.label(),
        num(s.gpuDays()),
        s.nodes(),
        s.gpus(),
        s.hoursPerDay(),
        s.days(),
        r.telemetrySamples(),
        stage,
        num(seconds),
        num(r.samplesPerSecondPerCore(seconds)),
        num(r.gpuSecondsPerSecondPerCore(seconds)),
        num(r.peakHeapBytes() / MIB),
        num(r.peakRssBytes() / MIB),
        num(r.lakeBytes() / MIB),
        num(r.rawBytes() / MIB),
        r.cores(),
        r.duckdb().isEmpty() ? "" : String.valueOf(r.agrees()),
        w.tasks(),
        num(w.cpuSeconds()),
        num(w.gcSeconds()),
        num(w.shuffleWriteBytes() / MIB),
        num(w.diskSpillBytes() / MIB),
        num(w.memorySpillBytes() / MIB));
  }

  private static String agreement(SizeResult r) {
    if (r.duckdb().isEmpty()) {
      return "skipped";
    }
    return r.agrees() ? "yes (" + r.rowsCompared() + " rows)" : "NO";
  }

  private static int cores(List<SizeResult> results) {
    return results.isEmpty() ? Runtime.getRuntime().availableProcessors() : results.get(0).cores();
  }

  private static String fmt(double v, String format) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, format, v);
  }

  private static String num(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }
}
