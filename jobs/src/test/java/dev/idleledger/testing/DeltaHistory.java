package dev.idleledger.testing;

import java.util.List;
import org.apache.spark.sql.SparkSession;

/** What a Delta table's log says was done to it, for tests that pin which commits a write made. */
public final class DeltaHistory {
  private DeltaHistory() {}

  /**
   * The operation of each version of {@code table} ({@code CREATE TABLE}, {@code WRITE}, {@code DELETE}, …), oldest
   * first.
   */
  public static List<String> operations(SparkSession spark, String table) {
    return spark
        .sql("DESCRIBE HISTORY " + table)
        .orderBy("version")
        .select("operation")
        .collectAsList()
        .stream()
        .map(r -> r.getString(0))
        .toList();
  }
}
