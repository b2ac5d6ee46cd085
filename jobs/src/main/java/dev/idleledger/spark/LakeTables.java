package dev.idleledger.spark;

import static org.apache.spark.sql.functions.assert_true;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.idleledger.Progress;
import dev.idleledger.config.LedgerConfig;
import io.delta.tables.DeltaTable;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.types.StructField;
import scala.Option;

/**
 * Creates and writes the lake's Delta tables in the catalog database. Writes replace whole dates atomically
 * (one Delta commit), so re-running a night gives the same tables and a reader never sees half a night.
 */
public final class LakeTables {
  private final SparkSession spark;
  private final String database;

  /**
   * Tables this instance has already made sure of. A catalog lookup of a Delta table replays its log, and
   * every read and write goes through {@link #ensure}; a table that exists stays existing for the life of a
   * stage, so asking once per table and instance is enough.
   */
  private final Set<String> ensured = new HashSet<>();

  /**
   * Tables found current ({@link TableUpgrade}) in this JVM, by session and name. Stages each make their own
   * LakeTables; the schema and property check of a table that was current a moment ago need not run again, and
   * only this code changes a table's schema while the run lock is held.
   */
  private static final Set<String> CURRENT = ConcurrentHashMap.newKeySet();

  public LakeTables(SparkSession spark, LedgerConfig config) {
    this(spark, config.database);
  }

  public LakeTables(SparkSession spark, String database) {
    this.spark = spark;
    this.database = database;
  }

  public String qualified(TableSpec spec) {
    return database + "." + spec.name();
  }

  public String qualified(String tableName) {
    return database + "." + tableName;
  }

  public SparkSession spark() {
    return spark;
  }

  /**
   * Creates the database and the table (with its comments and {@link LakeTableProperties}) when missing, and
   * upgrades a table an earlier release wrote ({@link TableUpgrade}: new columns with their comments, the
   * properties), so the first write of a new release to an old lake succeeds and keeps every old row.
   */
  public void ensure(TableSpec spec) {
    if (ensured.contains(spec.name())) {
      return;
    }
    spark.sql(
        "CREATE DATABASE IF NOT EXISTS "
            + database
            + " COMMENT 'GPU Idle Ledger: workload-level GPU idle cost'");
    String current =
        System.identityHashCode(spark) + "/" + qualified(spec) + "/" + spec.columns().size();
    if (!spark.catalog().tableExists(qualified(spec))) {
      create(spec);
    } else if (!CURRENT.contains(current)) {
      TableUpgrade.Outcome upgraded = new TableUpgrade(spark).apply(qualified(spec), spec);
      if (!upgraded.addedColumns().isEmpty()) {
        Progress.line(
            "upgraded %s: added columns %s",
            qualified(spec), String.join(", ", upgraded.addedColumns()));
      }
    }
    ensured.add(spec.name());
    CURRENT.add(current);
  }

  private void create(TableSpec spec) {
    String columns =
        Arrays.stream(spec.schema().fields())
            .map(StructField::toDDL)
            .collect(Collectors.joining(", "));
    String partition =
        spec.partitionColumn() == null ? "" : " PARTITIONED BY (" + spec.partitionColumn() + ")";
    spark.sql(
        "CREATE TABLE IF NOT EXISTS "
            + qualified(spec)
            + " ("
            + columns
            + ") USING DELTA"
            + partition
            + " COMMENT '"
            + spec.comment().replace("'", "\\'")
            + "'"
            + " TBLPROPERTIES ("
            + LakeTableProperties.sql(LakeTableProperties.DEFAULTS)
            + ")");
  }

  /**
   * Replaces the rows of the given dates with {@code rows} in one commit ({@link #replaceWhere}); {@code rows} must
   * all be of those dates.
   */
  public void replaceDates(TableSpec spec, Dataset<Row> rows, Collection<LocalDate> dates) {
    if (dates.isEmpty() && StageFrames.knownEmptyOverLocalData(rows)) {
      ensure(spec);
      return; // nothing to replace, nothing to write
    }
    Column ofDates =
        col(spec.partitionColumn()).isin(dates.stream().map(java.sql.Date::valueOf).toArray());
    replaceWhere(spec, rows, ofDates, spec.partitionColumn() + " one of " + dates);
  }

