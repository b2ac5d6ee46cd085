package dev.idleledger.spark;

import static org.apache.spark.sql.functions.col;

import dev.idleledger.Progress;
import dev.idleledger.config.LedgerConfig;
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
   * Replaces the rows of the given dates with {@code rows} in one commit. Rows Spark knows to be empty without running
   * anything ({@link StageFrames#knownEmptyOverLocalData}: a date without input) replace them as a DELETE of the
   * dates: the same rows remain (none of the dates), with one commit removing the dates' files when there are some
   * (a DELETE in the table's history, not a WRITE) and none when there are none, as the overwrite; without the job an
   * overwrite runs to write no file.
   */
  public void replaceDates(TableSpec spec, Dataset<Row> rows, Collection<LocalDate> dates) {
    ensure(spec);
    if (StageFrames.knownEmptyOverLocalData(rows)) {
      if (dates.isEmpty() || holdsNoFiles(spec)) {
        return; // nothing to replace, nothing to write
      }
      spark.sql(
          "DELETE FROM "
              + qualified(spec)
              + " WHERE `"
              + spec.partitionColumn()
              + "` IN ("
              + dates.stream().map(d -> "DATE'" + d + "'").collect(Collectors.joining(", "))
              + ")");
      return;
    }
    Column[] ordered = Arrays.stream(spec.columnNames()).map(n -> col(n)).toArray(Column[]::new);
    Column condition =
        col(spec.partitionColumn()).isin(dates.stream().map(java.sql.Date::valueOf).toArray());
    try {
      rows.select(ordered).writeTo(qualified(spec)).overwrite(condition);
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
    try {
      rows.select(ordered).writeTo(qualified(spec)).append();
    } catch (NoSuchTableException e) {
      throw new IllegalStateException("table vanished while writing: " + qualified(spec), e);
    }
  }

  /**
   * The table's rows. A table that {@link #holdsNoFiles holds no file} is read as an empty local frame of its
   * columns, so every query over it folds on the driver instead of replaying the table's log to list no files (on a
   * new lake, the first night reads its history, inputs and recommendations that way). Either frame is what the
   * table holds now: read again after writing it.
   */
  public Dataset<Row> read(TableSpec spec) {
    ensure(spec);
    Dataset<Row> table = spark.table(qualified(spec));
    return holdsNoFiles(spec) ? spark.createDataFrame(List.of(), table.schema()) : table;
  }

  /**
   * True when the table's current version has no data file, as the version checksum Delta writes beside each commit
   * ({@code _delta_log/<version>.crc}) counts them: a listing of the log and one small file, no Spark job. False when
   * it has files, and when no checksum says (nothing is assumed then). Only this process writes the lake while it
   * holds the run lock, so the answer stands until the process writes the table.
   */
  public boolean holdsNoFiles(TableSpec spec) {
    ensure(spec);
    TableIdentifier id = new TableIdentifier(spec.name(), Option.apply(database));
    Snapshot current = DeltaLog.forTableWithSnapshot(spark, id)._2();
    return current.checksumOpt().exists(checksum -> checksum.numFiles() == 0);
  }
}
