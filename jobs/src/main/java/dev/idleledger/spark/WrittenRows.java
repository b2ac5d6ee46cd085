package dev.idleledger.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.sql.Date;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * What one date's ingest wrote to the silver tables, as the later stages of the same date (attribute, rollup) may
 * take it instead of reading the lake. One instance per date of a night ({@link #forDate}); a stage that is not told
 * gets {@link #none()}, which notes nothing, and reads every table from the lake.
 *
 * <ul>
 *   <li><b>Rows known to be none.</b> A table whose rows of the date were replaced with rows Spark knew to be empty
 *       ({@link StageFrames#knownEmptyOverLocalData}), or that a check counted to none, holds no row of the date: it
 *       is read as an empty local frame, so every query over it folds on the driver instead of listing the table's
 *       files for nothing.
 *   <li><b>The rows written, kept.</b> A date that keeps what it writes ({@code forDate(true)}: a small date, whose
 *       rows are a few thousand) writes each table from a local checkpoint of its rows ({@link #toWrite}), so the
 *       write computes them once and leaves them in memory; the later stages read those, not the table. Reading the
 *       table back would replay its Delta log (a Spark job for each new version) and plan a file scan, for rows the
 *       process already holds. A fleet-sized date does not keep them: holding a day of samples costs more than
 *       reading them back.
 * </ul>
 *
 * Only what was written with certainty is noted: a later write of the same table replaces the note, and a table not
 * noted is read from the lake.
 */
public final class WrittenRows {
  private final Set<String> empty = ConcurrentHashMap.newKeySet();
  private final Map<String, Dataset<Row>> kept = new ConcurrentHashMap<>();
  private final boolean noting;
  private final boolean keeping;

  private WrittenRows(boolean noting, boolean keeping) {
    this.noting = noting;
    this.keeping = keeping;
  }

  /** Notes the writes of one date; {@code keepWritten}: the later stages take the rows written, kept in memory. */
  public static WrittenRows forDate(boolean keepWritten) {
    return new WrittenRows(true, keepWritten);
  }

  /** Notes nothing and knows nothing: every table is read from the lake. */
  public static WrittenRows none() {
    return new WrittenRows(false, false);
  }

  /**
   * The rows to write to a silver table of the date: when this date keeps what it writes, a lazy {@link
   * StageFrames#keep keep} of them (the write computes and keeps them; pass the returned frame to {@link #wrote});
   * otherwise, and for rows known to be empty, {@code rows} itself.
   */
  public Dataset<Row> toWrite(Dataset<Row> rows) {
    return keeping && !StageFrames.knownEmptyOverLocalData(rows) ? StageFrames.keep(rows) : rows;
  }

  /**
   * Called after {@code rows} replaced the date's rows of {@code spec}: notes them as none when they were known
   * empty, or as the table's rows of the date when this date keeps what it writes ({@code rows} as {@link #toWrite}
   * returned them), and forgets the table otherwise. Returns whether they were known empty (also when not noting).
   */
  public boolean wrote(TableSpec spec, Dataset<Row> rows) {
    boolean none = StageFrames.knownEmptyOverLocalData(rows);
    empty.remove(spec.name());
    kept.remove(spec.name());
    if (noting && none) {
      empty.add(spec.name());
    } else if (noting && keeping) {
      kept.put(spec.name(), rows);
    }
    return none;
  }

  /**
   * Notes that the rows that just replaced the date's rows of {@code spec} were none, as a query over them (already
   * run for a check) counted.
   */
  public void wroteNothing(TableSpec spec) {
    if (noting) {
      kept.remove(spec.name());
      empty.add(spec.name());
    }
  }

  public boolean isEmpty(TableSpec spec) {
    return empty.contains(spec.name());
  }

  /**
   * The table's rows of {@code date}: an empty local frame of its columns when they were written as none, the rows
   * written (in the table's columns and types) when this date kept them, else read from the lake.
   */
  public Dataset<Row> ofDate(LakeTables tables, TableSpec spec, LocalDate date) {
    return known(tables, spec)
        .orElseGet(
            () ->
                tables
                    .read(spec)
                    .where(col(spec.partitionColumn()).equalTo(lit(Date.valueOf(date)))));
  }

  /**
   * The table's rows of the date when this date knows them without the lake: an empty local frame of its columns
   * when they were written as none, the rows written (in the table's columns and types) when kept; else empty.
   */
  public Optional<Dataset<Row>> known(LakeTables tables, TableSpec spec) {
    if (isEmpty(spec)) {
      return Optional.of(tables.noRows(spec));
    }
    return Optional.ofNullable(kept.get(spec.name())).map(w -> asTable(w, spec.schema()));
  }

  /**
   * The rows written, as the table hands them out: its columns in its order, each of its type. A write casts a
   * column to the table's type (a safe widening); reading the kept rows casts the same way. Types are compared
   * without nullability, which a write does not change.
   */
  private static Dataset<Row> asTable(Dataset<Row> written, StructType table) {
    StructType own = written.schema();
    Column[] columns =
        Arrays.stream(table.fields())
            .map(f -> sameType(own.apply(f.name()), f) ? col(f.name()) : castTo(f))
            .toArray(Column[]::new);
    return written.select(columns);
  }

  private static boolean sameType(StructField own, StructField table) {
    // catalogString names every nested field and type and leaves out nullability.
    return own.dataType().catalogString().equals(table.dataType().catalogString());
  }

  private static Column castTo(StructField f) {
    return col(f.name()).cast(f.dataType()).as(f.name());
  }

  /** For tests: whether this date's later stages take the rows written to {@code spec} instead of the lake's. */
  public Optional<Dataset<Row>> kept(TableSpec spec) {
    return Optional.ofNullable(kept.get(spec.name()));
  }
}
