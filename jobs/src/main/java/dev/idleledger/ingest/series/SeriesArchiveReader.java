package dev.idleledger.ingest.series;

import static dev.idleledger.ingest.series.SeriesColumns.BLOCK;
import static dev.idleledger.ingest.series.SeriesColumns.FILE;
import static dev.idleledger.ingest.series.SeriesColumns.LABEL_MAP;
import static dev.idleledger.ingest.series.SeriesColumns.LINE_OFFSET;
import static dev.idleledger.ingest.series.SeriesColumns.METRIC;
import static dev.idleledger.ingest.series.SeriesColumns.RAW;
import static dev.idleledger.ingest.series.SeriesColumns.REASON;
import static dev.idleledger.ingest.series.SeriesColumns.RID;
import static dev.idleledger.ingest.series.SeriesColumns.SERIES_ID;
import static dev.idleledger.ingest.series.SeriesColumns.TS;
import static dev.idleledger.ingest.series.SeriesColumns.VALUE;
import static dev.idleledger.spark.SqlCasts.quoted;
import static dev.idleledger.spark.SqlCasts.tryCast;
import static java.util.Map.entry;
import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_concat;
import static org.apache.spark.sql.functions.map_filter;
import static org.apache.spark.sql.functions.map_from_arrays;
import static org.apache.spark.sql.functions.map_keys;
import static org.apache.spark.sql.functions.map_values;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.timestamp_millis;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import dev.idleledger.spark.OrderedColumns;
import java.io.IOException;
import java.io.StringReader;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;

/**
 * Reads archived Prometheus samples (CONTRACTS.md §1.1) for one UTC day into one long frame, whatever the
 * encoding: Parquet, CSV(.gz) or Prometheus text(.gz) in any of its {@link PromDialect}s, local or {@code s3a://}.
 *
 * <p>Plan choices: files are read with Spark's own readers in groups of equal layout (one CSV header, one
 * Parquet schema, one Prometheus text dialect — {@link PromTextLines}), each group turned into the same narrow
 * columns by SQL expressions. The metric filter is a plain predicate on the scan, so Parquet pushes it into the
 * row groups; for text it is applied right after the metric name is cut out of the line. Labels are not parsed per sample:
 * each sample carries a canonical text of its label set ({@code series_id}) and {@link SeriesRead#series()}
 * parses each distinct series once. A probe ({@link FileProbe}) sets aside files that are unusable as a whole.
 */
public final class SeriesArchiveReader {
  /** True for a row that is a sample (not a header or a blank line). */
  static final String IS_SAMPLE = "is_sample";

  /** Lowest row id of a file split, to number its lines. */
  private static final String MIN_RID = "min_rid";

  /** Why the row could not be parsed; null when it could. */
  static final String PARSE_ERROR = "parse_error";

  /** The timestamp as written, trimmed. */
  static final String TS_TEXT = "ts_text";

  /** The value as written, trimmed. */
  static final String VALUE_TEXT = "value_text";

  /** The timestamp column of a CSV or Parquet archive. */
  private static final String ARCHIVE_TIMESTAMP = "timestamp";

  /** The value column of a CSV or Parquet archive. */
  private static final String ARCHIVE_VALUE = "value";

  /** Spark's hidden metadata column: the file the row was read from. */
  private static final String SOURCE_FILE_PATH = "_metadata.file_path";

  /** Separates name=value pairs in a CSV row's series id; cannot occur in a label. */
  static final String PAIR_SEPARATOR = "\u0001";

  private static final String ISO_TS =
      "^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}(:?\\d{2})?)?$";
  private static final String EPOCH_MS = "^-?\\d{1,15}$";
  private static final Set<String> REQUIRED = Set.of(ARCHIVE_TIMESTAMP, "metric", ARCHIVE_VALUE);

  /**
   * No DCGM or kube-state-metrics value comes near this (FB in MiB, power in W, percentages, counts): a larger one
   * is a corrupt exporter or archiver, and clipping it (activity) or summing it would move money.
   */
  private static final double IMPLAUSIBLE_VALUE = 1e12;

  /** Starts the series id of a Parquet sample: a hash of its label map, whose labels {@link SeriesRead} looks up. */
  static final String HASHED_SERIES = "H";

