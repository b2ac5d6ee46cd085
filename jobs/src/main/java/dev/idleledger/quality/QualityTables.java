package dev.idleledger.quality;

import static dev.idleledger.spark.TableSpec.col;

import dev.idleledger.spark.TableSpec;
import java.util.List;
import org.apache.spark.sql.types.DataTypes;

/** The two tables every stage reports into: what was rejected, and what was checked. */
public final class QualityTables {
  private QualityTables() {}

  /** Column names of {@code quarantine}; QUARANTINE is built from them, so a constant always names one of its columns. */
  public static final class Quarantine {
    public static final String DATE = "date";
    public static final String RUN_ID = "run_id";
    public static final String SOURCE = "source";
    public static final String FILE = "file";
    public static final String LINE = "line";
    public static final String REASON = "reason";
    public static final String RAW = "raw";

    private Quarantine() {}
  }

  /** Raw rows that could not be used, with the reason and the raw text, so nothing is lost silently. */
  public static final TableSpec QUARANTINE =
      new TableSpec(
          "quarantine",
          "Raw input rows rejected by ingestion, with the reason and the raw text. Nothing read is lost: every row is used, a duplicate, or here.",
          List.of(
              col(
                  Quarantine.DATE,
                  DataTypes.DateType,
                  "UTC day of the run the row was rejected in"),
              col(Quarantine.RUN_ID, DataTypes.StringType, "the run that rejected it"),
              col(
                  Quarantine.SOURCE,
                  DataTypes.StringType,
                  "telemetry | kube | billing.cur | billing.focus"),
              col(Quarantine.FILE, DataTypes.StringType, "the raw file's path or URI"),
              col(
                  Quarantine.LINE,
                  DataTypes.LongType,
                  "1-based line or row number in the file, null when the whole file was rejected"),
              col(
                  Quarantine.REASON,
                  DataTypes.StringType,
                  "why it was rejected, e.g. unparseable timestamp, negative FB, corrupt gzip"),
              col(
                  Quarantine.RAW,
                  DataTypes.StringType,
                  "the raw text of the row (or the file's error) as read")),
          Quarantine.DATE);

  /** Column names of {@code run_quality}; RUN_QUALITY is built from them, so a constant always names one of its columns. */
  public static final class RunQuality {
    public static final String DATE = "date";
    public static final String RUN_ID = "run_id";
    public static final String CHECK = "check";
    public static final String SOURCE = "source";
    public static final String ROWS_READ = "rows_read";
    public static final String ROWS_USED = "rows_used";
    public static final String ROWS_QUARANTINED = "rows_quarantined";
    public static final String ROWS_DUPLICATE = "rows_duplicate";
    public static final String VALUE = "value";
    public static final String THRESHOLD = "threshold";
    public static final String PASSED = "passed";
    public static final String DETAIL = "detail";
    public static final String CHECKED_AT = "checked_at";

    private RunQuality() {}
  }

  /** One row per (run, date, check): row accounting, coverage, reconciliation. */
  public static final TableSpec RUN_QUALITY =
      new TableSpec(
          "run_quality",
          "Checks of each nightly run: per-source row accounting (read = used + quarantined + duplicates), coverage, reconciliation.",
          List.of(
              col(RunQuality.DATE, DataTypes.DateType, "UTC day the check is about"),
              col(RunQuality.RUN_ID, DataTypes.StringType, "the run that made the check"),
              col(
                  RunQuality.CHECK,
                  DataTypes.StringType,
                  "name of the check, e.g. rows_accounted, quarantine_share, reconciliation"),
              col(RunQuality.SOURCE, DataTypes.StringType, "the source or stage checked"),
              col(RunQuality.ROWS_READ, DataTypes.LongType, "raw rows read"),
              col(RunQuality.ROWS_USED, DataTypes.LongType, "rows that went into the silver table"),
              col(RunQuality.ROWS_QUARANTINED, DataTypes.LongType, "rows rejected into quarantine"),
              col(RunQuality.ROWS_DUPLICATE, DataTypes.LongType, "duplicate rows counted once"),
              col(
                  RunQuality.VALUE,
                  DataTypes.DoubleType,
                  "the measured figure (a share, a ratio, a money delta), when the check has one"),
              col(
                  RunQuality.THRESHOLD,
                  DataTypes.DoubleType,
                  "the configured limit the value is held to, when there is one"),
              col(RunQuality.PASSED, DataTypes.BooleanType, "true when the check passed"),
              col(
                  RunQuality.DETAIL,
                  DataTypes.StringType,
                  "what a person needs to know to act on a failure"),
              col(RunQuality.CHECKED_AT, DataTypes.TimestampType, "when the check ran (UTC)")),
          RunQuality.DATE);
}
