package dev.idleledger.spark;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Column;

/**
 * Columns to add or replace in one {@code Dataset.withColumns} call, in the order given.
 *
 * <p>Each {@code withColumn} is a new query that Spark analyzes whole before the next line runs. In a cold JVM a
 * night spent about a tenth of its driver time re-analyzing chains of them; one {@code withColumns} is analyzed once.
 * Every value is resolved against the frame as it was before the call, so a value here must not read a column set by
 * another entry of the same call (chain a second {@code withColumns} for that). New columns are appended in this
 * order, as the chain appended them; a name the frame already has is replaced in place.
 */
public final class OrderedColumns {
  private OrderedColumns() {}

  @SafeVarargs
  public static Map<String, Column> of(Map.Entry<String, Column>... columns) {
    Map<String, Column> ordered = new LinkedHashMap<>();
    for (Map.Entry<String, Column> c : columns) {
      if (ordered.put(c.getKey(), c.getValue()) != null) {
        throw new IllegalArgumentException("column " + c.getKey() + " is set twice in one call");
      }
    }
    return ordered;
  }
}
