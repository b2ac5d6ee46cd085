package dev.idleledger.ingest.billing;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.from_csv;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads one billing export (CUR 2.0 or FOCUS) into raw rows: every used column as a string under its canonical
 * name (a missing optional column is null), plus the file, the 1-based line (CSV: line in the file, header = 1;
 * Parquet: row number) and the raw text. A file that cannot be read as a whole (corrupt gzip, truncated Parquet,
 * a required column missing) becomes one {@link RejectedFile}; the other files still load.
 *
 * <p>Exports live under {@code BILLING_PERIOD=YYYY-MM/} folders (AWS Data Exports write CUR 2.0 and FOCUS that
 * way). For date D the month of D is read, and the previous month too on the 1st; a root without such folders
 * is read whole. A root that is the export folder itself ({@code data/} + {@code metadata/}) is read through each
 * period's manifest ({@link DataExportFolder}).
 *
 * <p>CSV is read as RFC 4180: a quote inside a quoted field is doubled ({@code "{""InstanceType"":""g5.4xlarge""}"},
 * as FOCUS exports write the JSON of {@code Tags} and {@code SkuPriceDetails}), and an unquoted {@code NULL} is an
 * absent value (the FinOps Foundation's FOCUS sample writes absent values that way). Rows are read line by line so
 * quarantined rows keep their line and text; a file where a quoted field spans lines (an odd number of quotes on a
 * line) is read again as multi-line CSV, whose {@code line} is then the row number, as for Parquet.
 */
public final class BillingExportReader {
  /** The one column of Spark's text source: a line of the file. */
  private static final String TEXT_LINE = "value";

  public static final String FILE = "source_file";
  public static final String LINE = "line";
  public static final String RAW = "raw";

  /** RFC 4180 quoting ({@code ""} inside a quoted field), and the FOCUS sample's unquoted NULL as an absent value. */
  private static final Map<String, String> CSV_OPTIONS =
      Map.of("mode", "PERMISSIVE", "quote", "\"", "escape", "\"", "nullValue", "NULL");

  /** A file rejected as a whole, with why. */
  public record RejectedFile(String file, String reason) {}

  /** What one export gave for one date: the raw rows of the readable files, and the rejected files. */
  public record RawRows(Dataset<Row> rows, List<RejectedFile> rejected) {}

  private final SparkSession spark;
  private final String sourceName;
  private final List<String> required;
  private final List<String> optional;

  public BillingExportReader(
      SparkSession spark, String sourceName, List<String> required, List<String> optional) {
    this.spark = spark;
    this.sourceName = sourceName;
    this.required = List.copyOf(required);
    this.optional = List.copyOf(optional);
  }

  /** The schema of the raw rows: used columns (strings) then file, line, raw. */
  public StructType rawSchema() {
    StructType s = new StructType();
    for (String c : usedColumns()) {
      s = s.add(c, DataTypes.StringType);
    }
    return s.add(FILE, DataTypes.StringType)
        .add(LINE, DataTypes.LongType)
        .add(RAW, DataTypes.StringType);
  }

  public RawRows read(String root, LocalDate date) {
    return read(listFiles(root, date));
  }

  /** Reads the given data files (from {@link #listFiles}, possibly of several dates: each file is read once). */
  RawRows read(List<String> files) {
    Dataset<Row> all = spark.createDataFrame(List.of(), rawSchema());
    List<RejectedFile> rejected = new ArrayList<>();
    for (String file : files) {
      try {
        if (isEmpty(file)) {
          rejected.add(
              new RejectedFile(
                  file, "empty file (0 bytes): nothing to read; re-export it or remove it"));
          continue;
        }
        Dataset<Row> rows =
            file.toLowerCase(Locale.ROOT).endsWith(".parquet") ? readParquet(file) : readCsv(file);
        all = all.unionByName(rows);
      } catch (MissingColumnsException e) {
        rejected.add(new RejectedFile(file, e.getMessage()));
      } catch (Exception e) {
        // Spark's read errors arrive as the checked SparkException, undeclared; any of them rejects
        // this file only.
        rejected.add(new RejectedFile(file, "unreadable file: " + rootCause(e)));
      }
    }
    return new RawRows(all, rejected);
  }

  private boolean isEmpty(String file) throws IOException {
    Path path = new Path(file);
    return path.getFileSystem(spark.sparkContext().hadoopConfiguration())
            .getFileStatus(path)
            .getLen()
        == 0;
  }

  /** The data files of the billing periods that can hold date D, sorted so runs are repeatable. */
  List<String> listFiles(String root, LocalDate date) {
    Path rootPath = new Path(root);
    try {
      FileSystem fs = rootPath.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(rootPath)) {
        throw new IllegalArgumentException(sourceName + ": input path does not exist: " + root);
      }
      if (DataExportFolder.isExportFolder(fs, rootPath)) {
        return DataExportFolder.files(
            fs, rootPath, periodsHolding(date), BillingExportReader::isDataFile, sourceName);
      }
      List<Path> periods =
          Arrays.stream(fs.listStatus(rootPath))
              .filter(FileStatus::isDirectory)
              .map(FileStatus::getPath)
              .filter(p -> p.getName().startsWith("BILLING_PERIOD="))
              .toList();
      List<Path> toRead = new ArrayList<>();
      if (periods.isEmpty()) {
        toRead.add(rootPath);
      } else {
        Set<String> wanted = periodsHolding(date);
        periods.stream().filter(p -> wanted.contains(p.getName())).forEach(toRead::add);
      }
      List<String> files = new ArrayList<>();
      for (Path p : toRead) {
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(p, true);
        while (it.hasNext()) {
          Path f = it.next().getPath();
          if (isDataFile(f.getName())) {
            files.add(f.toString());
          }
        }
      }
      files.sort(String::compareTo);
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException(
          sourceName + ": cannot list " + root + ": " + e.getMessage(), e);
    }
  }

  /** The billing-period folders that can hold date D: its month, and the previous one on the 1st. */
  private static Set<String> periodsHolding(LocalDate date) {
    Set<String> wanted = new LinkedHashSet<>();
    wanted.add("BILLING_PERIOD=" + YearMonth.from(date));
    if (date.getDayOfMonth() == 1) {
      wanted.add("BILLING_PERIOD=" + YearMonth.from(date).minusMonths(1));
    }
    return wanted;
  }

  private static boolean isDataFile(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.startsWith("_") || n.startsWith(".")) {
      return false;
    }
    return n.endsWith(".parquet") || n.endsWith(".csv") || n.endsWith(".csv.gz");
  }

  private Dataset<Row> readCsv(String file) {
    Dataset<String> lines = spark.read().textFile(file);
    // first() and the count below read the whole file, so a corrupt or truncated gzip fails here,
    // as one file.
    String headerLine = lines.first();
    List<String> header = parseHeader(headerLine);
    Map<String, String> canonical = canonicalNames(header, file);
    StructType csvSchema = new StructType();
    for (int i = 0; i < header.size(); i++) {
      csvSchema = csvSchema.add("c" + i, DataTypes.StringType);
    }
    JavaRDD<Row> numbered =
        lines
            .javaRDD()
            .zipWithIndex()
            .filter(t -> t._2() > 0 && !t._1().isBlank())
            .map(t -> RowFactory.create(t._1(), t._2() + 1));
    Dataset<Row> text =
        spark.createDataFrame(
            numbered,
            new StructType().add(TEXT_LINE, DataTypes.StringType).add(LINE, DataTypes.LongType));
    Dataset<Row> parsed =
        text.select(
            from_csv(col(TEXT_LINE), lit(csvSchema.toDDL()), CSV_OPTIONS).as("r"),
            col(LINE),
            col(TEXT_LINE));
    List<Column> out = new ArrayList<>();
    for (String used : usedColumns()) {
      int index = indexOf(header, canonical.get(used));
      out.add(
          index < 0 ? lit(null).cast(DataTypes.StringType).as(used) : col("r.c" + index).as(used));
    }
    out.add(lit(file).as(FILE));
    out.add(col(LINE));
    out.add(col(TEXT_LINE).as(RAW));
    Dataset<Row> rows = parsed.select(out.toArray(Column[]::new));
    // One pass reads the whole file (so a corrupt gzip fails here) and finds lines a quoted field
    // runs past.
    Column quotes = length(col(TEXT_LINE)).minus(length(regexp_replace(col(TEXT_LINE), "\"", "")));
    Row pass = text.agg(count(lit(1)), sum(when(quotes.mod(2).equalTo(1), 1).otherwise(0))).first();
    if (!pass.isNullAt(1) && pass.getLong(1) > 0) {
      return readMultiLineCsv(file);
    }
    return rows;
  }

  /** A CSV whose quoted fields hold line breaks: Spark's multi-line CSV reader, one task per file. */
  private Dataset<Row> readMultiLineCsv(String file) {
    Dataset<Row> df =
        spark
            .read()
            .options(CSV_OPTIONS)
            .option("header", "true")
            .option("multiLine", "true")
            .csv(file);
    return fromFrame(df, file);
  }

  private Dataset<Row> readParquet(String file) {
    return fromFrame(spark.read().parquet(file), file);
  }

  /** A file read whole by Spark (Parquet, multi-line CSV): used columns as text, the row as JSON, its row number. */
  private Dataset<Row> fromFrame(Dataset<Row> df, String file) {
    Map<String, String> canonical = canonicalNames(Arrays.asList(df.columns()), file);
    List<Column> out = new ArrayList<>();
    for (String used : usedColumns()) {
      String actual = canonical.get(used);
      out.add(
          actual == null
              ? lit(null).cast(DataTypes.StringType).as(used)
              : col("`" + actual + "`").cast(DataTypes.StringType).as(used));
    }
    out.add(lit(file).as(FILE));
    Column raw =
        to_json(
                struct(
                    Arrays.stream(df.columns())
                        .map(c -> col("`" + c + "`"))
                        .toArray(Column[]::new)))
            .as(RAW);
    out.add(raw);
    Dataset<Row> selected = df.select(out.toArray(Column[]::new));
    StructType withLine = selected.schema().add(LINE, DataTypes.LongType);
    JavaRDD<Row> numbered =
        selected
            .javaRDD()
            .zipWithIndex()
            .map(
                t -> {
                  Object[] values = new Object[t._1().size() + 1];
                  for (int i = 0; i < t._1().size(); i++) {
                    values[i] = t._1().get(i);
                  }
                  values[values.length - 1] = t._2() + 1;
                  return RowFactory.create(values);
                });
    Dataset<Row> rows = spark.createDataFrame(numbered, withLine).select(rawSchemaColumns());
    rows.count();
    return rows;
  }

  private Column[] rawSchemaColumns() {
    return Arrays.stream(rawSchema().fieldNames()).map(c -> col(c)).toArray(Column[]::new);
  }

  private List<String> usedColumns() {
    List<String> all = new ArrayList<>(required);
    all.addAll(optional);
    return all;
  }

  /** Canonical used name → the file's spelling (exports differ in case); fails when a required column is absent. */
  private Map<String, String> canonicalNames(List<String> fileColumns, String file) {
    Map<String, String> byLower = new TreeMap<>();
    for (String c : fileColumns) {
      byLower.putIfAbsent(c.replace("\uFEFF", "").trim().toLowerCase(Locale.ROOT), c);
    }
    Map<String, String> out = new TreeMap<>();
    for (String used : usedColumns()) {
      String actual = byLower.get(used.toLowerCase(Locale.ROOT));
      if (actual != null) {
        out.put(used, actual);
      }
    }
    List<String> missing = required.stream().filter(r -> !out.containsKey(r)).toList();
    if (!missing.isEmpty()) {
      String missingText =
          "missing required column"
              + (missing.size() > 1 ? "s " : " ")
              + String.join(", ", missing);
      throw new MissingColumnsException(
          ForeignExportFormat.recognise(fileColumns, sourceName)
              .map(why -> why + " (" + missingText + ")")
              .orElse(missingText));
    }
    return out;
  }

  private static int indexOf(List<String> header, String name) {
    return name == null ? -1 : header.indexOf(name);
  }

  private static List<String> parseHeader(String line) {
    String stripped = line.startsWith("\uFEFF") ? line.substring(1) : line;
    try (CSVParser p = CSVParser.parse(new StringReader(stripped), CSVFormat.DEFAULT)) {
      List<CSVRecord> records = p.getRecords();
      if (records.isEmpty()) {
        throw new MissingColumnsException("empty header line");
      }
      return records.get(0).toList().stream().map(String::trim).collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String msg = t.getMessage() == null ? "" : t.getMessage().lines().findFirst().orElse("");
    return t.getClass().getSimpleName() + (msg.isEmpty() ? "" : ": " + msg);
  }

  private static final class MissingColumnsException extends RuntimeException {
    MissingColumnsException(String message) {
      super(message);
    }
  }
}
