package dev.idleledger.recommend;

import static java.util.Map.entry;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.model.WorkloadSecond;
import dev.idleledger.spark.OrderedColumns;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * Percentiles "over seconds" (RECOMMENDATIONS.md) of {@link WorkloadSeconds}, whose rows are samples standing for
 * {@code hold_seconds} each: the nearest rank by held time — the smallest value with at least share p of the time at or
 * below it. Counting rows instead (percentile_approx) would weigh a 30 s archive's sample like a 1 s one's, and the
 * sample before a telemetry gap like any other.
 *
 * <p>All the percentiles asked for are worked out in one pass (one aggregation and one sorted window over the values
 * stacked side by side), so each costs no extra shuffle of the per-second frame. The aggregation by value shuffles
 * after its partial aggregation, which folds the repeats of small whole values (pods, replicas needed) on the map
 * side: shuffling once by (keys, name) instead, so that the window needs no second shuffle, wrote 5.4 times the rows
 * at 256 GPU-days and cost more than the second shuffle saved (BENCHMARKS.md).
 */
final class SecondsPercentile {
  /** Which percentile a stacked value is for. */
  private static final String NAME = "name";

  /** The percentile, 0-1. */
  private static final String P = "p";

  /** A stacked value. */
  private static final String VALUE = "value";

  /** Held seconds at a value. */
  private static final String HELD = "held";

  /** Held seconds at or below a value. */
  private static final String HELD_UP_TO = "held_up_to";

  /** All held seconds of the workload. */
  private static final String HELD_TOTAL = "held_total";

  private record Wanted(Column value, double p) {}

  private final Map<String, Wanted> wanted = new LinkedHashMap<>();

  /** Asks for percentile {@code p} of {@code value} (read as a double), as column {@code as}. */
  SecondsPercentile add(String as, Column value, double p) {
    wanted.put(as, new Wanted(value, p));
    return this;
  }

  /** One row per {@code keys} group: the keys and one column per percentile asked for. */
  Dataset<Row> of(Dataset<Row> rows, String[] keys) {
    List<Column> stacked = new ArrayList<>();
    wanted.forEach(
        (as, w) ->
            stacked.add(
                struct(lit(as).as(NAME), lit(w.p()).as(P), w.value().cast("double").as(VALUE))));
    Column[] byValue = Arrays.copyOf(WorkloadSeconds.cols(keys), keys.length + 3);
    byValue[keys.length] = col("s.name").as(NAME);
    byValue[keys.length + 1] = col("s.p").as(P);
    byValue[keys.length + 2] = col("s.value").as(VALUE);
    Dataset<Row> timeAtValue =
        rows.withColumn("s", explode(array(stacked.toArray(Column[]::new))))
            .where(col("s.value").isNotNull())
            .groupBy(byValue)
            .agg(sum(WorkloadSecond.HOLD_SECONDS).as(HELD));
    Column[] byName = Arrays.copyOf(WorkloadSeconds.cols(keys), keys.length + 1);
    byName[keys.length] = col(NAME);
    WindowSpec percentile = Window.partitionBy(byName);
    WindowSpec upToValue =
        percentile.orderBy(VALUE).rowsBetween(Window.unboundedPreceding(), Window.currentRow());
    List<Column> pivot = new ArrayList<>();
    wanted.keySet().forEach(as -> pivot.add(max(when(col(NAME).equalTo(as), col(VALUE))).as(as)));
    return timeAtValue
        .withColumns(
            OrderedColumns.of(
                entry(HELD_UP_TO, sum(HELD).over(upToValue)),
                entry(HELD_TOTAL, sum(HELD).over(percentile))))
        .where(col(HELD_UP_TO).geq(col(HELD_TOTAL).multiply(col(P))))
        .groupBy(byName)
        .agg(min(VALUE).as(VALUE))
        .groupBy(WorkloadSeconds.cols(keys))
        .agg(pivot.get(0), pivot.subList(1, pivot.size()).toArray(Column[]::new));
  }
}