  static final DataType LABEL_MAP_TYPE =
      DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType);

  private final SparkSession spark;

  public SeriesArchiveReader(SparkSession spark) {
    this.spark = spark;
    PromLabels.register(spark);
  }

  /**
   * Reads {@code date} under {@code root}, keeping samples of {@code metrics} only.
   *
   * @throws dev.idleledger.RunFailedException when {@code root} does not exist at all
   */
  public SeriesRead read(String root, LocalDate date, Set<String> metrics) {
    List<ArchiveFile> files =
        new ArchiveLayout(spark.sparkContext().hadoopConfiguration()).filesFor(root, date);
    List<FileProbe.Result> probed = FileProbe.probe(spark, files);
    List<FileProbe.Result> errors = new ArrayList<>();
    Map<String, List<String>> csvGroups = new LinkedHashMap<>();
    Map<String, List<String>> parquetGroups = new LinkedHashMap<>();
    Map<PromDialect, List<String>> promGroups = new EnumMap<>(PromDialect.class);
    for (FileProbe.Result r : probed) {
      String error = r.error() != null ? r.error() : layoutError(r);
      if (error != null) {
        // A broken file in dt=D+1 is D+1's to report; D only loses the stragglers it might have
        // held.
        if (!r.file().nextDay()) {
          errors.add(new FileProbe.Result(r.file(), error, null));
        }
        continue;
      }
      switch (r.file().encoding()) {
        case PROM ->
            promGroups
                .computeIfAbsent(PromDialect.valueOf(r.layout()), k -> new ArrayList<>())
                .add(r.file().path());
        case CSV -> {
          if (!r.layout().isBlank()) {
            csvGroups.computeIfAbsent(r.layout(), k -> new ArrayList<>()).add(r.file().path());
          }
        }
        case PARQUET ->
            parquetGroups.computeIfAbsent(r.layout(), k -> new ArrayList<>()).add(r.file().path());
      }
    }
    List<Dataset<Row>> raws = new ArrayList<>();
    promGroups.forEach((dialect, paths) -> raws.add(PromTextLines.read(spark, dialect, paths)));
    csvGroups.forEach((header, paths) -> raws.add(csvRaw(csvHeader(header), paths)));
    parquetGroups.values().forEach(paths -> raws.add(parquetRaw(paths)));

    Column dayStart = lit(Timestamp.from(date.atStartOfDay(ZoneOffset.UTC).toInstant()));
    Column dayEnd = lit(Timestamp.from(date.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()));
    Column nextDay = col(FILE).contains("/dt=" + date.plusDays(1) + "/");
    Column inDay = col(TS).geq(dayStart).and(col(TS).lt(dayEnd));
    // dt=D may hold the previous day's stragglers and the next day's early rows: those are another
    // date's, ignored here. A timestamp further off cannot be any run's (clock errors, epoch
    // seconds written as milliseconds land in 1970): it is quarantined, so the rows do not vanish
    // unseen.
    Column nearDay =
        col(TS)
            .geq(lit(Timestamp.from(date.minusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant())))
            .and(
                col(TS)
                    .lt(
                        lit(
                            Timestamp.from(
                                date.plusDays(2).atStartOfDay(ZoneOffset.UTC).toInstant()))));
    Column wanted = col(METRIC).isin(metrics.toArray());
    // A row counts for D when it sits in dt=D, or is a straggler in dt=D+1 timestamped in D.
    Column inScope = col(IS_SAMPLE).and(not(nextDay).or(coalesce(inDay, lit(false))));
    Column ignored = not(wanted).or(col(TS).isNotNull().and(not(inDay)).and(nearDay));

    StructType blockSchema =
        new StructType()
            .add("bl_file", DataTypes.StringType)
            .add("bl_block", DataTypes.LongType)
            .add("lines_before", DataTypes.LongType)
            .add(MIN_RID, DataTypes.LongType);
    if (raws.isEmpty()) {
      Dataset<Row> empty = spark.createDataFrame(List.of(), sampleSchema());
      return new SeriesRead(
          spark, empty, spark.createDataFrame(List.of(), blockSchema), errors, 0, 0);
    }
    Column[] rawColumns =
        Arrays.stream(
                new String[] {
                  FILE,
                  BLOCK,
                  RID,
                  LINE_OFFSET,
                  RAW,
                  IS_SAMPLE,
                  METRIC,
                  TS,
                  VALUE,
                  SERIES_ID,
                  LABEL_MAP,
                  PARSE_ERROR
                })
            .map(c -> col(c))
            .toArray(Column[]::new);
    Dataset<Row> raw = raws.get(0).select(rawColumns);
    for (int i = 1; i < raws.size(); i++) {
      raw = raw.unionByName(raws.get(i).select(rawColumns));
    }

    // One pass over everything read: the day's row counts, and per file split its row count and
    // first row id so rejected rows can be given their line number without numbering every row.
    List<Row> blocks =
        raw.groupBy(col(FILE), col(BLOCK))
            .agg(
                count(lit(1)).as("rows"),
                min(col(RID)).as(MIN_RID),
                sum(when(inScope, 1).otherwise(0)).as("read"),
                sum(when(inScope.and(ignored), 1).otherwise(0)).as("ignored"))
            .collectAsList();
    long read = 0;
    long ignoredRows = 0;
    Map<String, TreeSet<Long>> fileBlocks = new LinkedHashMap<>();
    Map<String, Row> byKey = new LinkedHashMap<>();
    for (Row b : blocks) {
      read += b.getLong(b.fieldIndex("read"));
      ignoredRows += b.getLong(b.fieldIndex("ignored"));
      fileBlocks.computeIfAbsent(b.getString(0), k -> new TreeSet<>()).add(b.getLong(1));
      byKey.put(b.getString(0) + "\n" + b.getLong(1), b);
    }
    List<Row> lines = new ArrayList<>();
    fileBlocks.forEach(
        (file, starts) -> {
          long before = 0;
          for (long start : starts) {
            Row b = byKey.get(file + "\n" + start);
            lines.add(RowFactory.create(file, start, before, b.getLong(b.fieldIndex(MIN_RID))));
            before += b.getLong(b.fieldIndex("rows"));
          }
        });

    Column reason =
        coalesce(
            col(PARSE_ERROR),
            when(col(TS).isNull(), lit("unparseable timestamp")),
            when(col(VALUE).isNull(), lit("non-numeric value")),
            when(isnan(col(VALUE)), lit("NaN value")),
            when(
                col(VALUE)
                    .equalTo(Double.POSITIVE_INFINITY)
                    .or(col(VALUE).equalTo(Double.NEGATIVE_INFINITY)),
                lit("infinite value")),
            when(
                not(inDay),
                concat(
                    lit("timestamp "),
                    date_format(col(TS), "yyyy-MM-dd'T'HH:mm:ss'Z'"),
                    lit(
                        " is days away from its folder dt="
                            + date
                            + " (in the future, far past, or epoch seconds written as milliseconds)"))),
            when(
                abs(col(VALUE)).gt(IMPLAUSIBLE_VALUE),
                lit("implausibly large value (above 1e12)")));
    // The blocks pass counted every row the samples keep (in scope, not ignored): when there are
    // none (a date whose only files are the next day's, read for stragglers), the samples are an
    // empty local frame, which every query over them folds to on the driver instead of scanning
    // the files again for nothing.
    if (read == ignoredRows) {
      return new SeriesRead(
          spark,
          spark.createDataFrame(List.of(), sampleSchema()),
          spark.createDataFrame(lines, blockSchema),
          errors,
          read,
          ignoredRows);
    }
    Dataset<Row> samples =
        raw.filter(wanted)
            .filter(inScope.and(not(ignored)))
            .withColumn(REASON, reason)
            .select(
                Arrays.stream(sampleSchema().fieldNames()).map(n -> col(n)).toArray(Column[]::new));
    return new SeriesRead(
        spark, samples, spark.createDataFrame(lines, blockSchema), errors, read, ignoredRows);
  }

  /** Columns of {@link SeriesRead#samples()}. */
  public static StructType sampleSchema() {
    return new StructType()
        .add(FILE, DataTypes.StringType)
        .add(BLOCK, DataTypes.LongType)
        .add(RID, DataTypes.LongType)
        .add(LINE_OFFSET, DataTypes.IntegerType)
        .add(TS, DataTypes.TimestampType)
        .add(METRIC, DataTypes.StringType)
        .add(VALUE, DataTypes.DoubleType)
        .add(SERIES_ID, DataTypes.StringType)
        .add(RAW, DataTypes.StringType)
        .add(REASON, DataTypes.StringType)
        .add(LABEL_MAP, LABEL_MAP_TYPE);
  }

  private static String layoutError(FileProbe.Result r) {
    if (r.file().encoding() == SeriesEncoding.CSV && !r.layout().isBlank()) {
      List<String> header = csvHeader(r.layout());
      Set<String> missing = new TreeSet<>(REQUIRED);
      missing.removeAll(header);
      if (!missing.isEmpty()) {
        return "CSV missing required column(s): " + String.join(", ", missing);
      }
      if (new HashSet<>(header).size() != header.size()) {
        return "CSV header repeats a column: " + r.layout();
      }
    }
    if (r.file().encoding() == SeriesEncoding.PARQUET) {
      Set<String> missing = new TreeSet<>(REQUIRED);
      missing.removeAll(Arrays.asList(r.layout().split("\n", 2)[0].split(",")));
      if (!missing.isEmpty()) {
        return "Parquet file missing required column(s): " + String.join(", ", missing);
      }
    }
    return null;
  }

  static List<String> csvHeader(String headerLine) {
    try (CSVParser p = CSVParser.parse(new StringReader(headerLine), CSVFormat.RFC4180)) {
      List<CSVRecord> records = p.getRecords();
      return records.isEmpty()
          ? List.of()
          : records.get(0).toList().stream().map(String::trim).toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  // ---- CSV: header; timestamp, metric, value; every other column a label (empty = absent) ----
  private Dataset<Row> csvRaw(List<String> header, List<String> paths) {
    // The header is known from the probe. Label names that differ only in case (Hostname, hostname)
    // would collide in Spark's case-insensitive resolution, so the later one is named by position
    // instead.
    StructType schema = new StructType();
    Map<String, Column> byName = new LinkedHashMap<>();
    Set<String> taken = new HashSet<>();
    for (int i = 0; i < header.size(); i++) {
      String name = taken.add(header.get(i).toLowerCase(Locale.ROOT)) ? header.get(i) : "_c" + i;
      schema = schema.add(name, DataTypes.StringType);
      byName.put(header.get(i), col(quoted(name)));
    }
    List<String> labelColumns =
        header.stream().filter(h -> !REQUIRED.contains(h)).sorted().toList();
    Column[] pairs =
        labelColumns.stream()
            .map(
                h ->
                    when(
                        byName.get(h).isNotNull().and(byName.get(h).notEqual("")),
                        concat(lit(h + "="), byName.get(h))))
            .toArray(Column[]::new);
    Column seriesText = pairs.length == 0 ? lit("") : concat_ws(PAIR_SEPARATOR, pairs);
    Column rawText =
        concat_ws(
            ",", byName.values().stream().map(c -> coalesce(c, lit(""))).toArray(Column[]::new));
    return spark
        .read()
        .option("header", "true")
        .option("escape", "\"")
        .schema(schema)
        .csv(paths.toArray(String[]::new))
        .select(
            col(SOURCE_FILE_PATH).as(FILE),
            col("_metadata.file_block_start").as(BLOCK),
            monotonically_increasing_id().as(RID),
            rawText.as(RAW),
            lit(true).as(IS_SAMPLE),
            trim(byName.get("metric")).as(METRIC),
            trim(byName.get(ARCHIVE_TIMESTAMP)).as(TS_TEXT),
            trim(byName.get(ARCHIVE_VALUE)).as(VALUE_TEXT),
            concat(lit("C"), seriesText).as(SERIES_ID),
            lit(null).cast(DataTypes.StringType).as(PARSE_ERROR))
        .withColumns(
            OrderedColumns.of(
                entry(
                    TS,
                    when(
                            col(TS_TEXT).rlike(EPOCH_MS),
                            timestamp_millis(tryCast(TS_TEXT, DataTypes.LongType)))
                        .when(
                            col(TS_TEXT).rlike(ISO_TS), tryCast(TS_TEXT, DataTypes.TimestampType))),
                entry(VALUE, tryCast(VALUE_TEXT, DataTypes.DoubleType)),
                entry(LABEL_MAP, lit(null).cast(LABEL_MAP_TYPE)),
                entry(LINE_OFFSET, lit(1))));
  }

  // ---- Parquet: timestamp (TIMESTAMP, TIMESTAMP_NTZ = UTC, or INT64 epoch ms), metric, value,
  // labels map ----
  private Dataset<Row> parquetRaw(List<String> paths) {
    Dataset<Row> df = spark.read().parquet(paths.toArray(String[]::new));
    StructType schema = df.schema();
    DataType tsType = schema.apply(ARCHIVE_TIMESTAMP).dataType();
    Column ts;
    if (tsType instanceof TimestampNTZType) {
      ts =
          col(ARCHIVE_TIMESTAMP)
              .cast(DataTypes.TimestampType); // no zone: read as UTC (the session zone is UTC)
    } else if (tsType.equals(DataTypes.TimestampType)) {
      ts = col(ARCHIVE_TIMESTAMP);
    } else if (tsType.equals(DataTypes.StringType)) {
      ts =
          when(
                  col(ARCHIVE_TIMESTAMP).rlike(EPOCH_MS),
                  timestamp_millis(col(ARCHIVE_TIMESTAMP).cast(DataTypes.LongType)))
              .when(
                  col(ARCHIVE_TIMESTAMP).rlike(ISO_TS),
                  col(ARCHIVE_TIMESTAMP).cast(DataTypes.TimestampType));
    } else {
      ts = timestamp_millis(col(ARCHIVE_TIMESTAMP).cast(DataTypes.LongType));
    }
    List<String> extra = new ArrayList<>();
    for (StructField f : schema.fields()) {
      if (!REQUIRED.contains(f.name())
          && !f.name().equals("labels")
          && f.dataType().equals(DataTypes.StringType)) {
        extra.add(f.name());
      }
    }
    Column labels =
        schema.getFieldIndex("labels").isDefined()
            ? coalesce(
                col("labels").cast("map<string,string>"), expr("cast(map() as map<string,string>)"))
            : expr("cast(map() as map<string,string>)");
    if (!extra.isEmpty()) {
      // Top-level label columns win over the map: drop those keys from the map, then add the
      // columns.
      Column keys = array(extra.stream().map(functions_lit()).toArray(Column[]::new));
      Column values = array(extra.stream().map(h -> col(quoted(h))).toArray(Column[]::new));
      labels =
          map_concat(
              map_filter(labels, (k, v) -> not(array_contains(keys, k))),
              map_from_arrays(keys, values));
    }
    // The id is a 64-bit hash of the map as written (for a collision among a fleet's ~10^5 series
    // the odds are ~10^-9). Canonicalizing per sample (drop empty values, sort, serialize) cost
    // most of the ingest stage at 1 s scrapes, so it is done per series instead
    // (SeriesRead.series): a writer that changes its label order
    // mid-day gives a series two ids, which resolve to the same unit and the same canonical series
    // key.
    Column series = xxhash64(map_keys(labels), map_values(labels)).cast(DataTypes.StringType);
    Column value =
        df.schema().apply(ARCHIVE_VALUE).dataType().equals(DataTypes.StringType)
            ? tryCast(ARCHIVE_VALUE, DataTypes.DoubleType)
            : col(ARCHIVE_VALUE).cast(DataTypes.DoubleType);
    return df.select(
        col(SOURCE_FILE_PATH).as(FILE),
        lit(-1L).as(BLOCK),
        col("_metadata.row_index").as(RID),
        to_json(
                struct(
                    Arrays.stream(schema.fieldNames())
                        .map(n -> col(quoted(n)))
                        .toArray(Column[]::new)))
            .as(RAW),
        lit(true).as(IS_SAMPLE),
        col("metric").as(METRIC),
        ts.as(TS),
        value.as(VALUE),
        concat(lit(HASHED_SERIES), series).as(SERIES_ID),
        labels.as(LABEL_MAP),
        lit(null).cast(DataTypes.StringType).as(PARSE_ERROR),
        lit(1).as(LINE_OFFSET));
  }

  private static Function<String, Column> functions_lit() {
    return s -> lit(s);
  }
}
