package dev.idleledger.ingest.billing;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.ingest.SilverTables.BillingHourly;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * The common shape CUR line items and FOCUS charges are brought to before they become instance-hours: one row
 * per raw row, with a quarantine reason (null = good), whether it is instance time, and the typed money and
 * period. Column names of that shape live here, with the parsing rules both sources share.
 */
public final class BillingCharges {
  private BillingCharges() {}

  public static final String FILE = BillingExportReader.FILE;
  public static final String LINE = BillingExportReader.LINE;
  public static final String RAW = BillingExportReader.RAW;

  /** Why the row is quarantined; null when it is good. */
  public static final String REJECT_REASON = "reject_reason";

  /** True for instance running time (COST_MODEL §1 instance-hour rows); false for everything else on the bill. */
  public static final String IS_INSTANCE_HOUR = "is_instance_hour";

  public static final String INSTANCE_ID = BillingHourly.INSTANCE_ID;
  public static final String INSTANCE_TYPE = BillingHourly.INSTANCE_TYPE;
  public static final String REGION = BillingHourly.REGION;
  public static final String ACCOUNT_ID = BillingHourly.ACCOUNT_ID;
  public static final String CURRENCY = BillingHourly.CURRENCY;
  public static final String PRICING_TERM = BillingHourly.PRICING_TERM;
  public static final String USAGE_START = "usage_start";
  public static final String USAGE_END = "usage_end";

  /** Amortized cost of the whole row (all the hours it spans). */
  public static final String AMORTIZED_COST = "amortized_cost";

  public static final String LIST_COST = BillingHourly.LIST_COST;
  public static final String USAGE_HOURS = BillingHourly.USAGE_HOURS;

  /** The money of a row that is not instance time, for the run_quality summary (not attributed). */
  public static final String CHARGE_COST = "charge_cost";

  /** What kind of line a non-instance row is (Tax, RIFee, SavingsPlanNegation, ...), for the summary. */
  public static final String CHARGE_KIND = "charge_kind";

  /** True on a row that corrects hours billed before (FOCUS ChargeClass = Correction, or negative instance usage). */
  public static final String IS_CORRECTION = "is_correction";

  public static final String[] COLUMNS = {
    FILE,
    LINE,
    RAW,
    REJECT_REASON,
    IS_INSTANCE_HOUR,
    INSTANCE_ID,
    INSTANCE_TYPE,
    REGION,
    ACCOUNT_ID,
    CURRENCY,
    PRICING_TERM,
    USAGE_START,
    USAGE_END,
    AMORTIZED_COST,
    LIST_COST,
    USAGE_HOURS,
    CHARGE_COST,
    CHARGE_KIND,
    IS_CORRECTION
  };

  /**
   * The used columns of an export as given, with absent optional columns (and file, line, raw when a test frame
   * leaves them out) added as null. A missing required column is a programming error here: the reader
   * quarantines such files before they get this far.
   */
  static Dataset<Row> withUsedColumns(
      Dataset<Row> in, List<String> required, List<String> optional, String what) {
    List<String> present = Arrays.asList(in.columns());
    for (String c : required) {
      if (!present.contains(c)) {
        throw new IllegalArgumentException(what + " lack required column " + c);
      }
    }
    Dataset<Row> out = in;
    for (String c : optional) {
      if (!present.contains(c)) {
        out = out.withColumn(c, lit(null).cast(DataTypes.StringType));
      }
    }
    for (String c : new String[] {FILE, RAW}) {
      if (!present.contains(c)) {
        out = out.withColumn(c, lit(null).cast(DataTypes.StringType));
      }
    }
    if (!present.contains(LINE)) {
      out = out.withColumn(LINE, lit(null).cast(DataTypes.LongType));
    }
    return out;
  }

  /** A trimmed string, null when blank: CSV exports write absent values as empty cells. */
  static Column text(Column raw) {
    return when(trim(raw).notEqual(lit("")), trim(raw));
  }

  /** The value as a double, null when blank or not a finite number (NaN, Infinity and "abc" all count as bad). */
  static Column number(Column raw) {
    Column d = text(raw).cast(DataTypes.DoubleType);
    return when(abs(d).leq(lit(Double.MAX_VALUE)), d);
  }

  /** True when a value is present but is not a finite number. */
  static Column badNumber(Column raw) {
    return text(raw).isNotNull().and(number(raw).isNull());
  }

  /**
   * ISO-8601 (with T and Z, as CUR 2.0 and FOCUS write it) or "yyyy-MM-dd HH:mm:ss" (Athena style, and Parquet
   * timestamps cast to text) as a UTC timestamp; null when blank or unparseable. The session time zone is UTC.
   */
  static Column timestamp(Column raw) {
    return text(raw).cast(DataTypes.TimestampType);
  }

  /** The instance id at the end of a bare id, an ARN (arn:aws:ec2:…:instance/i-0abc) or a provider URI. */
  static Column instanceIdAtEnd(Column resourceId) {
    Column trimmed = regexp_replace(text(resourceId), "/+$", "");
    Column id = regexp_extract(trimmed, "([^/:]+)$", 1);
    return when(id.notEqual(lit("")), id);
  }

  /** The instance type after the ':' of an EC2 usage type such as USE1-BoxUsage:p5.48xlarge. */
  static Column instanceTypeFromUsageType(Column usageType) {
    Column t = regexp_extract(text(usageType), ":([a-z0-9][a-z0-9-]*\\.[a-z0-9-]+)$", 1);
    return when(t.notEqual(lit("")), t);
  }

  /** EC2 usage types that are an instance running: on-demand/RI/SP (BoxUsage), spot, dedicated, dedicated host. */
  static Column isInstanceUsageType(Column usageType) {
    return text(usageType).rlike("(BoxUsage|SpotUsage|DedicatedUsage|HostUsage)");
  }
}
