package dev.idleledger.recommend;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * A percentile "over seconds" (RECOMMENDATIONS.md) of {@link WorkloadSeconds}, whose rows are samples standing for
 * {@code hold_seconds} each: the nearest rank by held time — the smallest value with at least share p of the time at or
 * below it. Counting rows instead (percentile_approx) would weigh a 30 s archive's sample like a 1 s one's, and the
 * sample before a telemetry gap like any other.
 */
final class SecondsPercentile {
  private SecondsPercentile() {}

  /** One row per {@code keys} group: the keys and the percentile {@code p} of {@code value}, named {@code as}. */
  static Dataset<Row> of(Dataset<Row> rows, String[] keys, Column value, double p, String as) {
    Column[] byValue = WorkloadSeconds.cols(keys);
    byValue = java.util.Arrays.copyOf(byValue, byValue.length + 1);
    byValue[byValue.length - 1] = value.as("value");
    // Few distinct values per workload for counts (n(t), replicas needed); for continuous readings this is one row per sample.
    Dataset<Row> timeAtValue = rows.where(value.isNotNull()).groupBy(byValue).agg(sum("hold_seconds").as("held"));
    WindowSpec workload = Window.partitionBy(WorkloadSeconds.cols(keys));
    WindowSpec upToValue = workload.orderBy("value").rowsBetween(Window.unboundedPreceding(), Window.currentRow());
    return timeAtValue
        .withColumn("held_up_to", sum("held").over(upToValue))
        .withColumn("held_total", sum("held").over(workload))
        .where(col("held_up_to").geq(col("held_total").multiply(p)))
        .groupBy(WorkloadSeconds.cols(keys)).agg(min("value").as(as));
  }
}
