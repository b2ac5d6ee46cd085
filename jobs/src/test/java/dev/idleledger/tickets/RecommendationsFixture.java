package dev.idleledger.tickets;

import dev.idleledger.spark.LakeTables;
import dev.idleledger.spark.TableSpec;
import dev.idleledger.tables.RecommendationTables;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * A fresh {@code recommendations} table per test, in the real table's columns ({@link RecommendationTables#RECOMMENDATIONS}),
 * and rows to put in it.
 */
final class RecommendationsFixture {
  static final String DATABASE = "tickets_test";
  private static final AtomicInteger TABLES = new AtomicInteger();

  static final LocalDate NIGHT = LocalDate.of(2026, 3, 10);

  /** A workload-level recommendation, OPEN, first seen a week before {@link #NIGHT}. */
  static Object[] rec(String id, String team, String namespace, String workload, double savings) {
    return new Object[] {
      id,
      "right_size_replicas",
      "OPEN",
      "prod-eu",
      namespace,
      "Deployment",
      workload,
      "inference",
      team,
      null,
      "p5.48xlarge",
      Date.valueOf(NIGHT.minusDays(7)),
      Date.valueOf(NIGHT),
      null,
      7,
      savings,
      savings * 1.4,
      null,
      "high",
      "{\"replicas_median\":4,\"replicas_recommended\":2,\"p95_activity\":0.21,\"window_start\":\"2026-03-03\"}",
      "scale replicas 4 -> 2",
      "spec:\n  replicas: 2\n",
      null,
      null,
      null,
      null,
      null,
      null,
      "USD"
    };
  }

  static List<Object[]> rows(Object[]... rows) {
    return Arrays.asList(rows);
  }

  /** Creates a fresh table holding {@code rows}; returns its qualified name. */
  static String table(SparkSession spark, List<Object[]> rows) {
    TableSpec spec = freshSpec();
    LakeTables tables = new LakeTables(spark, DATABASE);
    tables.append(spec, frame(spark, rows));
    return tables.qualified(spec);
  }

  /** Creates a fresh table holding no rows (a new lake's, before its first night); returns its qualified name. */
  static String emptyTable(SparkSession spark) {
    TableSpec spec = freshSpec();
    LakeTables tables = new LakeTables(spark, DATABASE);
    tables.ensure(spec);
    return tables.qualified(spec);
  }

  /** {@code rows} as a frame of the table's columns. */
  static Dataset<Row> frame(SparkSession spark, List<Object[]> rows) {
    List<Row> data = new ArrayList<>();
    rows.forEach(r -> data.add(RowFactory.create(r)));
    return spark.createDataFrame(data, RecommendationTables.RECOMMENDATIONS.schema());
  }

  private static TableSpec freshSpec() {
    return new TableSpec(
        "recommendations_" + TABLES.incrementAndGet() + "_" + ProcessHandle.current().pid(),
        RecommendationTables.RECOMMENDATIONS.comment(),
        RecommendationTables.RECOMMENDATIONS.columns(),
        null);
  }

  static Row row(SparkSession spark, String table, String id) {
    return spark.table(table).where("recommendation_id = '" + id + "'").first();
  }

  private RecommendationsFixture() {}
}
