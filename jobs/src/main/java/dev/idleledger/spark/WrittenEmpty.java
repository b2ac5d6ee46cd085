package dev.idleledger.spark;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The tables whose rows of one date the date's ingest replaced with rows Spark knew to be empty
 * ({@link StageFrames#knownEmptyOverLocalData}) or a check had counted to none: after that write the table holds no
 * row of the date, so a later stage of the same date can read it as an empty local frame instead of listing the
 * table's files for nothing, and every query over it folds on the driver. Only what was written with certainty is
 * noted; a table not noted is read from the lake. One instance per date of a night ({@link #forDate()}); a stage that
 * is not told gets {@link #none()}, which notes nothing.
 */
public final class WrittenEmpty {
  private final Set<String> tables = ConcurrentHashMap.newKeySet();
  private final boolean noting;

  private WrittenEmpty(boolean noting) {
    this.noting = noting;
  }

  /** Notes the writes of one date. */
  public static WrittenEmpty forDate() {
    return new WrittenEmpty(true);
  }

  /** Notes nothing and knows nothing: every table is read from the lake. */
  public static WrittenEmpty none() {
    return new WrittenEmpty(false);
  }

  /**
   * Called after {@code rows} replaced the date's rows of {@code spec}: notes the table when they were known empty,
   * and forgets it otherwise. Returns whether they were known empty (also when not noting).
   */
  public boolean wrote(TableSpec spec, Dataset<Row> rows) {
    boolean empty = StageFrames.knownEmptyOverLocalData(rows);
    if (noting && empty) {
      tables.add(spec.name());
    } else {
      tables.remove(spec.name());
    }
    return empty;
  }

  /**
   * Notes that the rows that just replaced the date's rows of {@code spec} were none, as a query over them (already
   * run for a check) counted.
   */
  public void wroteNothing(TableSpec spec) {
    if (noting) {
      tables.add(spec.name());
    }
  }

  public boolean isEmpty(TableSpec spec) {
    return tables.contains(spec.name());
  }
}
