package dev.idleledger.recommend;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import java.sql.Date;
import java.time.LocalDate;
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
  public static final String OPEN = "OPEN";
  public static final String UPDATED = "UPDATED";
  public static final String RESOLVED = "RESOLVED";
  public static final String REOPENED = "REOPENED";

  private RecommendationLifecycle() {}

  /**
   * @param triggers D's recommendations ({@link RecommendationFinder#OUTPUT})
   * @param history recommendation_history rows (any dates; only those before D are read)
   * @return D's rows: the history columns plus the trigger's details (null when not triggered)
   */
  public static Dataset<Row> night(LocalDate date, Dataset<Row> triggers, Dataset<Row> history, RecommendSettings settings) {
    Date d = Date.valueOf(date);
    Dataset<Row> prior = history.where(col("date").lt(d))
        .withColumn("rn", row_number().over(Window.partitionBy("recommendation_id").orderBy(desc("date"))))
        .where(col("rn").equalTo(1))
        .select(col("recommendation_id"), col("kind").as("p_kind"), col("subject").as("p_subject"), col("status").as("p_status"),
            col("monthly_savings").as("p_monthly_savings"), col("savings_at_sync").as("p_savings_at_sync"), col("first_seen").as("p_first_seen"),
            col("last_seen").as("p_last_seen"), col("resolved_on").as("p_resolved_on"), col("confidence").as("p_confidence"),
            col("currency").as("p_currency"));
    Dataset<Row> joined = triggers.withColumn("triggered", lit(true))
        .join(prior, new String[] {"recommendation_id"}, "full_outer")
        .withColumn("triggered", col("triggered").isNotNull());

    Column triggered = col("triggered");
    Column known = col("p_status").isNotNull();
    Column wasResolved = col("p_status").equalTo(RESOLVED);
    Column moved = abs(col("monthly_savings").minus(col("p_savings_at_sync"))).gt(col("p_savings_at_sync").multiply(settings.updateThreshold()));
    Column quietLongEnough = datediff(lit(d), col("p_last_seen")).geq(settings.resolveAfterDays());
    Column status = when(triggered.and(not(known)), lit(OPEN))
        .when(triggered.and(wasResolved), lit(REOPENED))
        .when(triggered.and(moved), lit(UPDATED))
        .when(triggered, col("p_status"))
        .when(quietLongEnough, lit(RESOLVED))
        .otherwise(col("p_status"));
    Column synced = triggered.and(not(known).or(wasResolved).or(moved));
    return joined
        // A resolved recommendation that did not trigger again is no longer live.
        .where(triggered.or(not(wasResolved)))
        .withColumn("date", lit(d))
        .withColumn("new_status", status)
        .withColumn("savings_at_sync", when(synced, col("monthly_savings")).otherwise(col("p_savings_at_sync")))
        .withColumn("monthly_savings", when(triggered, col("monthly_savings")).otherwise(col("p_monthly_savings")))
        .withColumn("kind", when(triggered, col("kind")).otherwise(col("p_kind")))
        .withColumn("subject", when(triggered, col("subject")).otherwise(col("p_subject")))
        .withColumn("first_seen", when(known, col("p_first_seen")).otherwise(lit(d)))
        .withColumn("last_seen", when(triggered, lit(d)).otherwise(col("p_last_seen")))
        .withColumn("resolved_on", when(col("new_status").equalTo(RESOLVED), lit(d)).otherwise(lit(null).cast("date")))
        .withColumn("confidence", when(triggered, col("confidence")).otherwise(col("p_confidence")))
        .withColumn("currency", when(triggered, col("currency")).otherwise(col("p_currency")))
        .withColumn("status", col("new_status"))
        .drop("new_status", "p_kind", "p_subject", "p_status", "p_monthly_savings", "p_savings_at_sync", "p_first_seen", "p_last_seen",
            "p_resolved_on", "p_confidence", "p_currency");
  }
}
