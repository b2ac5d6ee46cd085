package dev.idleledger.ingest.series;

import static dev.idleledger.ingest.series.SeriesArchiveReader.IS_SAMPLE;
import static dev.idleledger.ingest.series.SeriesArchiveReader.PARSE_ERROR;
import static dev.idleledger.ingest.series.SeriesArchiveReader.TS_TEXT;
import static dev.idleledger.ingest.series.SeriesArchiveReader.VALUE_TEXT;
import static dev.idleledger.ingest.series.SeriesColumns.BLOCK;
import static dev.idleledger.ingest.series.SeriesColumns.FILE;
import static dev.idleledger.ingest.series.SeriesColumns.LABEL_MAP;
import static dev.idleledger.ingest.series.SeriesColumns.LINE_OFFSET;
import static dev.idleledger.ingest.series.SeriesColumns.METRIC;
import static dev.idleledger.ingest.series.SeriesColumns.RAW;
import static dev.idleledger.ingest.series.SeriesColumns.RID;
import static dev.idleledger.ingest.series.SeriesColumns.SERIES_ID;
import static dev.idleledger.ingest.series.SeriesColumns.TS;
import static dev.idleledger.ingest.series.SeriesColumns.VALUE;
import static dev.idleledger.spark.SqlCasts.tryCast;
import static java.util.Map.entry;
import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.instr;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.substring_index;
import static org.apache.spark.sql.functions.timestamp_millis;
import static org.apache.spark.sql.functions.translate;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import dev.idleledger.spark.OrderedColumns;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/**
 * Cuts Prometheus text lines of one {@link PromDialect} into the reader's columns: metric, label text, value and
 * timestamp. Archives run to hundreds of millions of lines, so the cut is made of plain string functions
 * (substring_index, instr), no regular expression per line. The label text is not parsed here but once per
 * series ({@link PromLabels}).
 *
 * <p>The label set ends at the line's last {@code '}'} (value and timestamp never hold one; an OpenMetrics
 * exemplar is cut off first); what follows is the value and the timestamp, separated by blanks.
 */
final class PromTextLines {
  /** The one column of Spark's text source: a line of the file. */
  private static final String TEXT_LINE = "value";

  /** The label part of a sample line, between the braces. */
  private static final String LABEL_TEXT = "label_text";

  static final String MALFORMED = "malformed Prometheus line";

  /** Why a line without a timestamp is rejected: an archive is read for a day, and such a sample has none. */
  static final String MISSING_TIMESTAMP =
      "missing timestamp (required: an archived sample without one cannot be placed in time)";

  /** Series id prefixes: label text with the exposition format's escaping, or with Go's (promtool, OpenMetrics). */
  static final String EXPOSITION_SERIES = "P";

  static final String GO_QUOTED_SERIES = "G";
  private static final String METRIC_NAME_LABEL = "__name__=\"";

  /**
   * Where an OpenMetrics exemplar starts: {@code value [timestamp] # {labels} value [timestamp]}, single spaces
   * and a label set (possibly empty) required. A label value of the sample holding this text is cut short,
   * which leaves a broken label set or line — quarantined, never misread.
   */
  private static final String EXEMPLAR = " # {";

  private PromTextLines() {}