  /**
   * Replaces the table's rows that match {@code condition} with {@code rows} in one commit; {@code rows} must all
   * match it ({@code described} names it in the error when one does not).
   *
   * <p>The rows a reader sees after the commit are the same whatever the route; the route saves Spark jobs where
   * nothing needs replacing:
   *
   * <ul>
   *   <li>rows Spark knows to be empty without running anything ({@link StageFrames#knownEmptyOverLocalData}: a date
   *       without input) are a DELETE of the matching rows, a commit only when the table has files, and no write job;
   *   <li>rows for a table that {@link #holdsNoFiles holds no file} are an append: an overwrite would first build
   *       the table's file list to find the matching files (three Spark jobs on a table's first write). The rows are
   *       checked against the condition as Delta's replaceWhere checks an overwrite's;
   *   <li>otherwise, an overwrite of the matching rows (Delta's replaceWhere).
   * </ul>
   */
  public void replaceWhere(TableSpec spec, Dataset<Row> rows, Column condition, String described) {
    ensure(spec);
    boolean empty = holdsNoFiles(spec);
    if (StageFrames.knownEmptyOverLocalData(rows)) {
      if (!empty) {
        DeltaTable.forName(spark, qualified(spec)).delete(condition);
      }
      return;
    }
    Column[] ordered = Arrays.stream(spec.columnNames()).map(n -> col(n)).toArray(Column[]::new);
    try {
      if (empty) {
        String outside = "a row outside " + described + " written to " + qualified(spec);
        rows.select(ordered)
            .where(assert_true(condition, lit(outside)).isNull())
            .writeTo(qualified(spec))
            .append();
      } else {
        rows.select(ordered).writeTo(qualified(spec)).overwrite(condition);
      }
    } catch (NoSuchTableException e) {
      throw new IllegalStateException("table vanished while writing: " + qualified(spec), e);
    }
  }

  /**
   * Appends rows (run_quality, history tables). Rows Spark knows to be empty without running anything (a
   * quarantine of a date without input: {@link StageFrames#knownEmptyOverLocalData}) are not written: Delta commits
   * nothing for an empty append, and the write would still be a job.
   */
  public void append(TableSpec spec, Dataset<Row> rows) {
    ensure(spec);
    if (StageFrames.knownEmptyOverLocalData(rows)) {
      return;
    }
    Column[] ordered = Arrays.stream(spec.columnNames()).map(n -> col(n)).toArray(Column[]::new);
    appendTo(qualified(spec), rows.select(ordered));
  }

  /**
   * Appends {@code rows} to the catalog table named {@code table} in one commit, as they are: for a writer that knows
   * the table by name, not by {@link TableSpec} (the ticket stage's {@code tickets.table}).
   */
  public static void appendTo(String table, Dataset<Row> rows) {
    try {
      rows.writeTo(table).append();
    } catch (NoSuchTableException e) {
      throw new IllegalStateException("table vanished while writing: " + table, e);
    }
  }

  /**
   * The table's rows. A table that {@link #holdsNoFiles holds no file} is read as {@link #noRows an empty local
   * frame} of its columns, so every query over it folds on the driver instead of replaying the table's log to list
   * no files (on a new lake, the first night reads its history, inputs and recommendations that way). Either frame is
   * what the table holds now: read again after writing it.
   */
  public Dataset<Row> read(TableSpec spec) {
    ensure(spec);
    Snapshot current = currentVersion(spec);
    return holdsNoFiles(current) ? noRows(current) : spark.table(qualified(spec));
  }

  /**
   * An empty local frame of the table's columns, as its log has them: for rows known to be none (a date its ingest
   * replaced with nothing), so the queries over it fold on the driver.
   */
  public Dataset<Row> noRows(TableSpec spec) {
    ensure(spec);
    return noRows(currentVersion(spec));
  }

  /**
   * True when the table's current version has no data file, as the version checksum Delta writes beside each commit
   * ({@code _delta_log/<version>.crc}, or keeps in memory for a version this process committed) counts them: a
   * listing of the log and one small file, no Spark job. False when it has files, and when no checksum says (nothing
   * is assumed then). Only this process writes the lake while it holds the run lock, so the answer stands until the
   * process writes the table.
   */
  public boolean holdsNoFiles(TableSpec spec) {
    ensure(spec);
    return holdsNoFiles(currentVersion(spec));
  }

  private Snapshot currentVersion(TableSpec spec) {
    TableIdentifier id = new TableIdentifier(spec.name(), Option.apply(database));
    return DeltaLog.forTableWithSnapshot(spark, id)._2();
  }

  private static boolean holdsNoFiles(Snapshot version) {
    return version.checksumOpt().exists(checksum -> checksum.numFiles() == 0);
  }

  private Dataset<Row> noRows(Snapshot version) {
    return spark.createDataFrame(List.of(), version.schema());
  }
}
