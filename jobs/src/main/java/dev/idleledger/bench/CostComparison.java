package dev.idleledger.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Spark's published money against the DuckDB peer's. Tolerance: 1e-6 absolute up to one dollar and 1e-6 relative
 * above it ({@code |a − b| ≤ 1e-6 × max(1, |a|, |b|)}). A plain absolute 1e-6 would flag summation order alone at
 * fleet scale: a cluster-day sums ~10^7 per-second amounts of a few thousand dollars, where the last bits of a
 * double are worth ~1e-9 relative each, in a different order on each engine.
 */
public final class CostComparison {
  public static final double TOLERANCE = 1e-6;

  /** The first key (in sorted order) where the two disagree, or a key present on one side only. */
  public record Disagreement(String key, String column, double spark, double duckdb) {
    public String describe() {
      if (Double.isNaN(spark) || Double.isNaN(duckdb)) {
        return key + ": only " + (Double.isNaN(spark) ? "DuckDB" : "Spark") + " has this row";
      }
      return String.format(
          Locale.ROOT,
          "%s %s: Spark %.9f, DuckDB %.9f (difference %.3g)",
          key,
          column,
          spark,
          duckdb,
          spark - duckdb);
    }
  }

  private CostComparison() {}

  public static Optional<Disagreement> firstDisagreement(CostFigures spark, CostFigures duckdb) {
    Optional<Disagreement> d =
        compare(spark.workloads(), duckdb.workloads(), CostFigures.WORKLOAD_COLUMNS);
    return d.isPresent()
        ? d
        : compare(spark.clusters(), duckdb.clusters(), CostFigures.CLUSTER_COLUMNS);
  }

  /** Rows compared: workload-days plus cluster-days, on the Spark side. */
  public static int rows(CostFigures spark) {
    return spark.workloads().size() + spark.clusters().size();
  }

  private static Optional<Disagreement> compare(
      Map<String, double[]> a, Map<String, double[]> b, List<String> columns) {
    TreeSet<String> keys = new TreeSet<>(a.keySet());
    keys.addAll(b.keySet());
    for (String key : keys) {
      double[] x = a.get(key);
      double[] y = b.get(key);
      if (x == null || y == null) {
        return Optional.of(
            new Disagreement(key, null, x == null ? Double.NaN : 0, y == null ? Double.NaN : 0));
      }
      for (int i = 0; i < columns.size(); i++) {
        if (!agree(x[i], y[i])) {
          return Optional.of(new Disagreement(key, columns.get(i), x[i], y[i]));
        }
      }
    }
    return Optional.empty();
  }

  static boolean agree(double a, double b) {
    return Math.abs(a - b) <= TOLERANCE * Math.max(1.0, Math.max(Math.abs(a), Math.abs(b)));
  }
}
