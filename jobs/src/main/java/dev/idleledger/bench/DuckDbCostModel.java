package dev.idleledger.bench;

import dev.idleledger.config.GpuSharePolicy;
import dev.idleledger.config.LedgerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The peer implementation: the cost model as plain SQL ({@code bench/duckdb-cost-model.sql}) run by embedded DuckDB
 * over the same raw Parquet and CUR files the nightly job reads. It knows nothing of the Spark code, so agreement
 * between the two is evidence, not tautology.
 */
public final class DuckDbCostModel {
  static final String SQL_RESOURCE = "/bench/duckdb-cost-model.sql";
  private static final String MEMORY_LIMIT = "8GB";

  private final Path telemetryRoot;
  private final Path kubeRoot;
  private final Path curRoot;
  private final Path instanceCatalog;
  private final LedgerConfig config;

  /** The roots must be local folders laid out as CONTRACTS.md §1 (the bench's generated fleets are). */
  public DuckDbCostModel(LedgerConfig config, Path instanceCatalog) {
    if (config.gpuShare.kind() != GpuSharePolicy.Kind.WHOLE_NODE) {
      throw new IllegalArgumentException(
          "the DuckDB peer implements cost.gpu_share = whole-node only, not " + config.gpuShare);
    }
    this.config = config;
    this.telemetryRoot = Path.of(config.telemetryRoot);
    this.kubeRoot = Path.of(config.kubeRoot);
    this.curRoot = Path.of(config.curRoot);
    this.instanceCatalog = instanceCatalog;
  }

  /** Runs the SQL for every date, oldest first, in one in-memory database; returns the rows and the wall time. */
  public CostFigures run(List<LocalDate> dates) {
    String script = script();
    CostFigures figures = new CostFigures();
    long start = System.nanoTime();
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = db.createStatement()) {
      // DuckDB shares the machine with the Spark JVM that just ran (8 GB heap): it gets a memory
      // limit of its own and spills its temp tables next to the raw files (by default an in-memory
      // database would spill under the working directory) — at 256+ GPU-days the telemetry table
      // alone outgrows what is left.
      st.execute("SET memory_limit = '" + MEMORY_LIMIT + "'");
      st.execute(
          "SET temp_directory = '"
              + instanceCatalog
                  .toAbsolutePath()
                  .getParent()
                  .resolve("duckdb-tmp")
                  .toString()
                  .replace("'", "''")
              + "'");
      st.execute("SET preserve_insertion_order = false");
      for (LocalDate date : dates) {
        for (String statement : statements(fill(script, date))) {
          long t = System.nanoTime();
          st.execute(statement);
          figures.statementSeconds.merge(
              tableOf(statement), (System.nanoTime() - t) / 1e9, Double::sum);
        }
        readWorkloads(st, date, figures);
        readClusters(st, date, figures);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("DuckDB cost model failed: " + e.getMessage(), e);
    }
    figures.seconds = (System.nanoTime() - start) / 1e9;
    return figures;
  }

  private static void readWorkloads(Statement st, LocalDate date, CostFigures figures)
      throws SQLException {
    try (ResultSet r =
        st.executeQuery(
            "SELECT cluster, namespace, workload_kind, workload_name, cost, idle_cost, "
                + "idle_memory_held_cost, unused_capacity_cost FROM workload_result")) {
      while (r.next()) {
        String key =
            CostFigures.workloadKey(
                date, r.getString(1), r.getString(2), r.getString(3), r.getString(4));
        figures.workloads.put(
            key, new double[] {r.getDouble(5), r.getDouble(6), r.getDouble(7), r.getDouble(8)});
      }
    }
  }

  private static void readClusters(Statement st, LocalDate date, CostFigures figures)
      throws SQLException {
    try (ResultSet r =
        st.executeQuery(
            "SELECT cluster, gpu_cost, allocated_cost, idle_cost, unallocated_cost, unobserved_cost, "
                + "unused_capacity_cost FROM cluster_result")) {
      while (r.next()) {
        String key = CostFigures.clusterKey(date, r.getString(1));
        figures.clusters.put(
            key,
            new double[] {
              r.getDouble(2),
              r.getDouble(3),
              r.getDouble(4),
              r.getDouble(5),
              r.getDouble(6),
              r.getDouble(7)
            });
      }
    }
  }

  /** The temp table a statement creates: the name its time is reported under. */
  static String tableOf(String statement) {
    Matcher m = CREATES.matcher(statement);
    return m.find() ? m.group(1) : statement.lines().findFirst().orElse("?");
  }

  private static final Pattern CREATES = Pattern.compile("TEMP TABLE (\\w+)");

  static String script() {
    try (InputStream in = DuckDbCostModel.class.getResourceAsStream(SQL_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(SQL_RESOURCE + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Statements end with a semicolon at the end of a line; whole-line comments are dropped first. */
  static List<String> statements(String script) {
    String code =
        script.lines().filter(l -> !l.strip().startsWith("--")).collect(Collectors.joining("\n"));
    List<String> out = new ArrayList<>();
    for (String s : code.split(";\\s*(\\n|$)")) {
      if (!s.isBlank()) {
        out.add(s.strip());
      }
    }
    return out;
  }

  String fill(String script, LocalDate date) {
    long dayStart = date.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    Map<String, String> values =
        Map.of(
            "telemetry_files", fileList(seriesFiles(telemetryRoot, date)),
            "kube_files", fileList(seriesFiles(kubeRoot, date)),
            "cur_files", fileList(curFiles(date)),
            "instance_catalog", quote(instanceCatalog.toAbsolutePath().toString()),
            "day_start_ms", Long.toString(dayStart),
            "day_end_ms", Long.toString(dayStart + 86_400_000L),
            "max_sample_gap_seconds", Integer.toString(config.maxSampleGapSeconds),
            "activity_threshold", number(config.idleActivityThreshold),
            "memory_held_threshold", number(config.memoryHeldThreshold));
    String filled = script;
    for (var e : values.entrySet()) {
      filled = filled.replace("${" + e.getKey() + "}", e.getValue());
    }
    return filled;
  }

  /** The day's folder and the next day's (stragglers flushed after midnight); rows are kept by timestamp in the SQL. */
  private static List<Path> seriesFiles(Path root, LocalDate date) {
    List<Path> files = new ArrayList<>();
    files.addAll(parquetIn(root.resolve("dt=" + date)));
    files.addAll(parquetIn(root.resolve("dt=" + date.plusDays(1))));
    if (files.isEmpty()) {
      throw new IllegalStateException("no Parquet files for " + date + " under " + root);
    }
    return files;
  }

  private List<Path> curFiles(LocalDate date) {
    // A bill row may span into the date from the month before (a month-long fee), so read the
    // period before too.
    List<Path> files = new ArrayList<>();
    for (LocalDate month : List.of(date.minusMonths(1), date)) {
      Path folder = curRoot.resolve("BILLING_PERIOD=" + month.toString().substring(0, 7));
      if (Files.isDirectory(folder)) {
        try (Stream<Path> s = Files.list(folder)) {
          s.filter(p -> p.getFileName().toString().endsWith(".csv")).sorted().forEach(files::add);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    if (files.isEmpty()) {
      throw new IllegalStateException("no CUR CSV files for " + date + " under " + curRoot);
    }
    return files;
  }

  private static List<Path> parquetIn(Path folder) {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(folder)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String fileList(List<Path> files) {
    return files.stream()
        .map(p -> quote(p.toAbsolutePath().toString()))
        .collect(Collectors.joining(", ", "[", "]"));
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  private static String number(double d) {
    return String.format(Locale.ROOT, "%.17g", d);
  }
}
