package dev.idleledger.recommend;

import static dev.idleledger.tables.RecommendationStatus.OPEN;
import static dev.idleledger.tables.RecommendationStatus.REOPENED;
import static dev.idleledger.tables.RecommendationStatus.RESOLVED;
import static dev.idleledger.tables.RecommendationStatus.UPDATED;
import static java.util.Map.entry;
import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.spark.OrderedColumns;
import dev.idleledger.tables.RecommendationTables.History;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * The status of every live recommendation after night D (RECOMMENDATIONS.md, lifecycle), computed only from the
 * history strictly before D and D's triggers — so re-running D gives the same rows, whatever D's first run wrote.
 *
 * <p>Triggered: OPEN when never seen; REOPENED when it was RESOLVED; UPDATED when its monthly savings moved by more
 * than {@code update_threshold} from the savings at the last ticket sync (opened, reopened or updated); else it
 * keeps its status and is refreshed. Not triggered: RESOLVED once {@code resolve_after_days} nights have passed
 * since it last triggered; else unchanged. A resolved recommendation that stays quiet has no more history rows.
 */
public final class RecommendationLifecycle {
  /** Row number of a history row, newest first. */
  private static final String RN = "rn";

  /** Status after tonight. */
  private static final String NEW_STATUS = "new_status";

  private static final String PRIOR = "p_";

  /** The columns carried from the last history row before D, each read as {@code p_<name>}. */
  private static final String[] CARRIED = {
    History.KIND,
    History.SUBJECT,
    History.STATUS,
    History.MONTHLY_SAVINGS,
    History.SAVINGS_AT_SYNC,
    History.FIRST_SEEN,
    History.LAST_SEEN,
    History.RESOLVED_ON,
    History.CONFIDENCE,
    History.CURRENCY
  };

  private RecommendationLifecycle() {}

  /**
   * @param triggers D's recommendations ({@link RecommendationFinder#OUTPUT})
   * @param history recommendation_history rows (any dates; only those before D are read)
   * @return D's rows: the history columns plus the trigger's details (null when not triggered)
   */
  public static Dataset<Row> night(
      LocalDate date, Dataset<Row> triggers, Dataset<Row> history, RecommendSettings settings) {
    Date d = Date.valueOf(date);
    List<Column> prior = new ArrayList<>();
    prior.add(col(History.RECOMMENDATION_ID));
    for (String c : CARRIED) {
      prior.add(col(c).as(PRIOR + c));
    }
    Dataset<Row> last =
        history
            .where(col(History.DATE).lt(d))
            .withColumn(
                RN,
                row_number()
                    .over(
                        Window.partitionBy(History.RECOMMENDATION_ID).orderBy(desc(History.DATE))))
            .where(col(RN).equalTo(1))
            .select(prior.toArray(Column[]::new));
    Dataset<Row> joined =
        triggers
            .withColumn(History.TRIGGERED, lit(true))
            .join(last, new String[] {History.RECOMMENDATION_ID}, "full_outer")
            .withColumn(History.TRIGGERED, col(History.TRIGGERED).isNotNull());

    Column triggered = col(History.TRIGGERED);
    Column known = prior(History.STATUS).isNotNull();
    Column wasResolved = prior(History.STATUS).equalTo(RESOLVED.name());
    Column moved =
        abs(col(History.MONTHLY_SAVINGS).minus(prior(History.SAVINGS_AT_SYNC)))
            .gt(prior(History.SAVINGS_AT_SYNC).multiply(settings.updateThreshold()));
    Column quietLongEnough =
        datediff(lit(d), prior(History.LAST_SEEN)).geq(settings.resolveAfterDays());
    Column status =
        when(triggered.and(not(known)), lit(OPEN.name()))
            .when(triggered.and(wasResolved), lit(REOPENED.name()))
            .when(triggered.and(moved), lit(UPDATED.name()))
            .when(triggered, prior(History.STATUS))
            .when(quietLongEnough, lit(RESOLVED.name()))
            .otherwise(prior(History.STATUS));
    Column synced = triggered.and(not(known).or(wasResolved).or(moved));
    return joined
        // A resolved recommendation that did not trigger again is no longer live.
        .where(triggered.or(not(wasResolved)))
        .withColumn(NEW_STATUS, status)
        // Every value below reads the row as it came in (tonight's and the prior columns), not one
        // another: savings_at_sync takes tonight's monthly_savings before it is replaced.
        .withColumns(
            OrderedColumns.of(
                entry(History.DATE, lit(d)),
                entry(
                    History.SAVINGS_AT_SYNC,
                    when(synced, col(History.MONTHLY_SAVINGS))
                        .otherwise(prior(History.SAVINGS_AT_SYNC))),
                entry(History.MONTHLY_SAVINGS, tonightOrPrior(History.MONTHLY_SAVINGS)),
                entry(History.KIND, tonightOrPrior(History.KIND)),
                entry(History.SUBJECT, tonightOrPrior(History.SUBJECT)),
                entry(History.FIRST_SEEN, when(known, prior(History.FIRST_SEEN)).otherwise(lit(d))),
                entry(
                    History.LAST_SEEN, when(triggered, lit(d)).otherwise(prior(History.LAST_SEEN))),
                entry(
                    History.RESOLVED_ON,
                    when(col(NEW_STATUS).equalTo(RESOLVED.name()), lit(d))
                        .otherwise(lit(null).cast("date"))),
                entry(History.CONFIDENCE, tonightOrPrior(History.CONFIDENCE)),
                entry(History.CURRENCY, tonightOrPrior(History.CURRENCY)),
                entry(History.STATUS, col(NEW_STATUS))))
        .drop(NEW_STATUS)
        .drop(Arrays.stream(CARRIED).map(c -> PRIOR + c).toArray(String[]::new));
  }

  private static Column prior(String column) {
    return col(PRIOR + column);
  }

  /** Tonight's figure when it triggered, else the last night's. */
  private static Column tonightOrPrior(String column) {
    return when(col(History.TRIGGERED), col(column)).otherwise(prior(column));
  }
}
