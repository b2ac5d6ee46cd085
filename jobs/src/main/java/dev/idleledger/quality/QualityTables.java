package dev.idleledger.quality;

import static dev.idleledger.spark.TableSpec.col;

import dev.idleledger.spark.TableSpec;
import java.util.List;
import org.apache.spark.sql.types.DataTypes;

/** The two tables every stage reports into: what was rejected, and what was checked. */
public final class QualityTables {
  private QualityTables() {}

  /** Raw rows that could not be used, with the reason and the raw text, so nothing is lost silently. */
  public static final TableSpec QUARANTINE = new TableSpec("quarantine",
      "Raw input rows rejected by ingestion, with the reason and the raw text. Nothing read is lost: every row is used, a duplicate, or here.",
      List.of(
          col("date", DataTypes.DateType, "UTC day of the run the row was rejected in"),
          col("run_id", DataTypes.StringType, "the run that rejected it"),
          col("source", DataTypes.StringType, "telemetry | kube | billing.cur | billing.focus"),
          col("file", DataTypes.StringType, "the raw file's path or URI"),
          col("line", DataTypes.LongType, "1-based line or row number in the file, null when the whole file was rejected"),
          col("reason", DataTypes.StringType, "why it was rejected, e.g. unparseable timestamp, negative FB, corrupt gzip"),
          col("raw", DataTypes.StringType, "the raw text of the row (or the file's error) as read")),
      "date");

  /** One row per (run, date, check): row accounting, coverage, reconciliation. */
  public static final TableSpec RUN_QUALITY = new TableSpec("run_quality",
      "Checks of each nightly run: per-source row accounting (read = used + quarantined + duplicates), coverage, reconciliation.",
      List.of(
          col("date", DataTypes.DateType, "UTC day the check is about"),
          col("run_id", DataTypes.StringType, "the run that made the check"),
          col("check", DataTypes.StringType, "name of the check, e.g. rows_accounted, quarantine_share, reconciliation"),
          col("source", DataTypes.StringType, "the source or stage checked"),
          col("rows_read", DataTypes.LongType, "raw rows read"),
          col("rows_used", DataTypes.LongType, "rows that went into the silver table"),
          col("rows_quarantined", DataTypes.LongType, "rows rejected into quarantine"),
          col("rows_duplicate", DataTypes.LongType, "duplicate rows counted once"),
          col("value", DataTypes.DoubleType, "the measured figure (a share, a ratio, a money delta), when the check has one"),
          col("threshold", DataTypes.DoubleType, "the configured limit the value is held to, when there is one"),
          col("passed", DataTypes.BooleanType, "true when the check passed"),
          col("detail", DataTypes.StringType, "what a person needs to know to act on a failure"),
          col("checked_at", DataTypes.TimestampType, "when the check ran (UTC)")),
      "date");
}