  /** The raw frame of {@code paths} (all of {@code dialect}), columns as {@link SeriesArchiveReader} unions them. */
  static Dataset<Row> read(SparkSession spark, PromDialect dialect, List<String> paths) {
    boolean nameInBraces = dialect == PromDialect.PROMTOOL_DUMP;
    // Every column is an expression of the trimmed line a few levels deep: the optimizer inlines
    // them into the filters it pushes down to the scan, so a deep chain would be repeated in each
    // use (and compiled as such). That is why the timestamp is taken as the line's last token (once
    // the line is known to have one) rather
    // than as what follows the value.
    Column trimmed = trim(col(TEXT_LINE));
    Column sample =
        dialect == PromDialect.OPENMETRICS ? substring_index(trimmed, EXEMPLAR, 1) : trimmed;
    // 1-based position of the label set's opening brace, 0 when the line has none.
    Column open = instr(sample, "{");
    Column rest =
        when(open.gt(0), substring_index(sample, "}", -1))
            .otherwise(sample.substr(instr(sample, " "), length(sample)));
    Column labelText =
        when(
                open.gt(0),
                sample.substr(
                    open.plus(1), length(sample).minus(length(rest)).minus(open).minus(1)))
            .otherwise(lit(""));
    Column tail = trim(translate(rest, "\t", " "));
    Column valueText = substring_index(tail, " ", 1);
    Column tsText =
        when(instr(tail, " ").gt(0), substring_index(translate(sample, "\t", " "), " ", -1))
            .otherwise(lit(""));
    Column shapeOk =
        (nameInBraces ? sample.startsWith("{") : lit(true))
            .and(open.equalTo(0).or(sample.contains("}")))
            .and(valueText.notEqual(""))
            // nothing but blanks between the value and the timestamp
            .and(
                trim(tail.substr(
                        length(valueText).plus(1),
                        length(tail).minus(length(valueText)).minus(length(tsText))))
                    .equalTo(""));
    Column ts =
        dialect == PromDialect.OPENMETRICS
            ? fromSeconds()
            : timestamp_millis(tryCast(TS_TEXT, DataTypes.LongType));
    String prefix = dialect == PromDialect.EXPOSITION ? EXPOSITION_SERIES : GO_QUOTED_SERIES;
    return spark
        .read()
        .text(paths.toArray(String[]::new))
        .select(
            col("_metadata.file_path").as(FILE),
            col("_metadata.file_block_start").as(BLOCK),
            monotonically_increasing_id().as(RID),
            col(TEXT_LINE).as(RAW),
            trimmed.notEqual("").and(not(trimmed.startsWith("#"))).as(IS_SAMPLE),
            (nameInBraces ? nameFromLabel(sample) : nameBeforeLabels(sample)).as(METRIC),
            labelText.as(LABEL_TEXT),
            valueText.as(VALUE_TEXT),
            tsText.as(TS_TEXT),
            when(not(shapeOk), lit(MALFORMED))
                .when(tsText.equalTo(""), lit(MISSING_TIMESTAMP))
                .as(PARSE_ERROR))
        .withColumns(
            OrderedColumns.of(
                entry(TS, ts),
                entry(VALUE, tryCast(VALUE_TEXT, DataTypes.DoubleType)),
                entry(SERIES_ID, concat(lit(prefix), col(LABEL_TEXT))),
                entry(LABEL_MAP, lit(null).cast(SeriesArchiveReader.LABEL_MAP_TYPE)),
                entry(LINE_OFFSET, lit(0))));
  }

  /** The metric name of a line that starts with it: up to the label set or the first blank. */
  private static Column nameBeforeLabels(Column sample) {
    return substring_index(substring_index(sample, "{", 1), " ", 1);
  }

  /** promtool's {@code {..., __name__="NAME", ...}}: the value of the label, where it starts a label (not a suffix). */
  private static Column nameFromLabel(Column sample) {
    Column at = instr(sample, METRIC_NAME_LABEL);
    Column before = sample.substr(at.minus(1), lit(1));
    return when(
            at.gt(1).and(before.isin("{", " ", ",")),
            substring_index(
                sample.substr(at.plus(METRIC_NAME_LABEL.length()), length(sample)), "\"", 1))
        .otherwise(lit(""));
  }

  /**
   * OpenMetrics timestamps are seconds, fractional or in exponent form ({@code 1761991200.123},
   * {@code 1.761991200123e+09}); rounded to Prometheus' milliseconds. A double holds today's epoch milliseconds
   * exactly (41 bits), so the rounding never moves a written millisecond. NaN, infinities and values past
   * year 5000 are no time at all (null: an unparseable timestamp).
   */
  private static Column fromSeconds() {
    Column seconds = tryCast(TS_TEXT, DataTypes.DoubleType);
    return when(abs(seconds).lt(1e11), timestamp_millis(floor(seconds.multiply(1000).plus(0.5))));
  }
}
