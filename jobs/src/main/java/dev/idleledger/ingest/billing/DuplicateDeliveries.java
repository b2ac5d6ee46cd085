package dev.idleledger.ingest.billing;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * A bill file delivered twice under two names (a re-run of an export job, a copy kept beside the original) holds the
 * same lines twice: summed, the night would bill every instance-hour twice. A line whose raw text is also in a file
 * that sorts earlier is a duplicate, counted once. Identical lines inside one file are left alone: without CUR's
 * identity columns, two equal lines of one delivery can be two real charges.
 *
 * <p>Finding a line's first file groups the lines by their text: a shuffle of the whole export. A read of one file
 * has no earlier file, so there no line is a duplicate and the export keeps the partitions it was read in.
 */
final class DuplicateDeliveries {
  /** True on a line that an earlier file already holds word for word. */
  static final String DUPLICATE_LINE = "duplicate_line";

  private DuplicateDeliveries() {}

  /** {@code charges} with {@link #DUPLICATE_LINE}; {@code files} is how many files they were read from. */
  static Dataset<Row> mark(Dataset<Row> charges, int files) {
    if (files < 2) {
      return charges.withColumn(DUPLICATE_LINE, lit(false));
    }
    Column firstFile =
        min(col(BillingCharges.FILE)).over(Window.partitionBy(col(BillingCharges.RAW)));
    return charges.withColumn(DUPLICATE_LINE, col(BillingCharges.FILE).notEqual(firstFile));
  }
}
