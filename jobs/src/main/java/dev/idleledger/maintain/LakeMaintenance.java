package dev.idleledger.maintain;

import dev.idleledger.ingest.SilverTables;
import dev.idleledger.spark.LakeTables;
import dev.idleledger.spark.TableSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Keeps an aging lake small and fast to read. Every night replaces whole dates, so a date re-run N times
 * leaves N generations of files: the current ones are few per date but scattered (one per task), the replaced
 * ones stay for time travel. OPTIMIZE compacts each silver date into fewer files (the gold tables are read
 * whole and small); VACUUM removes, from every table of the database, files replaced longer ago than the
 * retention. Both are Delta commits a reader never sees half of.
 */
public final class LakeMaintenance {
  private final SparkSession spark;
  private final LakeTables tables;
  private final String database;
  private final MaintainSettings settings;

  public LakeMaintenance(SparkSession spark, String database, MaintainSettings settings) {
    this.spark = spark;
    this.database = database;
    this.tables = new LakeTables(spark, database);
    this.settings = settings;
  }

  /** The dates OPTIMIZE compacts, both ends included. */
  public record DateRange(LocalDate from, LocalDate to) {}

  /** One table's footprint before and after, and what was compacted. */
  public record TableResult(TableFootprint before, TableFootprint after, String optimized) {}

  /**
   * OPTIMIZE the silver tables' dates in [from, to] (or, when {@code range} is empty, each table's
   * {@code maintain.recent_days} newest dates), then VACUUM every table. Tables not in the lake are skipped:
   * maintenance never creates one.
   */
  public List<TableResult> run(Optional<DateRange> range) {
    List<String> names;
    try {
      // Views (recommendation_savings in an external metastore) have no files to compact or vacuum.
      names =
          spark.catalog().listTables(database).collectAsList().stream()
              .filter(t -> !t.isTemporary() && !"VIEW".equals(t.tableType()))
              .map(t -> t.name())
              .sorted()
              .toList();
    } catch (AnalysisException e) {
      throw new IllegalStateException(
          "maintain: no database " + database + " in the catalog: " + e.getMessage(), e);
    }
    List<TableResult> results = new ArrayList<>();
    for (String name : names) {
      String qualified = tables.qualified(name);
      TableFootprint before = footprint(name);
      String optimized =
          SilverTables.ALL.stream()
              .filter(s -> s.name().equals(name))
              .findFirst()
              .map(spec -> optimize(spec, range))
              .orElse("");
      spark.sql("VACUUM " + qualified + " RETAIN " + settings.vacuumRetentionHours() + " HOURS");
      results.add(new TableResult(before, footprint(name), optimized));
    }
    return results;
  }

  private String optimize(TableSpec spec, Optional<DateRange> range) {
    String qualified = tables.qualified(spec);
    String date = spec.partitionColumn();
    LocalDate from;
    LocalDate to;
    if (range.isPresent()) {
      from = range.get().from();
      to = range.get().to();
    } else {
      Row newest = spark.sql("SELECT max(" + date + ") FROM " + qualified).first();
      if (newest.isNullAt(0)) {
        return "";
      }
      to = newest.getDate(0).toLocalDate();
      from = to.minusDays(settings.recentDays() - 1L);
    }
    // OPTIMIZE's WHERE may name partition columns only, which is what lets it rewrite just these
    // dates.
    spark.sql(
        "OPTIMIZE "
            + qualified
            + " WHERE "
            + date
            + " >= DATE'"
            + from
            + "' AND "
            + date
            + " <= DATE'"
            + to
            + "'");
    return from + ".." + to;
  }

  /** Live files from the table's current version (DESCRIBE DETAIL), stored files from a listing of its folder. */
  TableFootprint footprint(String name) {
    Row detail = spark.sql("DESCRIBE DETAIL " + tables.qualified(name)).first();
    long liveFiles = detail.getLong(detail.fieldIndex("numFiles"));
    long liveBytes = detail.getLong(detail.fieldIndex("sizeInBytes"));
    Path location = new Path(detail.getString(detail.fieldIndex("location")));
    long storedFiles = 0;
    long storedBytes = 0;
    try {
      FileSystem fs = location.getFileSystem(spark.sparkContext().hadoopConfiguration());
      RemoteIterator<LocatedFileStatus> files = fs.listFiles(location, true);
      while (files.hasNext()) {
        LocatedFileStatus f = files.next();
        if (f.getPath().getName().endsWith(".parquet")
            && !f.getPath().toString().contains("/_delta_log/")) {
          storedFiles++;
          storedBytes += f.getLen();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot list the files of " + tables.qualified(name) + " under " + location, e);
    }
    return new TableFootprint(name, liveFiles, liveBytes, storedFiles, storedBytes);
  }
}
