package dev.idleledger.recommend;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.last;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.model.IdleRuns;
import dev.idleledger.model.WorkloadSecond;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * Idle streaks of workloads (RECOMMENDATIONS.md), the runs of {@link IdleRuns} priced: one window pass per workload in
 * time order numbers the runs and keeps the running held time; the per-streak totals are a small aggregation of the
 * idle seconds.
 *
 * <p>Output, one row per streak: workload_id, run, start_date, streak_seconds, money, money_list, and beyond_money /
 * beyond_money_list = the money of the streak's time past {@code graceSeconds}. The window and the aggregation key on
 * the workload's number ({@link WorkloadSeconds#WORKLOAD_ID}); {@link #perWorkload} names the workloads at the end.
 */
final class IdleStreaks {
  /** Held seconds of the workload up to and including this second. */
  private static final String HELD_THROUGH = "held_through";

  /** Held seconds before the idle run this second belongs to. */
  private static final String HELD_BEFORE_RUN = "held_before_run";

  /** Share of the second that lies beyond the streak threshold. */
  private static final String BEYOND_SHARE = "beyond_share";

  /** Length of one idle streak, seconds. */
  private static final String STREAK_SECONDS = "streak_seconds";

  /** What the seconds beyond the threshold cost. */
  private static final String BEYOND_MONEY = "beyond_money";

  /** Day an idle streak starts. */
  private static final String START_DATE = "start_date";

  private IdleStreaks() {}

  static Dataset<Row> of(Dataset<Row> workloadSeconds, double graceSeconds) {
    WindowSpec upToHere = IdleRuns.upToHere(WorkloadSeconds.WORKLOAD_ID);
    Dataset<Row> runs =
        IdleRuns.numbered(workloadSeconds, WorkloadSeconds.WORKLOAD_ID)
            .withColumn(HELD_THROUGH, sum(WorkloadSecond.HOLD_SECONDS).over(upToHere))
            // Seconds held before this run began: the running total at the run's first row, less
            // that row's own hold.
            .withColumn(
                HELD_BEFORE_RUN,
                last(
                        when(
                            col(IdleRuns.STARTS_RUN).equalTo(1),
                            col(HELD_THROUGH).minus(col(WorkloadSecond.HOLD_SECONDS))),
                        true)
                    .over(upToHere))
            .where(IdleRuns.idle());
    Column offsetStart =
        col(HELD_THROUGH).minus(col(WorkloadSecond.HOLD_SECONDS)).minus(col(HELD_BEFORE_RUN));
    Column offsetEnd = offsetStart.plus(col(WorkloadSecond.HOLD_SECONDS));
    Column beyondShare =
        when(
                col(WorkloadSecond.HOLD_SECONDS).gt(0),
                greatest(lit(0.0), offsetEnd.minus(greatest(offsetStart, lit(graceSeconds))))
                    .divide(col(WorkloadSecond.HOLD_SECONDS)))
            .otherwise(0.0);
    return runs.withColumn(BEYOND_SHARE, least(lit(1.0), beyondShare))
        .groupBy(WorkloadSeconds.WORKLOAD_ID, IdleRuns.RUN)
        .agg(
            min(WorkloadSeconds.DATE).as(START_DATE),
            sum(WorkloadSecond.HOLD_SECONDS).as(STREAK_SECONDS),
            sum(WorkloadSeconds.MONEY).as(WorkloadSeconds.MONEY),
            sum(WorkloadSeconds.MONEY_LIST).as(WorkloadSeconds.MONEY_LIST),
            sum(col(WorkloadSeconds.MONEY).multiply(col(BEYOND_SHARE))).as(BEYOND_MONEY),
            sum(col(WorkloadSeconds.MONEY_LIST).multiply(col(BEYOND_SHARE)))
                .as("beyond_money_list"));
  }

  /**
   * Per workload of {@code workloadType}, named and typed from {@code seconds}' workloads: the streaks that qualify
   * (longer than {@code minSeconds}, or at least it when {@code inclusive}).
   */
  static Dataset<Row> perWorkload(
      Dataset<Row> streaks,
      WorkloadSeconds seconds,
      String workloadType,
      double minSeconds,
      boolean inclusive,
      boolean beyondOnly) {
    Column qualifies =
        inclusive ? col(STREAK_SECONDS).geq(minSeconds) : col(STREAK_SECONDS).gt(minSeconds);
    String money = beyondOnly ? BEYOND_MONEY : WorkloadSeconds.MONEY;
    return seconds.named(
        seconds
            .ofType(streaks, workloadType)
            .where(qualifies)
            .groupBy(WorkloadSeconds.WORKLOAD_ID)
            .agg(
                count("*").as("streaks"),
                max(STREAK_SECONDS).as("longest_streak_seconds"),
                sum(STREAK_SECONDS).as("idle_seconds"),
                sum(col(STREAK_SECONDS).minus(lit(minSeconds))).as("seconds_beyond"),
                sum(money).as("window_savings"),
                sum(money + "_list").as("window_savings_at_list"),
                SmallDistinctCount.of(START_DATE).as("days_triggered")));
  }
}
