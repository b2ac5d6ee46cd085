package dev.idleledger.bench;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The money both implementations must agree on, keyed by table row: per workload-day {@link #WORKLOAD_COLUMNS},
 * per cluster-day {@link #CLUSTER_COLUMNS}. Sorted maps, so the first disagreement named is the same every run.
 */
public final class CostFigures {
  public static final List<String> WORKLOAD_COLUMNS =
      List.of("cost", "idle_cost", "idle_memory_held_cost", "unused_capacity_cost");
  public static final List<String> CLUSTER_COLUMNS =
      List.of(
          "gpu_cost",
          "allocated_cost",
          "idle_cost",
          "unallocated_cost",
          "unobserved_cost",
          "unused_capacity_cost");

  final Map<String, double[]> workloads = new TreeMap<>();
  final Map<String, double[]> clusters = new TreeMap<>();
  double seconds;

  /** DuckDB's wall seconds per statement (named by the table it creates), summed over the dates. */
  final Map<String, Double> statementSeconds = new LinkedHashMap<>();

  public Map<String, double[]> workloads() {
    return workloads;
  }

  public Map<String, double[]> clusters() {
    return clusters;
  }

  /** Wall seconds it took to compute (DuckDB); 0 for figures read back from the lake. */
  public double seconds() {
    return seconds;
  }

  public Map<String, Double> statementSeconds() {
    return statementSeconds;
  }

  static String workloadKey(
      LocalDate date, String cluster, String namespace, String kind, String name) {
    return "workload_daily " + date + " " + cluster + "/" + namespace + "/" + kind + "/" + name;
  }

  static String clusterKey(LocalDate date, String cluster) {
    return "cluster_daily " + date + " " + cluster;
  }

  /** The same figures as the nightly job published them in workload_daily and cluster_daily. */
  public static CostFigures fromLake(SparkSession spark, String database, List<LocalDate> dates) {
    CostFigures f = new CostFigures();
    String in =
        dates.stream().map(d -> "DATE'" + d + "'").reduce((a, b) -> a + ", " + b).orElseThrow();
    for (Row r :
        spark
            .sql(
                "SELECT date, cluster, namespace, workload_kind, workload_name, "
                    + String.join(", ", WORKLOAD_COLUMNS)
                    + " FROM "
                    + database
                    + ".workload_daily WHERE date IN ("
                    + in
                    + ")")
            .collectAsList()) {
      f.workloads.put(
          workloadKey(
              r.getDate(0).toLocalDate(),
              r.getString(1),
              r.getString(2),
              r.getString(3),
              r.getString(4)),
          doubles(r, 5, WORKLOAD_COLUMNS.size()));
    }
    for (Row r :
        spark
            .sql(
                "SELECT date, cluster, "
                    + String.join(", ", CLUSTER_COLUMNS)
                    + " FROM "
                    + database
                    + ".cluster_daily WHERE date IN ("
                    + in
                    + ")")
            .collectAsList()) {
      f.clusters.put(
          clusterKey(r.getDate(0).toLocalDate(), r.getString(1)),
          doubles(r, 2, CLUSTER_COLUMNS.size()));
    }
    return f;
  }

  private static double[] doubles(Row r, int from, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.isNullAt(from + i) ? 0.0 : ((Number) r.get(from + i)).doubleValue();
    }
    return v;
  }
}
