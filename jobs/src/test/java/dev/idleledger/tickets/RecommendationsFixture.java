package dev.idleledger.tickets;

import static dev.idleledger.spark.TableSpec.col;

import dev.idleledger.spark.LakeTables;
import dev.idleledger.spark.TableSpec;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/**
 * A {@code recommendations} table with exactly the columns of RECOMMENDATIONS.md "Lifecycle" (the real spec
 * lives in the recommend package, not merged yet), one fresh table per test, and rows to put in it.
 */
final class RecommendationsFixture {
  static final String DATABASE = "tickets_test";
  private static final AtomicInteger TABLES = new AtomicInteger();

  static final TableSpec SPEC_TEMPLATE = new TableSpec("recommendations", "test copy of the recommendations table", List.of(
      col("recommendation_id", DataTypes.StringType, "id"),
      col("kind", DataTypes.StringType, "kind"),
      col("status", DataTypes.StringType, "OPEN/UPDATED/RESOLVED/REOPENED"),
      col("cluster", DataTypes.StringType, ""),
      col("namespace", DataTypes.StringType, ""),
      col("workload_kind", DataTypes.StringType, ""),
      col("workload_name", DataTypes.StringType, ""),
      col("workload_type", DataTypes.StringType, ""),
      col("team", DataTypes.StringType, ""),
      col("node", DataTypes.StringType, ""),
      col("instance_type", DataTypes.StringType, ""),
      col("first_seen", DataTypes.DateType, ""),
      col("last_seen", DataTypes.DateType, ""),
      col("resolved_on", DataTypes.DateType, ""),
      col("window_days", DataTypes.IntegerType, ""),
      col("monthly_savings", DataTypes.DoubleType, ""),
      col("monthly_savings_at_list", DataTypes.DoubleType, ""),
      col("realized_monthly_savings", DataTypes.DoubleType, ""),
      col("confidence", DataTypes.StringType, ""),
      col("evidence", DataTypes.StringType, "JSON"),
      col("action", DataTypes.StringType, ""),
      col("patch", DataTypes.StringType, ""),
      col("ticket_system", DataTypes.StringType, ""),
      col("ticket_key", DataTypes.StringType, ""),
      col("ticket_url", DataTypes.StringType, ""),
      col("ticket_state", DataTypes.StringType, ""),
      col("ticket_synced_at", DataTypes.TimestampType, ""),
      col("currency", DataTypes.StringType, "")), null);

  static final LocalDate NIGHT = LocalDate.of(2026, 3, 10);

  /** A workload-level recommendation, OPEN, first seen a week before {@link #NIGHT}. */
  static Object[] rec(String id, String team, String namespace, String workload, double savings) {
    return new Object[] {id, "right_size_replicas", "OPEN", "prod-eu", namespace, "Deployment", workload, "inference",
        team, null, "p5.48xlarge", Date.valueOf(NIGHT.minusDays(7)), Date.valueOf(NIGHT), null, 7, savings,
        savings * 1.4, null, "high",
        "{\"replicas_median\":4,\"replicas_recommended\":2,\"p95_activity\":0.21,\"window_start\":\"2026-03-03\"}",
        "scale replicas 4 -> 2", "spec:\n  replicas: 2\n", null, null, null, null, null, "USD"};
  }

  static List<Object[]> rows(Object[]... rows) {
    return java.util.Arrays.asList(rows);
  }

  /** Creates a fresh table holding {@code rows}; returns its qualified name. */
  static String table(SparkSession spark, List<Object[]> rows) {
    TableSpec spec = new TableSpec("recommendations_" + TABLES.incrementAndGet() + "_" + ProcessHandle.current().pid(),
        SPEC_TEMPLATE.comment(), SPEC_TEMPLATE.columns(), null);
    LakeTables tables = new LakeTables(spark, DATABASE);
    List<Row> data = new ArrayList<>();
    rows.forEach(r -> data.add(RowFactory.create(r)));
    tables.append(spec, spark.createDataFrame(data, spec.schema()));
    return tables.qualified(spec);
  }

  static Row row(SparkSession spark, String table, String id) {
    return spark.table(table).where("recommendation_id = '" + id + "'").first();
  }

  private RecommendationsFixture() {}
}
