package dev.idleledger.recommend;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.size;

import org.apache.spark.sql.Column;

/**
 * {@code countDistinct} for groups with few distinct values (days of a window, GPUs of a node, instances of a type in
 * an hour). Next to other aggregates, Spark plans a distinct count as a second aggregation with a shuffle of its own,
 * and two distinct columns in one aggregation as an Expand that copies every row once per column; a set collected in
 * the one aggregation needs neither. Only for small sets: the set is held per group until the count is taken.
 */
final class SmallDistinctCount {
  private SmallDistinctCount() {}

  /** The number of distinct non-null values of {@code value} in the group, as a long like {@code countDistinct}. */
  static Column of(Column value) {
    return size(collect_set(value)).cast("long");
  }

  static Column of(String column) {
    return of(col(column));
  }
}
