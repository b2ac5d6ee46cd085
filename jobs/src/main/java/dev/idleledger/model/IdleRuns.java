package dev.idleledger.model;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.Arrays;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * Idle runs of a workload (RECOMMENDATIONS.md "idle streak", workload_daily.longest_idle_streak_seconds): a maximal
 * run of its seconds in which all of its GPU units are idle; an active second, or a gap in its telemetry (time no
 * sample held: unobserved), ends the run. The rollup takes each day's longest; the recommendations price them.
 */
public final class IdleRuns {
  /** A workload's samples land on its units up to a second apart; that much slack after a hold ends keeps a run whole. */
  public static final double SLACK_SECONDS = 1.0;

  public static final String RUN = "run";
  public static final String STARTS_RUN = "starts_run";

  private IdleRuns() {}

  /**
   * Numbers the runs: adds {@value #STARTS_RUN} (1 on a second that begins one) and {@value #RUN} (its number within the
   * workload, in time order) to {@link WorkloadSecond} rows ({@code second}, {@code hold_seconds}, {@code any_active}).
   * Active seconds are numbered too, with the run they end; keep {@link #idle()} rows for the runs' seconds.
   */
  public static Dataset<Row> numbered(Dataset<Row> workloadSeconds, String... workload) {
    WindowSpec byTime = byTime(workload);
    Column previousEnd =
        lag(col(WorkloadSecond.SECOND).plus(col(WorkloadSecond.HOLD_SECONDS)), 1).over(byTime);
    Column previousActive = lag(col(WorkloadSecond.ANY_ACTIVE), 1).over(byTime);
    Column startsRun =
        previousEnd
            .isNull()
            .or(previousActive.equalTo(1))
            .or(col(WorkloadSecond.SECOND).gt(previousEnd.plus(SLACK_SECONDS)));
    return workloadSeconds
        .withColumn(STARTS_RUN, when(startsRun, 1).otherwise(0))
        .withColumn(RUN, sum(STARTS_RUN).over(upToHere(workload)));
  }

  /** The seconds that belong to an idle run (the rows {@link #numbered} numbers that are not active). */
  public static Column idle() {
    return col(WorkloadSecond.ANY_ACTIVE).equalTo(0);
  }

  /** A workload's seconds from its first up to the current one, in time order: for running totals beside the run numbers. */
  public static WindowSpec upToHere(String... workload) {
    return byTime(workload).rowsBetween(Window.unboundedPreceding(), Window.currentRow());
  }

  private static WindowSpec byTime(String... workload) {
    return Window.partitionBy(Arrays.stream(workload).map(c -> col(c)).toArray(Column[]::new))
        .orderBy(WorkloadSecond.SECOND);
  }
}
