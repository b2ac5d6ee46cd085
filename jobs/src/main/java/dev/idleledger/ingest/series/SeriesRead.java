package dev.idleledger.ingest.series;

import static dev.idleledger.ingest.series.SeriesColumns.BLOCK;
import static dev.idleledger.ingest.series.SeriesColumns.FILE;
import static dev.idleledger.ingest.series.SeriesColumns.LABELS;
import static dev.idleledger.ingest.series.SeriesColumns.LABEL_MAP;
import static dev.idleledger.ingest.series.SeriesColumns.LINE;
import static dev.idleledger.ingest.series.SeriesColumns.LINE_OFFSET;
import static dev.idleledger.ingest.series.SeriesColumns.RAW;
import static dev.idleledger.ingest.series.SeriesColumns.REASON;
import static dev.idleledger.ingest.series.SeriesColumns.REJECTED_ROWS;
import static dev.idleledger.ingest.series.SeriesColumns.RID;
import static dev.idleledger.ingest.series.SeriesColumns.ROWS;
import static dev.idleledger.ingest.series.SeriesColumns.SERIES_ID;
import static dev.idleledger.ingest.series.SeriesColumns.SERIES_KEY;
import static java.util.Map.entry;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.call_function;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_entries;
import static org.apache.spark.sql.functions.map_filter;
import static org.apache.spark.sql.functions.map_from_entries;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.str_to_map;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import dev.idleledger.quality.QualityTables.Quarantine;
import dev.idleledger.quality.SourceAccounting;
import dev.idleledger.spark.OrderedColumns;
import dev.idleledger.spark.StageFrames;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * What the archive reader found for one date: the long sample frame (lazy), its series with their labels,
 * the files that were unusable as a whole, and the raw row counts the accounting starts from.
 *
 * @param samples one row per raw sample of a wanted metric in the day (columns of {@link SeriesColumns})
 * @param blockLines per file split: rows before it in its file and its first row id, to number rejected lines
 * @param rowsRead sample rows of the day (comments and other days' rows excluded), file errors not included
 * @param rowsIgnored of those, rows of metrics nobody asked for or timestamped outside the day
 */
public record SeriesRead(
    SparkSession spark,
    Dataset<Row> samples,
    Dataset<Row> blockLines,
    List<FileProbe.Result> fileErrors,
    long rowsRead,
    long rowsIgnored) {
  /** File of the first row of a series. */
  private static final String FIRST_FILE = "first_file";

  /** Row id of the first row of a series. */
  private static final String FIRST_RID = "first_rid";

  /** Series id of the first row of a series. */
  private static final String FIRST_SERIES = "first_series";

  /** Why the series labels cannot be read; null when they can. */
  private static final String LABEL_ERROR = "label_error";

  private static final StructType FILE_ERROR =
      new StructType().add(FILE, DataTypes.StringType).add(REASON, DataTypes.StringType);

  /**
   * True when the archive gave nothing for the date: no file with rows of it (the samples are an empty local frame)
   * and no unusable file.
   */
  public boolean isEmpty() {
    return fileErrors.isEmpty() && StageFrames.knownEmptyOverLocalData(samples);
  }

  /** {@link #series(Column)} with the reader's own row rules (a reason on the row). */
  public Dataset<Row> series() {
    return series(col(REASON).isNotNull());
  }

  /**
   * The distinct series of the samples: labels parsed once per series (not per sample), {@code label_error} when
   * they are unusable (broken Prometheus escaping), {@code series_key} (what "the same series" means for
   * duplicates), and the series' row counts: {@code rows}, and {@code rejected_rows} of them that
   * {@code rowRejected} rejects. A source can account for its quarantined and ignored rows from this small frame
   * instead of another pass over the samples.
   *
   * <p>Two scans of the samples. The first aggregates per series and file (rows, rejected rows, first row id),
   * hashing each Parquet row's label map into its series id. Parquet series carry that hash, not their labels: the
   * second scan finds each series' first row in each file by (file, row id), joined against the small aggregate, and
   * takes its label map from there, decoding maps but hashing nothing. The counts ride through that join to the
   * per-series sums, so the aggregate is used once: read twice, Spark would prune each use to its own columns and
   * scan and hash every row a second time for the other (two different exchanges, nothing to reuse).
   */
  public Dataset<Row> series(Column rowRejected) {
    Dataset<Row> perFile =
        samples
            .groupBy(col(SERIES_ID), col(FILE))
            .agg(
                count(lit(1)).as(ROWS),
                sum(when(rowRejected, 1L).otherwise(0L)).as(REJECTED_ROWS),
                min(col(RID)).as(FIRST_RID));
    // Every (series, file) meets exactly one row here: its first one (row ids are unique within a
    // file). Text series find a null map.
    Dataset<Row> counted =
        samples
            .select(col(FILE), col(RID), col(LABEL_MAP))
            .join(
                broadcast(
                    perFile.select(
                        col(SERIES_ID).as(FIRST_SERIES),
                        col(FILE).as(FIRST_FILE),
                        col(FIRST_RID),
                        col(ROWS),
                        col(REJECTED_ROWS))),
                col(FILE).equalTo(col(FIRST_FILE)).and(col(RID).equalTo(col(FIRST_RID))))
            .groupBy(col(FIRST_SERIES).as(SERIES_ID))
            .agg(
                sum(col(ROWS)).as(ROWS),
                sum(col(REJECTED_ROWS)).as(REJECTED_ROWS),
                first(col(LABEL_MAP)).as(LABEL_MAP));

    Column body = expr("substring(" + SERIES_ID + ", 2)");
    Column labels =
        when(hashedId(), map_filter(col(LABEL_MAP), (k, v) -> v.isNotNull().and(v.notEqual(""))))
            .when(
                col(SERIES_ID).startsWith(PromTextLines.EXPOSITION_SERIES),
                call_function(PromLabels.UDF_NAME, body))
            .when(
                col(SERIES_ID).startsWith(PromTextLines.GO_QUOTED_SERIES),
                call_function(PromLabels.GO_QUOTED_UDF_NAME, body))
            .when(length(body).equalTo(0), expr("cast(map() as map<string,string>)"))
            .otherwise(str_to_map(body, lit(SeriesArchiveReader.PAIR_SEPARATOR), lit("=")));
    Column canonical =
        to_json(
            map_from_entries(
                array_sort(
                    map_entries(
                        map_filter(col(LABELS), (k, v) -> v.isNotNull().and(v.notEqual("")))))));
    // Two steps: the key and the error read the parsed labels, and the parse (a UDF for exposition
    // text) should run once per series.
    return counted
        .withColumn(LABELS, labels)
        .drop(LABEL_MAP)
        .withColumns(
            OrderedColumns.of(
                entry(
                    SERIES_KEY,
                    when(col(LABELS).isNull(), xxhash64(col(SERIES_ID)))
                        .otherwise(xxhash64(canonical))),
                entry(LABEL_ERROR, when(col(LABELS).isNull(), lit("broken Prometheus escaping")))));
  }

  private static Column hashedId() {
    return col(SERIES_ID).startsWith(SeriesArchiveReader.HASHED_SERIES);
  }

  /** The long frame with labels joined on (small sources such as kube state); reason includes label errors. */
  public Dataset<Row> withLabels() {
    Dataset<Row> s = series();
    return samples
        .drop(LABEL_MAP)
        .join(broadcast(s.drop(ROWS, REJECTED_ROWS)), SERIES_ID)
        .withColumn(REASON, coalesce(col(REASON), col(LABEL_ERROR)))
        .drop(LABEL_ERROR);
  }

  /**
   * Rejected rows (columns {@code file, block, rid, line_offset, reason, raw}) plus the unusable files, as rows of
   * the quarantine table, with 1-based line numbers recovered from the split bookkeeping.
   */
  public Dataset<Row> quarantine(
      Dataset<Row> rejected, LocalDate date, String runId, String source) {
    Column line =
        when(col(BLOCK).equalTo(-1), col(RID).plus(col(LINE_OFFSET)))
            .otherwise(
                col("lines_before")
                    .plus(col(RID))
                    .minus(col("min_rid"))
                    .plus(1)
                    .plus(col(LINE_OFFSET)));
    Dataset<Row> rows =
        rejected
            .join(
                broadcast(blockLines),
                rejected
                    .col(FILE)
                    .equalTo(blockLines.col("bl_file"))
                    .and(rejected.col(BLOCK).equalTo(blockLines.col("bl_block"))),
                "left")
            .select(col(FILE), line.cast(DataTypes.LongType).as(LINE), col(REASON), col(RAW));
    List<Row> errors = new ArrayList<>();
    for (FileProbe.Result r : fileErrors) {
      // The listing's qualified path, spelled as Spark's _metadata.file_path spells the rows'
      // files.
      errors.add(RowFactory.create(r.file().path(), r.error()));
    }
    Dataset<Row> files =
        spark
            .createDataFrame(errors, FILE_ERROR)
            .select(
                col(FILE),
                lit(null).cast(DataTypes.LongType).as(LINE),
                col(REASON),
                col(REASON).as(RAW));
    return rows.unionByName(files)
        .select(
            lit(Date.valueOf(date)).as(Quarantine.DATE),
            lit(runId).as(Quarantine.RUN_ID),
            lit(source).as(Quarantine.SOURCE),
            col(FILE),
            col(LINE),
            col(REASON),
            col(RAW));
  }

  /**
   * The source's accounting: read and ignored come from the raw counts (an unusable file counts as one row
   * read and quarantined); the caller supplies what its own rules decided.
   */
  public SourceAccounting accounting(
      String source, long used, long quarantinedRows, long duplicates, long ignoredBySource) {
    int files = fileErrors.size();
    return new SourceAccounting(
        source,
        rowsRead + files,
        used,
        quarantinedRows + files,
        duplicates,
        rowsIgnored + ignoredBySource);
  }
}
