package dev.idleledger.ingest.billing;

import static java.util.Map.entry;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.not;

import dev.idleledger.config.LedgerConfig.BillingSource;
import dev.idleledger.spark.OrderedColumns;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * One fleet can arrive in both CUR and FOCUS (AWS exports both from the same bill). Where both cover an
 * (instance, hour) only the preferred source's row counts, so the money is never doubled; an instance-hour only
 * one source covers comes from that source.
 */
public final class BillingSourceMerge {
  /** Sources that cover the instance-hour. */
  private static final String SOURCES_HERE = "sources_here";

  /** True when the preferred source covers the instance-hour. */
  private static final String PREFERRED_HERE = "preferred_here";

  private BillingSourceMerge() {}

  /** True on a kept row whose instance-hour the other source covered too. */
  public static final String OVERLAPPED = "overlapped";

  /** The source value in billing_hourly for a configured source: cur | focus. */
  public static String sourceName(BillingSource source) {
    return source.name().toLowerCase(Locale.ROOT);
  }

  /**
   * {@code cur} and {@code focus} are instance-hours of one source each (from {@link InstanceHours#total}); the result
   * has the same columns plus {@link #OVERLAPPED}.
   */
  public static Dataset<Row> merge(Dataset<Row> cur, Dataset<Row> focus, BillingSource preferred) {
    String prefer = sourceName(preferred);
    WindowSpec sameHour =
        Window.partitionBy(col(InstanceHours.HOUR), col(BillingCharges.INSTANCE_ID));
    Column isPreferred = col(InstanceHours.SOURCE).equalTo(lit(prefer));
    return cur.unionByName(focus)
        .withColumns(
            OrderedColumns.of(
                entry(SOURCES_HERE, count(lit(1)).over(sameHour)),
                entry(PREFERRED_HERE, max(isPreferred).over(sameHour))))
        .filter(isPreferred.or(not(coalesce(col(PREFERRED_HERE), lit(false)))))
        .withColumn(OVERLAPPED, col(SOURCES_HERE).gt(1))
        .drop(SOURCES_HERE, PREFERRED_HERE);
  }
}
