package dev.idleledger.ingest.billing;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.date_trunc;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.ingest.SilverTables.BillingHourly;
import dev.idleledger.model.Periods;
import java.sql.Date;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * Good instance-time charges → instance-hours of one UTC date (COST_MODEL §1): a charge spanning several hours is
 * spread evenly over the hours it touches (cost, list cost and usage hours alike), then the slices of one
 * (instance, hour) are summed and {@code billed_seconds = min(3600, usage_hours × 3600)}. A correction (negative
 * usage) is a charge like any other: it lands on the hours of its own period and nets with what it corrects.
 */
public final class InstanceHours {
  /** Hours a charge spans in total. */
  private static final String HOURS_SPANNED = "hours_spanned";

  /** Pricing terms of the charges of an instance-hour. */
  private static final String TERMS = "terms";

  private InstanceHours() {}

  public static final String HOUR = BillingHourly.HOUR;
  public static final String DATE = BillingHourly.DATE;
  public static final String NODE_COST = BillingHourly.NODE_COST;
  public static final String BILLED_SECONDS = BillingHourly.BILLED_SECONDS;
  public static final String SOURCE = BillingHourly.SOURCE;
  public static final String SOURCE_FILE = BillingHourly.SOURCE_FILE;
  public static final String MIXED = "Mixed";
  private static final double SECONDS_PER_HOUR = Periods.SECONDS_PER_HOUR;

  /**
   * One slice per (charge, hour of {@code date} it touches): the charge's money and usage divided by the number of
   * hours it spans in total. Only the hours inside the date are generated, so a month-long row costs 24 rows, not 744.
   * Keeps the charge's file and line so the row accounting can tell which raw rows were used.
   */
  public static Dataset<Row> spread(Dataset<Row> charges, LocalDate date) {
    Column firstHour = date_trunc("hour", col(BillingCharges.USAGE_START));
    // The end is exclusive: a row 02:00–03:00 touches only hour 02:00.
    Column lastHour =
        date_trunc(
            "hour", expr("timestamp_micros(unix_micros(" + BillingCharges.USAGE_END + ") - 1)"));
    Column hoursSpanned =
        lastHour
            .cast(DataTypes.LongType)
            .minus(firstHour.cast(DataTypes.LongType))
            .divide(Periods.SECONDS_PER_HOUR)
            .plus(1);
    Column dayFirst = lit(date.atStartOfDay(ZoneOffset.UTC).toInstant());
    Column dayLast = lit(date.atTime(23, 0).toInstant(ZoneOffset.UTC));
    Column from = greatest(firstHour, dayFirst);
    Column to = least(lastHour, dayLast);
    Column hours =
        when(from.leq(to), sequence(from, to, expr("interval 1 hour")))
            .otherwise(array().cast("array<timestamp>"));

    return charges
        .filter(
            col(BillingCharges.REJECT_REASON).isNull().and(col(BillingCharges.IS_INSTANCE_HOUR)))
        .withColumn(HOURS_SPANNED, hoursSpanned.cast(DataTypes.DoubleType))
        .withColumn(HOUR, explode(hours))
        .select(
            lit(Date.valueOf(date)).as(DATE),
            col(HOUR),
            col(BillingCharges.INSTANCE_ID),
            col(BillingCharges.INSTANCE_TYPE),
            col(BillingCharges.REGION),
            col(BillingCharges.ACCOUNT_ID),
            col(BillingCharges.AMORTIZED_COST).divide(col(HOURS_SPANNED)).as(NODE_COST),
            col(BillingCharges.LIST_COST).divide(col(HOURS_SPANNED)).as(BillingCharges.LIST_COST),
            col(BillingCharges.USAGE_HOURS)
                .divide(col(HOURS_SPANNED))
                .as(BillingCharges.USAGE_HOURS),
            col(BillingCharges.PRICING_TERM),
            col(BillingCharges.CURRENCY),
            col(BillingCharges.FILE),
            col(BillingCharges.LINE),
            col(BillingCharges.IS_CORRECTION));
  }

  /** The slices of one source summed per (instance, hour): rows with the columns of silver billing_hourly. */
  public static Dataset<Row> total(Dataset<Row> slices, String source) {
    Column terms = array_sort(collect_set(col(BillingCharges.PRICING_TERM)));
    return slices
        .groupBy(col(DATE), col(HOUR), col(BillingCharges.INSTANCE_ID))
        .agg(
            max(col(BillingCharges.INSTANCE_TYPE)).as(BillingCharges.INSTANCE_TYPE),
            max(col(BillingCharges.REGION)).as(BillingCharges.REGION),
            max(col(BillingCharges.ACCOUNT_ID)).as(BillingCharges.ACCOUNT_ID),
            sum(col(NODE_COST)).as(NODE_COST),
            sum(col(BillingCharges.LIST_COST)).as(BillingCharges.LIST_COST),
            sum(col(BillingCharges.USAGE_HOURS)).as(BillingCharges.USAGE_HOURS),
            terms.as(TERMS),
            max(col(BillingCharges.CURRENCY)).as(BillingCharges.CURRENCY),
            concat_ws(",", array_sort(collect_set(col(BillingCharges.FILE)))).as(SOURCE_FILE))
        .select(
            col(DATE),
            col(HOUR),
            col(BillingCharges.INSTANCE_ID),
            col(BillingCharges.INSTANCE_TYPE),
            col(BillingCharges.REGION),
            col(BillingCharges.ACCOUNT_ID),
            col(NODE_COST),
            col(BillingCharges.LIST_COST),
            col(BillingCharges.USAGE_HOURS),
            // A correction that takes back more usage than the hour kept leaves no billed time,
            // never negative time.
            greatest(
                    lit(0.0),
                    least(
                        lit(SECONDS_PER_HOUR),
                        col(BillingCharges.USAGE_HOURS).multiply(SECONDS_PER_HOUR)))
                .as(BILLED_SECONDS),
            when(size(col(TERMS)).gt(1), lit(MIXED))
                .otherwise(element_at(col(TERMS), 1))
                .as(BillingCharges.PRICING_TERM),
            col(BillingCharges.CURRENCY),
            lit(source).as(SOURCE),
            col(SOURCE_FILE));
  }
}
