package dev.idleledger.recommend;

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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
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
 * <p>All the percentiles asked for are worked out in one pass (one shuffle, then an aggregation and a sorted window
 * over the values stacked side by side), so each costs no extra shuffle of the per-second frame.
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
    Column[] byName = WorkloadSeconds.cols(keys, NAME);
    // One shuffle, by (keys, name): the aggregation by value and the window by name both group by
    // it, so they run in the stage that reads it. (Shuffled by value first, the window shuffled
    // the aggregated values a second time; a partial aggregation before the shuffle saved nothing,
    // a workload's seconds rarely repeating a value in one input partition.)
    Dataset<Row> timeAtValue =
        rows.withColumn("s", explode(array(stacked.toArray(Column[]::new))))
            .select(
                Stream.concat(
                        Arrays.stream(WorkloadSeconds.cols(keys, WorkloadSecond.HOLD_SECONDS)),
                        Stream.of(
                            col("s.name").as(NAME), col("s.p").as(P), col("s.value").as(VALUE)))
                    .toArray(Column[]::new))
            .where(col(VALUE).isNotNull())
            .repartition(byName)
            .groupBy(WorkloadSeconds.cols(keys, NAME, P, VALUE))
            .agg(sum(WorkloadSecond.HOLD_SECONDS).as(HELD));
    WindowSpec percentile = Window.partitionBy(byName);
    WindowSpec upToValue =
        percentile.orderBy(VALUE).rowsBetween(Window.unboundedPreceding(), Window.currentRow());
    List<Column> pivot = new ArrayList<>();
    wanted.keySet().forEach(as -> pivot.add(max(when(col(NAME).equalTo(as), col(VALUE))).as(as)));
    return timeAtValue
        .withColumn(HELD_UP_TO, sum(HELD).over(upToValue))
        .withColumn(HELD_TOTAL, sum(HELD).over(percentile))
        .where(col(HELD_UP_TO).geq(col(HELD_TOTAL).multiply(col(P))))
        .groupBy(byName)
        .agg(min(VALUE).as(VALUE))
        .groupBy(WorkloadSeconds.cols(keys))
        .agg(pivot.get(0), pivot.subList(1, pivot.size()).toArray(Column[]::new));
  }
}
